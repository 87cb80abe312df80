import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  Client,
  DiscordAPIError,
  Events,
  GatewayIntentBits,
  MessageFlags,
  ModalBuilder,
  TextInputBuilder,
  TextInputStyle,
} from "discord.js";
import type { ClientEvents, Message as DjsMessage, TextChannel } from "discord.js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { startDiscordEmulator } from "../src/discord-emulator/emulator.ts";
import type { DiscordEmulator, EmulatorEvent, EmulatorOptions, EmulatorUser } from "../src/discord-emulator/emulator.ts";

const TOKEN = "emulator-test-token";
const BOT: EmulatorUser = { id: "1100000000000000001", username: "docent", bot: true };
const ALICE: EmulatorUser = { id: "1100000000000000002", username: "alice", globalName: "Alice" };
const MOD: EmulatorUser = { id: "1100000000000000003", username: "mod" };
const GUILD_ID = "1200000000000000001";
const CHANNEL_ID = "1300000000000000001";
const MOD_ROLE = "1400000000000000001";

/** Fresh options per test: the emulator keeps references into them. */
function options(): EmulatorOptions {
  return {
    botToken: TOKEN,
    botUser: { ...BOT },
    heartbeatIntervalMs: 200,
    guilds: [
      {
        id: GUILD_ID,
        name: "Docent Test",
        channels: [
          { id: CHANNEL_ID, name: "support" },
          { id: "1300000000000000002", name: "general" },
        ],
        roles: [{ id: MOD_ROLE, name: "Moderator", permissions: String(1n << 13n) /* ManageMessages */ }],
        members: [{ user: { ...ALICE } }, { user: { ...MOD }, roles: [MOD_ROLE] }],
      },
    ],
  };
}

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

async function start(): Promise<{ emu: DiscordEmulator; client: Client; channel: TextChannel }> {
  const emu = await startDiscordEmulator(options());
  const client = new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
    rest: { api: emu.restApiUrl, globalRequestsPerSecond: 1e9, timeout: 5_000 },
  });
  active = { emu, client };
  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  await client.login(TOKEN);
  await ready;
  const channel = client.channels.cache.get(CHANNEL_ID) as TextChannel;
  return { emu, client, channel };
}

afterEach(async () => {
  if (active) {
    // Order matters: a client still connected when the server goes away starts reconnecting.
    await active.client.destroy();
    await active.emu.close();
    active = null;
  }
  expect(unhandled).toEqual([]);
  unhandled.length = 0;
});

/** Resolves with the next discord.js event matching the predicate, or fails after a timeout. */
function nextEvent<K extends keyof ClientEvents>(
  client: Client,
  event: K,
  predicate: (...args: ClientEvents[K]) => boolean = () => true,
  timeoutMs = 3_000,
): Promise<ClientEvents[K]> {
  return new Promise((resolve, reject) => {
    const listener = (...args: ClientEvents[K]): void => {
      if (!predicate(...args)) return;
      clearTimeout(timer);
      client.off(event, listener);
      resolve(args);
    };
    const timer = setTimeout(() => {
      client.off(event, listener);
      reject(new Error(`discord.js event ${String(event)} not received within ${timeoutMs} ms`));
    }, timeoutMs);
    client.on(event, listener);
  });
}

function buttonRow(...buttons: Array<{ id: string; label: string }>): ActionRowBuilder<ButtonBuilder> {
  return new ActionRowBuilder<ButtonBuilder>().addComponents(
    buttons.map((button) => new ButtonBuilder().setCustomId(button.id).setLabel(button.label).setStyle(ButtonStyle.Primary)),
  );
}

