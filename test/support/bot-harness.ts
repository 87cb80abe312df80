import { Writable } from "node:stream";
import type { Client } from "discord.js";
import { Events } from "discord.js";
import type { EngineDeps } from "../../src/answer/engine/answer-question.ts";
import { createDiscordClient } from "../../src/discord/create-client.ts";
import { attachHandlers } from "../../src/discord/handlers.ts";
import { LoadControl, type LoadControlOptions } from "../../src/discord/load-control.ts";
import type { ReviewSettings } from "../../src/discord/review/review-desk.ts";
import { type DiscordEmulator, startDiscordEmulator } from "../../src/discord-emulator/emulator.ts";
import type { EmulatorUser, Message } from "../../src/discord-emulator/types.ts";
import { createLogger } from "../../src/log.ts";

export const BOT: EmulatorUser = { id: "900000000000000001", username: "docent", bot: true };
export const ALICE: EmulatorUser = { id: "100000000000000001", username: "alice" };
export const BOB: EmulatorUser = { id: "100000000000000002", username: "bob" };
export const OTHER_BOT: EmulatorUser = { id: "100000000000000003", username: "otherbot", bot: true };
export const MOD: EmulatorUser = { id: "100000000000000004", username: "mod" };
export const REVIEW = "400000000000000003";
export const MOD_ROLE = "500000000000000002";
/** Discord's Manage Messages permission bit, as the string interactions carry. */
export const MANAGE_MESSAGES = String(1n << 13n);
export const GUILD = "300000000000000001";
export const GENERAL = "400000000000000001";
export const OFF_LIMITS = "400000000000000002";
export const ADMINS_ROLE = "500000000000000001";
export const BOT_TOKEN = "test-bot-token";

/** The real bot (client + handlers) against a local Discord emulator; logs captured for inspection. */
export async function startBot(
  engine: EngineDeps,
  options: { load?: Partial<LoadControlOptions>; allowedChannels?: string[]; review?: ReviewSettings; describeStatus?: () => Promise<string> } = {},
) {
  const emulator: DiscordEmulator = await startDiscordEmulator({
    botToken: BOT_TOKEN,
    botUser: BOT,
    heartbeatIntervalMs: 200,
    guilds: [
      {
        id: GUILD,
        name: "Docent test",
        channels: [
          { id: GENERAL, name: "general" },
          { id: OFF_LIMITS, name: "off-topic" },
          { id: REVIEW, name: "docent-review" },
        ],
        roles: [
          { id: ADMINS_ROLE, name: "Admins" },
          { id: MOD_ROLE, name: "Moderators" },
        ],
        members: [{ user: ALICE }, { user: BOB }, { user: OTHER_BOT }, { user: MOD, roles: [MOD_ROLE] }],
      },
    ],
  });
  const logLines: string[] = [];
  const logger = createLogger(
    "info",
    new Writable({
      write: (chunk, _enc, done) => {
        logLines.push(String(chunk));
        done();
      },
    }),
  );
  const client: Client = createDiscordClient({ restApiUrl: emulator.restApiUrl, globalRequestsPerSecond: 1e9 });
  const load = new LoadControl({ cooldownMs: 0, maxConcurrent: 4, maxQueued: 20, ...options.load });
  attachHandlers(client, {
    engine,
    load,
    logger,
    allowedChannels: options.allowedChannels ? new Set(options.allowedChannels) : null,
    ...(options.review ? { review: options.review } : {}),
    ...(options.describeStatus ? { describeStatus: options.describeStatus } : {}),
  });
  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  await client.login(BOT_TOKEN);
  await ready;
  /** The bot's reply to a message: already there, or the next one to arrive (checked synchronously before waiting). */
  const replyTo = async (messageId: string, channelId: string): Promise<Message> => {
    const isReply = (m: Message) => m.author.id === BOT.id && m.message_reference?.message_id === messageId;
    const existing = emulator.messages(channelId).find(isReply);
    if (existing) return existing;
    const event = await emulator.waitFor<{ message: Message }>((e) => e.type === "message_create" && isReply(e.message), 8_000);
    return event.message;
  };
  return {
    emulator,
    client,
    logLines,
    /** A member mentions the bot in #general and the test waits for the bot's reply to that message. */
    async mention(author: EmulatorUser, text: string, extra: { replyTo?: string; channelId?: string } = {}) {
      const channelId = extra.channelId ?? GENERAL;
      const question = await emulator.sendUserMessage({
        channelId,
        author,
        content: `<@${BOT.id}> ${text}`,
        mentions: [BOT.id],
        ...(extra.replyTo ? { replyTo: extra.replyTo } : {}),
      });
      return { question, reply: await replyTo(question.id, channelId) };
    },
    replyTo,
    async stop() {
      await client.destroy();
      await emulator.close();
    },
  };
}
