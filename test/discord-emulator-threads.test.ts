import {
  ChannelType,
  Client,
  DiscordAPIError,
  Events,
  type ForumChannel,
  GatewayIntentBits,
  PermissionFlagsBits,
  type TextChannel,
  type ThreadChannel,
} from "discord.js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startDiscordEmulator } from "../src/discord-emulator/emulator.ts";
import type { DiscordEmulator, EmulatorUser } from "../src/discord-emulator/emulator.ts";
import { DEFAULT_EVERYONE_PERMISSIONS } from "../src/discord-emulator/payloads.ts";

const TOKEN = "emulator-thread-token";
const BOT: EmulatorUser = { id: "1100000000000000001", username: "docent", bot: true };
const ALICE: EmulatorUser = { id: "1100000000000000002", username: "alice" };
const BOB: EmulatorUser = { id: "1100000000000000003", username: "bob" };
const OWNER: EmulatorUser = { id: "1100000000000000009", username: "owner" };
const GUILD_ID = "1200000000000000001";
const TEXT_ID = "1300000000000000001";
const FORUM_ID = "1300000000000000002";
const BOT_ROLE = "1400000000000000001";
const TAGS = { help: "1500000000000000001", staff: "1500000000000000002", docs: "1500000000000000003" };

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};
beforeAll(() => {
  process.on("unhandledRejection", onUnhandled);
});
afterAll(() => {
  process.off("unhandledRejection", onUnhandled);
});

let active: { emu: DiscordEmulator; client: Client } | null = null;
afterEach(async () => {
  await active?.client.destroy();
  await active?.emu.close();
  active = null;
  expect(unhandled).toEqual([]);
});

async function start(botPermissions = DEFAULT_EVERYONE_PERMISSIONS | PermissionFlagsBits.ManageThreads) {
  const emu = await startDiscordEmulator({
    botToken: TOKEN,
    botUser: BOT,
    heartbeatIntervalMs: 200,
    guilds: [
      {
        id: GUILD_ID,
        ownerId: OWNER.id,
        channels: [
          { id: TEXT_ID, name: "general" },
          {
            id: FORUM_ID,
            name: "help",
            type: ChannelType.GuildForum,
            availableTags: [
              { id: TAGS.help, name: "help" },
              { id: TAGS.staff, name: "staff only", moderated: true },
              { id: TAGS.docs, name: "docs" },
            ],
          },
        ],
        roles: [{ id: BOT_ROLE, name: "bot", permissions: String(botPermissions) }],
        members: [{ user: BOT, roles: [BOT_ROLE] }, { user: ALICE }, { user: BOB }, { user: OWNER }],
      },
    ],
  });
  const client = new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
    rest: { api: emu.restApiUrl, globalRequestsPerSecond: 1e9 },
  });
  active = { emu, client };
  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  await client.login(TOKEN);
  await ready;
  return { emu, client };
}

const once = <T extends unknown[]>(client: Client, event: string) =>
  new Promise<T>((resolve) => client.once(event, (...args: unknown[]) => resolve(args as T)));