describe("discord emulator with the real discord.js client", () => {
  it("logs in, caches the guild, channels and members, and keeps heartbeating", async () => {
    const { emu, client } = await start();
    const guild = client.guilds.cache.get(GUILD_ID);
    expect(guild?.name).toBe("Docent Test");
    expect(guild?.channels.cache.get(CHANNEL_ID)?.name).toBe("support");
    expect(guild?.members.me?.id).toBe(BOT.id);
    expect(guild?.members.cache.get(MOD.id)?.roles.cache.has(MOD_ROLE)).toBe(true);
    expect(client.user?.id).toBe(BOT.id);
    expect(client.application?.id).toBe(BOT.id);
    // Heartbeats every 200 ms get ACKed: the client measures a ping and stays connected.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(client.ws.ping).toBeGreaterThanOrEqual(0);
    expect(client.isReady()).toBe(true);
    const requests = emu.history().filter((event) => event.type === "rest_request");
    expect(requests.map((event) => event.type === "rest_request" && `${event.method} ${event.path}`)).toContain("GET /gateway/bot");
  });

  it("delivers a user message with mentions, stores the bot's reply with message_reference, and sees typing", async () => {
    const { emu, client } = await start();
    client.on(Events.MessageCreate, async (message) => {
      if (message.author.bot || !message.mentions.users.has(BOT.id)) return;
      await message.channel.sendTyping();
      await message.reply({ content: `hello ${message.author.username}`, allowedMentions: { repliedUser: false } });
    });

    const received = nextEvent(client, Events.MessageCreate, (message) => !message.author.bot);
    const echo = nextEvent(client, Events.MessageCreate, (message) => message.author.id === BOT.id);
    const typing = emu.waitFor((event) => event.type === "typing");
    const sent = await emu.sendUserMessage({ channelId: CHANNEL_ID, author: ALICE, content: `<@${BOT.id}> how long do you keep logs?` });

    const [message] = await received;
    expect(message.content).toBe(`<@${BOT.id}> how long do you keep logs?`);
    expect(message.mentions.users.has(BOT.id)).toBe(true);
    expect(message.member?.id).toBe(ALICE.id);
    await expect(typing).resolves.toMatchObject({ channelId: CHANNEL_ID, userId: BOT.id });

    // Discord echoes the bot's own message back over the gateway.
    const [reply] = await echo;
    expect(reply.reference?.messageId).toBe(sent.id);
    const stored = emu.messages(CHANNEL_ID);
    expect(stored.map((m) => m.content)).toEqual([sent.content, "hello alice"]);
    expect(stored[1]?.message_reference).toMatchObject({ message_id: sent.id, channel_id: CHANNEL_ID });
    expect(stored[1]?.allowed_mentions).toEqual({ replied_user: false });
    // replied_user: false means the reply does not mention alice.
    expect(stored[1]?.mentions).toEqual([]);

    // A message without a mention still arrives, with no mentions.
    const plain = nextEvent(client, Events.MessageCreate, (m) => m.content === "just chatting");
    await emu.sendUserMessage({ channelId: CHANNEL_ID, author: MOD, content: "just chatting" });
    const [plainMessage] = await plain;
    expect(plainMessage.mentions.users.size).toBe(0);
  });

  it("runs a registered slash command: deferReply(ephemeral) then editReply, observed in order", async () => {
    const { emu, client } = await start();
    const registered = emu.waitFor((event) => event.type === "commands_registered");
    await client.application?.commands.set(
      [{ name: "ask", description: "Ask Docent", options: [{ name: "question", description: "q", type: 3, required: true }] }],
      GUILD_ID,
    );
    await registered;
    const commands = emu.registeredCommands(GUILD_ID) as Array<{ id: string; name: string }>;
    expect(commands.map((command) => command.name)).toEqual(["ask"]);

    const seen: Array<{ chat: boolean; commandId: string; question: string | null }> = [];
    client.on(Events.InteractionCreate, async (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      seen.push({ chat: true, commandId: interaction.commandId, question: interaction.options.getString("question") });
      await interaction.deferReply({ flags: MessageFlags.Ephemeral });
      await interaction.editReply(`You asked: ${interaction.options.getString("question")}`);
    });

    const edited = emu.waitFor((event) => event.type === "webhook_edit");
    const interaction = await emu.runSlashCommand({
      channelId: CHANNEL_ID,
      user: ALICE,
      name: "ask",
      options: [{ name: "question", type: 3, value: "retention?" }],
    });
    await edited;
    expect(seen).toEqual([{ chat: true, commandId: commands[0]?.id, question: "retention?" }]);

    const responses = emu.interactionResponses(interaction.id);
    expect(responses.map((r) => [r.kind, r.type])).toEqual([
      ["callback", 5],
      ["edit_original", undefined],
    ]);
    expect(responses[0]?.data).toEqual({ flags: 64 });
    const reply = emu.message(responses[1]?.messageId ?? "");
    expect(reply?.content).toBe("You asked: retention?");
    expect(reply?.flags).toBe(64); // ephemeral, no longer loading
    expect(reply?.interaction_metadata).toMatchObject({ id: interaction.id, user: { id: ALICE.id }, name: "ask" });
  });

  it("handles button clicks: update() edits the message, reply() + public followUp are stored", async () => {
    const { emu, client, channel } = await start();
    client.on(Events.InteractionCreate, async (interaction) => {
      if (!interaction.isButton()) return;
      if (interaction.customId === "resolve") {
        await interaction.update({ content: "Marked resolved", components: [] });
      } else if (interaction.customId === "share") {
        await interaction.reply({ content: "Only you see this", flags: MessageFlags.Ephemeral });
        await interaction.followUp({ content: "Posted publicly" });
      }
    });

    const posted = await channel.send({
      content: "Answer with buttons",
      components: [buttonRow({ id: "resolve", label: "Resolved" }, { id: "share", label: "Share" })],
    });
    expect(emu.message(posted.id)?.components[0]?.components?.map((c) => c.custom_id)).toEqual(["resolve", "share"]);

    const shared = emu.waitFor((event) => event.type === "webhook_followup");
    const share = await emu.clickButton({ channelId: CHANNEL_ID, messageId: posted.id, customId: "share", user: ALICE });
    await shared;
    const shareResponses = emu.interactionResponses(share.id);
    expect(shareResponses.map((r) => [r.kind, r.type, r.ephemeral])).toEqual([
      ["callback", 4, true],
      ["followup", undefined, false],
    ]);
    const publicMessage = emu.message(shareResponses[1]?.messageId ?? "");
    expect(publicMessage?.content).toBe("Posted publicly");
    expect(publicMessage?.interaction_metadata?.interacted_message_id).toBe(posted.id);

    const updated = nextEvent(client, Events.MessageUpdate, (_old, message) => message.id === posted.id);
    const resolve = await emu.clickButton({ channelId: CHANNEL_ID, messageId: posted.id, customId: "resolve", user: MOD });
    await updated;
    expect(emu.interactionResponses(resolve.id).map((r) => r.type)).toEqual([7]);
    expect(emu.message(posted.id)).toMatchObject({ content: "Marked resolved", components: [] });
    // The button is gone, so clicking it again is a test error, as it would be impossible on Discord.
    await expect(emu.clickButton({ channelId: CHANNEL_ID, messageId: posted.id, customId: "resolve", user: MOD })).rejects.toThrow(/no component "resolve"/);
  });

  it("opens a modal from a button and receives the submitted fields", async () => {
    const { emu, client, channel } = await start();
    client.on(Events.InteractionCreate, async (interaction) => {
      if (interaction.isButton() && interaction.customId === "feedback") {
        const modal = new ModalBuilder()
          .setCustomId("feedback-modal")
          .setTitle("Feedback")
          .addComponents(
            new ActionRowBuilder<TextInputBuilder>().addComponents(
              new TextInputBuilder().setCustomId("comment").setLabel("Comment").setStyle(TextInputStyle.Paragraph),
            ),
          );
        await interaction.showModal(modal);
      } else if (interaction.isModalSubmit()) {
        await interaction.reply({
          content: `Thanks: ${interaction.fields.getTextInputValue("comment")}`,
          flags: MessageFlags.Ephemeral,
        });
      }
    });

    const posted = await channel.send({ content: "Was this helpful?", components: [buttonRow({ id: "feedback", label: "Feedback" })] });
    const opened = emu.waitFor((event) => event.type === "interaction_callback" && event.callbackType === 9);
    await emu.clickButton({ channelId: CHANNEL_ID, messageId: posted.id, customId: "feedback", user: ALICE });
    await opened;

    const replied = emu.waitFor<Extract<EmulatorEvent, { type: "interaction_callback" }>>(
      (event) => event.type === "interaction_callback" && event.callbackType === 4,
    );
    const submit = await emu.submitModal({
      channelId: CHANNEL_ID,
      customId: "feedback-modal",
      user: ALICE,
      fields: { comment: "very clear" },
    });
    expect(submit.message?.id).toBe(posted.id);
    const callback = await replied;
    expect(emu.message(callback.messageId ?? "")).toMatchObject({ content: "Thanks: very clear", flags: 64 });
    await expect(emu.submitModal({ channelId: CHANNEL_ID, customId: "never-opened", user: ALICE, fields: {} })).rejects.toThrow(/never opened/);
  });

  it("survives op 7 RECONNECT: the client resumes and gets dispatches sent meanwhile exactly once", async () => {
    const { emu, client } = await start();
    const contents: string[] = [];
    client.on(Events.MessageCreate, (message) => {
      contents.push(message.content);
    });
    const resumed = emu.waitFor((event) => event.type === "gateway_connect" && event.resumed);
    emu.requestReconnect();
    // Sent while the client is switching sockets: delivered either live or by the RESUME replay.
    await emu.sendUserMessage({ channelId: CHANNEL_ID, author: ALICE, content: "during reconnect" });
    await resumed;
    const after = nextEvent(client, Events.MessageCreate, (message) => message.content === "after reconnect");
    await emu.sendUserMessage({ channelId: CHANNEL_ID, author: ALICE, content: "after reconnect" });
    await after;
    expect(contents).toEqual(["during reconnect", "after reconnect"]);
    const resumeRequests = emu.history().filter((event) => event.type === "gateway_connect");
    expect(resumeRequests.map((event) => event.type === "gateway_connect" && event.resumed)).toEqual([false, true]);
  });

  it("retries a scripted 429 (and a 500) on the message POST and the message lands once", async () => {
    const { emu, client, channel } = await start();
    const rateLimited: unknown[] = [];
    client.rest.on("rateLimited", (info) => rateLimited.push(info));
    emu.failNextRequest({ method: "POST", pathIncludes: `/channels/${CHANNEL_ID}/messages` }, { status: 429, retryAfterSeconds: 0.2 });
    const startedAt = Date.now();
    const sent = await channel.send("after the rate limit");
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(150);
    expect(rateLimited).toHaveLength(1);

    emu.failNextRequest({ method: "POST", pathIncludes: "/messages" }, { status: 429, retryAfterSeconds: 0.1, global: true });
    emu.failNextRequest({ pathIncludes: "/messages" }, { status: 500 });
    await channel.send("after a global limit and a server error");

    const statuses = emu
      .history()
      .filter((event) => event.type === "rest_request" && event.method === "POST" && event.route === "/channels/:channel/messages")
      .map((event) => event.type === "rest_request" && event.status);
    expect(statuses).toEqual([429, 200, 429, 500, 200]);
    expect(emu.messages(CHANNEL_ID).map((m) => m.content)).toEqual(["after the rate limit", "after a global limit and a server error"]);
    expect(emu.message(sent.id)?.author.id).toBe(BOT.id);
  });

  it("keeps an attached file and serves it at its attachment URL; pages history with before/limit; scripts a 403", async () => {
    const { emu, channel } = await start();
    const text = "# Report\nline with ünïcode ✓\n".repeat(50);
    const sent = await channel.send({ content: "see attached", files: [{ attachment: Buffer.from(text, "utf8"), name: "report.md" }] });
    const attachment = sent.attachments.first()!;
    expect(attachment.name).toBe("report.md");
    expect(attachment.size).toBe(Buffer.byteLength(text, "utf8"));
    expect(await (await fetch(attachment.url)).text()).toBe(text);
    expect((await fetch(attachment.url.replace(/attachments\/\d+/, "attachments/1"))).status).toBe(404);

    for (let i = 0; i < 4; i++) await channel.send(`m${i}`);
    const newest = await channel.messages.fetch({ limit: 2 });
    expect([...newest.values()].map((m) => m.content)).toEqual(["m3", "m2"]);
    const older = await channel.messages.fetch({ limit: 10, before: newest.lastKey()! });
    expect([...older.values()].map((m) => m.content)).toEqual(["m1", "m0", "see attached"]);

    emu.failNextRequest({ method: "GET", pathIncludes: `/channels/${CHANNEL_ID}/messages` }, { status: 403, code: 50001, message: "Missing Access" });
    await expect(channel.messages.fetch({ limit: 5, cache: false })).rejects.toMatchObject({ status: 403, code: 50001 });
  });

  it("rejects messages over Discord's limits with a 400 DiscordAPIError", async () => {
    const { emu, channel } = await start();
    const tooLong = await channel.send("x".repeat(2001)).catch((error: unknown) => error);
    expect(tooLong).toBeInstanceOf(DiscordAPIError);
    expect(tooLong).toMatchObject({ status: 400, code: 50035 });
    expect((tooLong as DiscordAPIError).rawError).toMatchObject({
      errors: { content: { _errors: [{ code: "BASE_TYPE_MAX_LENGTH" }] } },
    });

    const bigEmbed = await channel.send({ embeds: [{ title: "t", description: "d".repeat(4097) }] }).catch((error: unknown) => error);
    expect(bigEmbed).toMatchObject({ status: 400, code: 50035 });
    const tooManyEmbeds = await channel.send({ embeds: Array.from({ length: 11 }, (_, i) => ({ title: `e${i}` })) }).catch((error: unknown) => error);
    expect(tooManyEmbeds).toMatchObject({ status: 400, code: 50035 });
    await expect(channel.send("x".repeat(2000))).resolves.toBeDefined();
    expect(emu.messages(CHANNEL_ID)).toHaveLength(1);

    // Unknown routes answer Discord's 404 and are visible to tests.
    const unknown = emu.waitFor((event) => event.type === "rest_request" && event.status === 404);
    await expect(channel.messages.pin("123")).rejects.toMatchObject({ status: 404 });
    await expect(unknown).resolves.toMatchObject({ method: "PUT" });
  });

  it("edits and deletes bot messages through the API, dispatching updates and deletes", async () => {
    const { emu, client, channel } = await start();
    const sent: DjsMessage = await channel.send({ content: "draft", embeds: [{ title: "Answer", fields: [{ name: "Source", value: "policy" }] }] });
    const updated = nextEvent(client, Events.MessageUpdate, (_old, message) => message.id === sent.id);
    await sent.edit("final");
    await updated;
    expect(emu.message(sent.id)).toMatchObject({ content: "final", embeds: [{ title: "Answer" }] });
    expect(emu.message(sent.id)?.edited_timestamp).not.toBeNull();
    await sent.react("👍");
    expect(emu.message(sent.id)?.reactions).toEqual([{ emoji: { id: null, name: "👍" }, count: 1, me: true }]);
    const deleted = nextEvent(client, Events.MessageDelete, (message) => message.id === sent.id);
    await sent.delete();
    await deleted;
    expect(emu.messages(CHANNEL_ID)).toEqual([]);
  });

  it("refuses a wrong token on REST and on the gateway", async () => {
    const emu = await startDiscordEmulator(options());
    const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: emu.restApiUrl, globalRequestsPerSecond: 1e9 } });
    active = { emu, client };
    await expect(client.login("not-the-token")).rejects.toThrow();
    expect(emu.history().some((event) => event.type === "rest_request" && event.status === 401)).toBe(true);
  });

  it("speaks the raw gateway protocol: 4004 on a bad token, RESUME replays missed dispatches", async () => {
    const emu = await startDiscordEmulator(options());
    try {
      // `d` is whatever the emulator sent; the assertions below check its shape.
      type Frame = { op: number; s: number | null; t: string | null; d: any };
      const frames = (socket: WebSocket): Frame[] => {
        const list: Frame[] = [];
        socket.on("message", (data) => list.push(JSON.parse(String(data))));
        return list;
      };
      const until = async (check: () => boolean): Promise<void> => {
        for (let i = 0; i < 200 && !check(); i += 1) await new Promise((resolve) => setTimeout(resolve, 5));
        expect(check()).toBe(true);
      };

      const bad = new WebSocket(`${emu.gatewayUrl}?v=10&encoding=json`);
      const badClose = new Promise<number>((resolve) => bad.on("close", (code) => resolve(code)));
      bad.on("open", () => bad.send(JSON.stringify({ op: 2, d: { token: "wrong", intents: 0, properties: {} } })));
      expect(await badClose).toBe(4004);

      const first = new WebSocket(`${emu.gatewayUrl}?v=10&encoding=json`);
      const firstFrames = frames(first);
      await new Promise((resolve) => first.on("open", resolve));
      first.send(JSON.stringify({ op: 2, d: { token: TOKEN, intents: 0, properties: {} } }));
      await until(() => firstFrames.some((f) => f.t === "GUILD_CREATE"));
      expect(firstFrames[0]).toMatchObject({ op: 10, d: { heartbeat_interval: 200 } });
      const ready = firstFrames.find((f) => f.t === "READY");
      expect(ready).toMatchObject({ s: 1, d: { user: { id: BOT.id }, application: { id: BOT.id }, guilds: [{ id: GUILD_ID }] } });
      first.send(JSON.stringify({ op: 1, d: 2 }));
      await until(() => firstFrames.some((f) => f.op === 11));

      // Drop the connection the way discord.js does before resuming (4200), then miss a message.
      await new Promise((resolve) => {
        first.on("close", resolve);
        first.close(4200);
      });
      await emu.sendUserMessage({ channelId: CHANNEL_ID, author: ALICE, content: "missed" });

      const second = new WebSocket(`${ready?.d.resume_gateway_url}?v=10&encoding=json`);
      const secondFrames = frames(second);
      await new Promise((resolve) => second.on("open", resolve));
      second.send(JSON.stringify({ op: 6, d: { token: TOKEN, session_id: ready?.d.session_id, seq: 2 } }));
      await until(() => secondFrames.some((f) => f.t === "RESUMED"));
      expect(secondFrames.slice(1).map((f) => [f.s, f.t])).toEqual([
        [3, "MESSAGE_CREATE"],
        [4, "RESUMED"],
      ]);
      expect(secondFrames[1]?.d).toMatchObject({ content: "missed", member: { roles: [] }, author: { id: ALICE.id } });
      second.close(1000);
    } finally {
      await emu.close();
    }
  });
});
