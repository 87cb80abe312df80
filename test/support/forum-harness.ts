import { EventEmitter } from "node:events";
import { Writable } from "node:stream";
import { PermissionFlagsBits } from "discord-api-types/v10";
import { type Client, Events } from "discord.js";
import type { EngineDeps } from "../../src/answer/engine/answer-question.ts";
import type { ForumConfig } from "../../src/config.ts";
import { createDiscordClient } from "../../src/discord/create-client.ts";
import { ForumHealth } from "../../src/discord/forum/forum-health.ts";
import { attachHandlers } from "../../src/discord/handlers.ts";
import { LoadControl, type LoadControlOptions } from "../../src/discord/load-control.ts";
import type { ReviewSettings } from "../../src/discord/review/review-desk.ts";
import { type DiscordEmulator, startDiscordEmulator } from "../../src/discord-emulator/emulator.ts";
import type { Message } from "../../src/discord-emulator/types.ts";
import { DEFAULT_EVERYONE_PERMISSIONS } from "../../src/discord-emulator/payloads.ts";
import { createLogger } from "../../src/log.ts";
import { ALICE, BOB, BOT, BOT_TOKEN, GENERAL, MOD, MOD_ROLE, OTHER_BOT, REVIEW } from "./bot-harness.ts";

export const FORUM_GUILD = "300000000000000009";
export const HELP_FORUM = "410000000000000001";
export const OTHER_FORUM = "410000000000000002";
export const BOT_ROLE = "510000000000000001";
export const TAG = { answered: "420000000000000001", needsHuman: "420000000000000002", solved: "420000000000000003", billing: "420000000000000004" };

/** The bot over an emulator guild with two forums (#help-forum listed, #other-forum not), restartable in place. */
export async function startForumBot(
  engine: EngineDeps,
  options: {
    botCanManageThreads?: boolean;
    load?: Partial<LoadControlOptions>;
    settings?: Partial<ForumConfig>;
    review?: ReviewSettings;
    allowedChannels?: string[];
  } = {},
) {
  const botPermissions = DEFAULT_EVERYONE_PERMISSIONS | (options.botCanManageThreads === false ? 0n : PermissionFlagsBits.ManageThreads);
  const emulator: DiscordEmulator = await startDiscordEmulator({
    botToken: BOT_TOKEN,
    botUser: BOT,
    heartbeatIntervalMs: 200,
    guilds: [
      {
        id: FORUM_GUILD,
        name: "Docent forums",
        // The owner has every permission; the members under test must not.
        ownerId: MOD.id,
        channels: [
          { id: GENERAL, name: "general" },
          {
            id: HELP_FORUM,
            name: "help-forum",
            type: 15,
            availableTags: [
              { id: TAG.answered, name: "Answered by Docent" },
              { id: TAG.needsHuman, name: "Needs a human" },
              { id: TAG.solved, name: "Solved" },
              { id: TAG.billing, name: "billing" },
            ],
          },
          { id: OTHER_FORUM, name: "other-forum", type: 15 },
          { id: REVIEW, name: "docent-review" },
        ],
        roles: [
          { id: BOT_ROLE, name: "Docent", permissions: String(botPermissions) },
          { id: MOD_ROLE, name: "Moderators" },
        ],
        members: [{ user: BOT, roles: [BOT_ROLE] }, { user: ALICE }, { user: BOB }, { user: OTHER_BOT }, { user: MOD, roles: [MOD_ROLE] }],
      },
    ],
  });
  const logLines: string[] = [];
  const logged = new EventEmitter();
  const logger = createLogger(
    "info",
    new Writable({
      write: (chunk, _enc, done) => {
        logLines.push(String(chunk));
        logged.emit("line");
        done();
      },
    }),
  );
  /** Resolves once `count` log lines match (already written, or as they are written). */
  const logsMatching = (pattern: RegExp, count: number): Promise<void> =>
    new Promise((resolve) => {
      const check = () => {
        if (logLines.filter((line) => pattern.test(line)).length < count) return;
        logged.off("line", check);
        resolve();
      };
      logged.on("line", check);
      check();
    });
  const settings: ForumConfig = {
    forumChannelIds: new Set([HELP_FORUM]),
    forumAnsweredTag: "Answered by Docent",
    forumNeedsHumanTag: "Needs a human",
    forumSolvedTag: "Solved",
    forumArchiveOnSolved: false,
    ...options.settings,
  };
  const health = new ForumHealth(logger);
  const login = async (): Promise<Client> => {
    const client = createDiscordClient({ restApiUrl: emulator.restApiUrl, globalRequestsPerSecond: 1e9 });
    attachHandlers(client, {
      engine,
      load: new LoadControl({ cooldownMs: 0, maxConcurrent: 4, maxQueued: 100, ...options.load }),
      logger,
      allowedChannels: options.allowedChannels ? new Set(options.allowedChannels) : null,
      ...(options.review ? { review: options.review } : {}),
      describeStatus: async () => ["**Docent status**", ...health.statusLines(settings.forumChannelIds)].join("\n"),
      forum: { settings, health },
    });
    const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
    await client.login(BOT_TOKEN);
    await ready;
    return client;
  };
  let client = await login();

  const botRepliesTo = (threadId: string, messageId: string) =>
    emulator.messages(threadId).filter((m) => m.author.id === BOT.id && m.message_reference?.message_id === messageId);
  /** The bot's reply to a message in a thread: already there, or the next one to arrive. */
  const replyIn = async (threadId: string, messageId: string, timeoutMs = 8_000): Promise<Message> => {
    const isReply = (m: Message) => m.author.id === BOT.id && m.channel_id === threadId && m.message_reference?.message_id === messageId;
    // Checked and then awaited in the same synchronous step: no event can slip in between.
    const existing = botRepliesTo(threadId, messageId)[0];
    if (existing) return existing;
    return (await emulator.waitFor<{ message: Message }>((e) => e.type === "message_create" && isReply(e.message), timeoutMs)).message;
  };
  return {
    emulator,
    logLines,
    logsMatching,
    health,
    settings,
    get client() {
      return client;
    },
    botRepliesTo,
    replyIn,
    /** The bot goes down and comes back: a new client, nothing carried over but what Discord holds. */
    async restart() {
      await client.destroy();
      client = await login();
    },
    async stop() {
      await client.destroy();
      await emulator.close();
    },
  };
}
