/**
 * `npm start` with SHARD_COUNT=2 against the local Discord emulator running two shards: discord.js's
 * ShardingManager, real shard processes, every mention answered exactly once by the shard that owns its guild,
 * through a shard reconnect and a shard crash.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { cp } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../src/config.ts";
import { createDiscordClient } from "../src/discord/create-client.ts";
import { type DiscordEmulator, startDiscordEmulator } from "../src/discord-emulator/emulator.ts";
import type { EmulatorUser, Message } from "../src/discord-emulator/types.ts";
import { ALICE, BOT } from "./support/bot-harness.ts";
import { KNOWLEDGE_DIR, tempDir } from "./support/fixtures.ts";
import { PROJECT_DIR, scriptArgs, scriptEnv } from "./support/run-script.ts";

const TOKEN = "sharding-test-token";
/** `(id >> 22) % 2`: guild A lands on shard 0, guild B on shard 1. */
const GUILD_A = "300000000000000001";
const GUILD_B = "300000000004194305";
const CHANNEL_A = "400000000000000011";
const CHANNEL_B = "400000000000000012";
const BOB: EmulatorUser = { id: "100000000000000002", username: "bob" };
/** After a reply, how long to watch for a second one. */
const QUIET_MS = 600;

let emulator: DiscordEmulator;
let work: Awaited<ReturnType<typeof tempDir>>;
let manager: ChildProcess;
let managerClosed: Promise<unknown>;
let logs = "";

interface LogLine {
  event?: string;
  shard?: number;
  pid?: number;
  id?: string;
  msg?: string;
}
const logLines = (): LogLine[] =>
  logs
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as LogLine);

