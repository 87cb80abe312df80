/**
 * Sharding benchmark: mention throughput of `npm start` with SHARD_COUNT=1 and SHARD_COUNT=2 — the ShardingManager
 * and its shard processes, as in production — through the local Discord emulator (running 1 or 2 gateway shards,
 * in this process). N mentions from M users are sent at once, half in a guild of shard 0 and half in a guild of
 * shard 1 (with one shard both guilds are its). Prints, per shard count: answered, turned away (busy notice),
 * lost, mention-to-reply latency p50/p95, wall time and answers per second.
 * Each shard process answers MAX_CONCURRENT_ANSWERS (--concurrent) questions at once and queues --queue more.
 * Usage: npm run bench:shards [-- --mentions 400 --users 50 --concurrent 4 --queue 1000 --shards 1,2]
 */
import "../../src/cli/quiet-native-logs.ts";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { runIngest } from "../../src/ingest/run-ingest.ts";
import { ChunkStore } from "../../src/retrieval/chunk-store.ts";
import { createLocalEmbedder } from "../../src/retrieval/local-embedder.ts";
import { startDiscordEmulator } from "../../src/discord-emulator/emulator.ts";
import type { EmulatorEvent, EmulatorUser, Message } from "../../src/discord-emulator/types.ts";
import { scriptEnv } from "../../test/support/run-script.ts";
import { BENCH_QUESTIONS, benchUsers } from "./mention-load.ts";

const { values } = parseArgs({
  options: {
    mentions: { type: "string", default: "400" },
    users: { type: "string", default: "50" },
    concurrent: { type: "string", default: "4" },
    queue: { type: "string", default: "1000" },
    shards: { type: "string", default: "1,2" },
  },
});
const N = Number(values.mentions);
const M = Number(values.users);
const PROJECT_DIR = path.resolve(import.meta.dirname, "../..");
const TOKEN = "bench-shards-token";
const BOT: EmulatorUser = { id: "900000000000000001", username: "docent", bot: true };
/** `(id >> 22) % 2`: shard 0 and shard 1 of two. */
const GUILDS = [
  { id: "300000000000000001", channel: "400000000000000001" },
  { id: "300000000004194305", channel: "400000000000000002" },
];
const users: EmulatorUser[] = benchUsers(M);

const work = mkdtempSync(path.join(tmpdir(), "docent-bench-shards-"));
const db = path.join(work, "db");
{
  const store = await ChunkStore.open(db);
  await runIngest({ store, embedder: createLocalEmbedder() }, { sources: [path.join(PROJECT_DIR, "knowledge")], maxBytes: 1_000_000 });
  store.close();
}

async function run(shardCount: number): Promise<Record<string, string | number>> {
  const emulator = await startDiscordEmulator({
    botToken: TOKEN,
    botUser: BOT,
    shards: shardCount,
    guilds: GUILDS.map((guild, i) => ({
      id: guild.id,
      name: `Guild ${i}`,
      channels: [{ id: guild.channel, name: "general" }],
      members: users.map((user) => ({ user })),
    })),
  });
  let logs = "";
  let bot: ChildProcess | null = null;
  try {
    bot = spawn(process.execPath, ["--import", "tsx", path.join(PROJECT_DIR, "scripts/bot.ts")], {
      cwd: PROJECT_DIR,
      env: scriptEnv({
        LOG_LEVEL: "info",
        DISCORD_TOKEN: TOKEN,
        DISCORD_API_URL: emulator.restApiUrl,
        SHARD_COUNT: String(shardCount),
        LANCEDB_URI: db,
        COOLDOWN_SECONDS: "0",
        MAX_CONCURRENT_ANSWERS: values.concurrent,
        MAX_QUEUED_QUESTIONS: values.queue,
      }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    bot.stdout!.on("data", (d) => (logs += d));
    bot.stderr!.on("data", (d) => (logs += d));
    const deadline = Date.now() + 60_000;
    while (!logs.includes('"event":"sharding_ready"')) {
      if (Date.now() > deadline || bot.exitCode !== null) throw new Error(`shards did not start:\n${logs.slice(-2000)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    const sentAt = new Map<string, number>();
    const replies = new Map<string, { ms: number; content: string; count: number }>();
    const listener = (event: EmulatorEvent) => {
      if (event.type !== "message_create" || event.message.author.id !== BOT.id) return;
      const to = event.message.message_reference?.message_id;
      const t0 = to ? sentAt.get(to) : undefined;
      if (!to || t0 === undefined) return;
      const seen = replies.get(to);
      if (seen) seen.count += 1;
      else replies.set(to, { ms: performance.now() - t0, content: event.message.content, count: 1 });
    };
    emulator.events.on("event", listener);
    const started = performance.now();
    await Promise.all(
      Array.from({ length: N }, async (_, i) => {
        const guild = GUILDS[i % GUILDS.length]!;
        const t0 = performance.now();
        const question: Message = await emulator.sendUserMessage({
          channelId: guild.channel,
          author: users[i % M]!,
          content: `<@${BOT.id}> ${BENCH_QUESTIONS[i % BENCH_QUESTIONS.length]}`,
          mentions: [BOT.id],
        });
        sentAt.set(question.id, t0);
      }),
    );
    const waitUntil = Date.now() + 120_000;
    while (replies.size < N && Date.now() < waitUntil) await new Promise((resolve) => setTimeout(resolve, 20));
    const wall = performance.now() - started;
    // Watch a moment longer for duplicate replies.
    await new Promise((resolve) => setTimeout(resolve, 500));
    emulator.events.off("event", listener);

    const all = [...replies.values()];
    const answered = all.filter((r) => /Sources/.test(r.content) || /don't cover/.test(r.content));
    const ms = answered.map((r) => r.ms).sort((a, b) => a - b);
    const q = (p: number) => (ms[Math.min(ms.length - 1, Math.floor(p * ms.length))] ?? 0).toFixed(0);
    return {
      shards: shardCount,
      answered: answered.length,
      "turned away": all.filter((r) => /a lot of questions|asking quickly/.test(r.content)).length,
      "no reply": N - replies.size,
      "duplicate replies": all.reduce((sum, r) => sum + r.count - 1, 0),
      "p50 ms": q(0.5),
      "p95 ms": q(0.95),
      "wall s": (wall / 1000).toFixed(2),
      "answers/s": (answered.length / (wall / 1000)).toFixed(1),
    };
  } finally {
    if (bot && bot.exitCode === null) {
      const closed = new Promise((resolve) => bot!.once("close", resolve));
      bot.kill("SIGTERM");
      await closed;
    }
    await emulator.close();
  }
}

try {
  const rows = [];
  for (const count of values.shards.split(",").map(Number)) rows.push(await run(count));
  console.log(
    `Shard benchmark: ${N} mentions from ${M} users at once over 2 guilds; each shard process answers ${values.concurrent} at once, queues ${values.queue} (Node ${process.version})`,
  );
  console.table(rows);
} finally {
  rmSync(work, { recursive: true, force: true });
}