describe("forums and threads in the emulator, seen by discord.js", () => {
  it("a forum arrives with its tags; a member's post arrives as a thread whose starter message has its id", async () => {
    const { emu, client } = await start();
    const forum = client.channels.cache.get(FORUM_ID) as ForumChannel;
    expect(forum.type).toBe(ChannelType.GuildForum);
    expect(forum.availableTags.map((tag) => tag.name)).toEqual(["help", "staff only", "docs"]);
    for (const order of ["thread-first", "message-first"] as const) {
      const created = once<[ThreadChannel, boolean]>(client, Events.ThreadCreate);
      const { thread } = await emu.createForumPost({ forumId: FORUM_ID, author: ALICE, title: `Post ${order}`, content: "How?", tags: [TAGS.help], order });
      const [seen, newlyCreated] = await created;
      expect(newlyCreated).toBe(true);
      expect(seen.id).toBe(thread.id);
      expect(seen.parentId).toBe(FORUM_ID);
      expect(seen.ownerId).toBe(ALICE.id);
      expect(seen.appliedTags).toEqual([TAGS.help]);
      const starter = await seen.fetchStarterMessage();
      expect(starter?.id).toBe(thread.id);
      expect(starter?.content).toBe("How?");
    }
  });

  it("the bot opens a post with a message and tags (POST /channels/{forum}/threads), and can archive it", async () => {
    const { emu, client } = await start();
    const forum = client.channels.cache.get(FORUM_ID) as ForumChannel;
    const thread = await forum.threads.create({ name: "Announcement", message: { content: "Read me" }, appliedTags: [TAGS.docs] });
    expect(emu.message(thread.id)?.content).toBe("Read me");
    expect(emu.channel(thread.id)?.applied_tags).toEqual([TAGS.docs]);
    await thread.setArchived(true);
    expect(emu.channel(thread.id)?.thread_metadata?.archived).toBe(true);
    // Unknown tags are refused the way Discord refuses them.
    await expect(forum.threads.create({ name: "Bad", message: { content: "x" }, appliedTags: ["1"] })).rejects.toBeInstanceOf(DiscordAPIError);
  });

  it("the bot starts a thread from a member's message (its starter), once", async () => {
    const { emu, client } = await start();
    const created = once<[ThreadChannel]>(client, Events.MessageCreate);
    const question = await emu.sendUserMessage({ channelId: TEXT_ID, author: ALICE, content: "Long story, let's take it to a thread" });
    await created;
    const channel = client.channels.cache.get(TEXT_ID) as TextChannel;
    const message = await channel.messages.fetch(question.id);
    const thread = await message.startThread({ name: "Details" });
    expect(thread.id).toBe(question.id);
    expect(emu.channel(thread.id)?.parent_id).toBe(TEXT_ID);
    expect((await thread.fetchStarterMessage())?.content).toBe("Long story, let's take it to a thread");
    await thread.send("Happy to help here.");
    expect(emu.messages(thread.id).map((m) => m.content)).toEqual(["Happy to help here."]);
    const again = await message.startThread({ name: "Again" }).catch((error: unknown) => error);
    expect((again as DiscordAPIError).code).toBe(160004);
  });

  it("PATCH follows Discord's rules: owner or Manage Threads; moderated tags need Manage Threads; archived posts refuse changes", async () => {
    const { emu, client } = await start(DEFAULT_EVERYONE_PERMISSIONS);
    const created = once<[ThreadChannel]>(client, Events.ThreadCreate);
    const { thread } = await emu.createForumPost({ forumId: FORUM_ID, author: ALICE, title: "Mine", content: "Question", tags: [TAGS.help] });
    await created;
    // Another member, and the bot without Manage Threads, may not retag someone's post.
    await expect(emu.updateThreadAs({ threadId: thread.id, user: BOB, changes: { applied_tags: [TAGS.docs] } })).rejects.toMatchObject({ status: 403 });
    const cached = client.channels.cache.get(thread.id) as ThreadChannel;
    const refused = await cached.setAppliedTags([TAGS.help, TAGS.docs]).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DiscordAPIError);
    expect((refused as DiscordAPIError).code).toBe(50013);
    // The owner may, except for a moderated tag.
    const updated = once<[ThreadChannel, ThreadChannel]>(client, Events.ThreadUpdate);
    await emu.updateThreadAs({ threadId: thread.id, user: ALICE, changes: { applied_tags: [TAGS.help, TAGS.docs] } });
    const [, after] = await updated;
    expect(after.appliedTags).toEqual([TAGS.help, TAGS.docs]);
    await expect(emu.updateThreadAs({ threadId: thread.id, user: ALICE, changes: { applied_tags: [TAGS.staff] } })).rejects.toMatchObject({ status: 403 });
    // Archived: no change but unarchiving; a message from a member reopens it unless it is locked.
    await emu.archiveThread(thread.id);
    await expect(emu.updateThreadAs({ threadId: thread.id, user: ALICE, changes: { name: "Renamed" } })).rejects.toMatchObject({
      status: 400,
      body: { code: 50083 },
    });
    await emu.sendUserMessage({ channelId: thread.id, author: ALICE, content: "still there?" });
    expect(emu.channel(thread.id)?.thread_metadata?.archived).toBe(false);
    await emu.archiveThread(thread.id, true, true);
    await expect(emu.sendUserMessage({ channelId: thread.id, author: ALICE, content: "hello?" })).rejects.toMatchObject({ status: 400 });
  });

  it("THREAD_LIST_SYNC, THREAD_DELETE and the active-threads route reach discord.js", async () => {
    const { emu, client } = await start();
    const created = new Promise<void>((resolve) => {
      let count = 0;
      client.on(Events.ThreadCreate, () => {
        if (++count === 2) resolve();
      });
    });
    const privateThread = await emu.createThread({ channelId: TEXT_ID, author: BOB, name: "private", type: ChannelType.PrivateThread });
    const { thread: post } = await emu.createForumPost({ forumId: FORUM_ID, author: ALICE, title: "Post", content: "Question" });
    await created;
    expect(client.channels.cache.get(privateThread.id)?.type).toBe(ChannelType.PrivateThread);
    const synced = once<[Map<string, ThreadChannel>]>(client, Events.ThreadListSync);
    emu.syncThreads(GUILD_ID);
    const [threads] = await synced;
    expect([...threads.keys()].sort()).toEqual([privateThread.id, post.id].sort());
    const active = await client.guilds.cache.get(GUILD_ID)!.channels.fetchActiveThreads();
    expect([...active.threads.keys()].sort()).toEqual([privateThread.id, post.id].sort());
    const deleted = once<[ThreadChannel]>(client, Events.ThreadDelete);
    await emu.deleteThread(post.id);
    expect((await deleted)[0].id).toBe(post.id);
    expect(client.channels.cache.has(post.id)).toBe(false);
    expect(emu.message(post.id)).toBeUndefined();
  });
});