async function until(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; logs:\n${logs.slice(-3000)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

beforeAll(async () => {
  work = await tempDir("docent-sharding-");
  emulator = await startDiscordEmulator({
    botToken: TOKEN,
    botUser: BOT,
    heartbeatIntervalMs: 500,
    shards: 2,
    guilds: [
      { id: GUILD_A, name: "A", channels: [{ id: CHANNEL_A, name: "general" }], members: [{ user: ALICE }, { user: BOB }] },
      { id: GUILD_B, name: "B", channels: [{ id: CHANNEL_B, name: "general" }], members: [{ user: ALICE }, { user: BOB }] },
    ],
  });
  expect([emulator.shardOf(GUILD_A), emulator.shardOf(GUILD_B)]).toEqual([0, 1]);
  const knowledge = path.join(work.dir, "knowledge");
  await cp(KNOWLEDGE_DIR, knowledge, { recursive: true });
  // No index yet: the manager builds it once, before the shards start.
  const env = scriptEnv({
    LOG_LEVEL: "info",
    DISCORD_TOKEN: TOKEN,
    DISCORD_API_URL: emulator.restApiUrl,
    SHARD_COUNT: "2",
    LANCEDB_URI: path.join(work.dir, "db"),
    KNOWLEDGE_DIR: knowledge,
    COOLDOWN_SECONDS: "0",
  });
  manager = spawn(process.execPath, scriptArgs("bot.ts"), {
    cwd: PROJECT_DIR,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  managerClosed = new Promise((resolve) => manager.once("close", resolve));
  manager.stdout!.on("data", (d) => (logs += d));
  manager.stderr!.on("data", (d) => (logs += d));
  await until(() => logLines().some((line) => line.event === "sharding_ready"), "all shards ready", 30_000);
}, 40_000);

afterAll(async () => {
  const shardPids = logLines()
    .filter((line) => line.event === "shard_spawn")
    .map((line) => line.pid!);
  if (manager && manager.exitCode === null) {
    manager.kill("SIGTERM");
    await managerClosed;
  }
  await emulator?.close();
  await work?.cleanup();
  // No shard outlives the manager.
  for (const pid of shardPids) expect(() => process.kill(pid, 0)).toThrow();
});

/** Mentions the bot in a channel and returns the replies to that message seen within QUIET_MS after the first. */
async function askAndCollect(channelId: string, author: EmulatorUser, text: string): Promise<{ question: Message; replies: Message[] }> {
  const replies: Message[] = [];
  let questionId = "";
  const listener = (event: { type: string; message?: Message }) => {
    if (event.type === "message_create" && event.message?.author.id === BOT.id && event.message.message_reference?.message_id === questionId)
      replies.push(event.message);
  };
  emulator.events.on("event", listener);
  try {
    const question = await emulator.sendUserMessage({ channelId, author, content: `<@${BOT.id}> ${text}`, mentions: [BOT.id] });
    questionId = question.id;
    await until(() => replies.length > 0, `a reply to ${question.id}`, 15_000);
    await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
    return { question, replies };
  } finally {
    emulator.events.off("event", listener);
  }
}

/** The shard whose gateway session was sent MESSAGE_CREATE for a message, and the shard that logged answering it. */
function whoHandled(messageId: string): { dispatchedTo: number[]; answeredBy: number[] } {
  const dispatchedTo = emulator
    .gatewaySessions()
    .filter((session) => session.dispatches.some((d) => d.t === "MESSAGE_CREATE" && d.id === messageId))
    .map((session) => session.shardId);
  const answeredBy = logLines()
    .filter((line) => line.event === "answered" && line.id === messageId)
    .map((line) => line.shard!);
  return { dispatchedTo, answeredBy };
}

describe("npm start with SHARD_COUNT=2 (discord.js ShardingManager) against a two-shard Discord emulator", () => {
  it("validates SHARD_COUNT: auto or a positive whole number", () => {
    expect(parseConfig({}).SHARD_COUNT).toBeUndefined();
    expect(parseConfig({ SHARD_COUNT: "" }).SHARD_COUNT).toBeUndefined();
    expect(parseConfig({ SHARD_COUNT: "auto" }).SHARD_COUNT).toBe("auto");
    expect(parseConfig({ SHARD_COUNT: "4" }).SHARD_COUNT).toBe(4);
    for (const bad of ["0", "-1", "1.5", "two"])
      expect(() => parseConfig({ SHARD_COUNT: bad })).toThrow(/SHARD_COUNT is invalid .*expected auto or a positive whole number/);
  });

  it("leaves the shard id and count to the manager's variables only in a managed shard", async () => {
    const saved = { SHARDS: process.env.SHARDS, SHARD_COUNT: process.env.SHARD_COUNT };
    try {
      delete process.env.SHARDS;
      // Docent's own setting (auto, or empty from a copied .env.example) must not reach an unmanaged client.
      for (const value of ["", "auto", "3"]) {
        process.env.SHARD_COUNT = value;
        const client = createDiscordClient();
        expect([client.options.shards, client.options.shardCount]).toEqual([[0], 1]);
        expect(process.env.SHARD_COUNT).toBe(value);
        await client.destroy();
      }
      Object.assign(process.env, { SHARDS: "1", SHARD_COUNT: "2" });
      const shard = createDiscordClient({ managedShard: true });
      expect([shard.options.shards, shard.options.shardCount]).toEqual([[1], 2]);
      await shard.destroy();
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it("built the index once, then started both shards, each with its own gateway session", async () => {
    expect(logs.match(/No index at .* yet: ingesting/g)).toHaveLength(1);
    // A shard's log line travels through its own pipe: it may arrive a little after the manager's "ready".
    await until(() => logLines().filter((line) => line.msg === "Docent is online").length >= 2, "both shards' online lines", 15_000);
    const online = logLines().filter((line) => line.msg === "Docent is online");
    expect(online.map((line) => line.shard).sort()).toEqual([0, 1]);
    const sessions = emulator.gatewaySessions();
    expect(
      sessions
        .filter((s) => s.connected)
        .map((s) => s.shardId)
        .sort(),
    ).toEqual([0, 1]);
  });

  it("answers a mention in a guild of each shard exactly once, from the shard that owns the guild", async () => {
    for (const [channelId, guildId] of [
      [CHANNEL_A, GUILD_A],
      [CHANNEL_B, GUILD_B],
    ] as const) {
      const { question, replies } = await askAndCollect(channelId, ALICE, "do you train on my API data?");
      expect(replies).toHaveLength(1);
      expect(replies[0]!.content).toMatch(/Sources/);
      const shard = emulator.shardOf(guildId);
      expect(whoHandled(question.id)).toEqual({ dispatchedTo: [shard], answeredBy: [shard] });
    }
    expect(logs).not.toContain("do you train on my API data");
  });

  it("keeps answering once after one shard is asked to reconnect (op 7) and resumes", async () => {
    const resumed = emulator.waitFor<{ shardId: number }>((event) => event.type === "gateway_connect" && event.resumed, 10_000);
    emulator.requestReconnect(1);
    expect((await resumed).shardId).toBe(1);
    for (const channelId of [CHANNEL_B, CHANNEL_A]) {
      const { question, replies } = await askAndCollect(channelId, BOB, "is data encrypted at rest?");
      expect(replies).toHaveLength(1);
      const shard = channelId === CHANNEL_B ? 1 : 0;
      expect(whoHandled(question.id)).toEqual({ dispatchedTo: [shard], answeredBy: [shard] });
    }
  });

  it("respawns a shard whose process is killed, and its guild is answered again, once", async () => {
    const onlineOf = (shard: number) => logLines().filter((line) => line.msg === "Docent is online" && line.shard === shard);
    const victim = onlineOf(1).at(-1)!.pid!;
    const reconnected = emulator.waitFor<{ shardId: number; resumed: boolean }>((event) => event.type === "gateway_connect" && !event.resumed, 25_000);
    process.kill(victim, "SIGKILL");
    await until(() => logLines().some((line) => line.event === "shard_death" && line.shard === 1 && line.pid === victim), "the manager to see shard 1 die");
    expect((await reconnected).shardId).toBe(1);
    await until(() => onlineOf(1).length === 2, "shard 1 to come back");
    const respawned = onlineOf(1).at(-1)!.pid!;
    expect(respawned).not.toBe(victim);
    // The manager hears of the new shard's readiness over IPC, a moment after the shard's own log line.
    await until(() => logLines().filter((line) => line.event === "shard_ready" && line.shard === 1).length === 2, "the manager to see shard 1 ready again");

    const { question, replies } = await askAndCollect(CHANNEL_B, ALICE, "how do I report a security vulnerability?");
    expect(replies).toHaveLength(1);
    expect(whoHandled(question.id)).toEqual({ dispatchedTo: [1], answeredBy: [1] });
    // Shard 0 was not disturbed.
    expect(onlineOf(0)).toHaveLength(1);
    const other = await askAndCollect(CHANNEL_A, BOB, "how long are API inputs kept for abuse monitoring?");
    expect(other.replies).toHaveLength(1);
  });
});
