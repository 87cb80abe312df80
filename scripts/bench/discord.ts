/**
 * Discord benchmark: N mentions from M users sent at once through the local Discord emulator to the real bot
 * (discord.js client + handlers + answer engine over an index of knowledge/). Prints how many were answered,
 * turned away politely (busy/cooldown) or lost, mention-to-reply latency p50/p95, and peak RSS of the process
 * (which hosts the emulator too).
 * Usage: npm run bench:discord [-- --mentions 200 --users 50 --concurrent 4 --queue 50]
 */
import "../../src/cli/quiet-native-logs.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { createExtractiveAnswerer } from "../../src/answer/extractive/extractive-answerer.ts";
import { runIngest } from "../../src/ingest/run-ingest.ts";
import { ChunkStore } from "../../src/retrieval/chunk-store.ts";
import { createLocalEmbedder } from "../../src/retrieval/local-embedder.ts";
import { createRetriever } from "../../src/retrieval/retriever.ts";
import { startBot } from "../../test/support/bot-harness.ts";
import { BENCH_QUESTIONS, benchUsers, quantileMs } from "./mention-load.ts";

const { values } = parseArgs({
  options: {
    mentions: { type: "string", default: "200" },
    users: { type: "string", default: "50" },
    concurrent: { type: "string", default: "4" },
    queue: { type: "string", default: "50" },
  },
});
const N = Number(values.mentions);
const M = Number(values.users);

const work = mkdtempSync(path.join(tmpdir(), "docent-bench-discord-"));
const embedder = createLocalEmbedder();
const store = await ChunkStore.open(path.join(work, "db"));
await runIngest({ store, embedder }, { sources: [path.resolve(import.meta.dirname, "../../knowledge")], maxBytes: 1_000_000 });
const retriever = await createRetriever(store, embedder, { mode: "fts", vectorWeight: 0.3 });
const bot = await startBot(
  { retriever, answerer: createExtractiveAnswerer() },
  { load: { cooldownMs: 0, maxConcurrent: Number(values.concurrent), maxQueued: Number(values.queue) } },
);

try {
  const users = benchUsers(M);
  const started = performance.now();
  const results = await Promise.allSettled(
    Array.from({ length: N }, async (_, i) => {
      const t0 = performance.now();
      const { reply } = await bot.mention(users[i % M]!, BENCH_QUESTIONS[i % BENCH_QUESTIONS.length]!);
      return {
        ms: performance.now() - t0,
        kind:
          /Sources/.test(reply.content) || /don't cover/.test(reply.content)
            ? "answered"
            : /a lot of questions|asking quickly/.test(reply.content)
              ? "turned away"
              : "other",
      };
    }),
  );
  const wall = performance.now() - started;
  const ok = results.filter((r): r is PromiseFulfilledResult<{ ms: number; kind: string }> => r.status === "fulfilled").map((r) => r.value);
  const answered = ok
    .filter((r) => r.kind === "answered")
    .map((r) => r.ms)
    .sort((a, b) => a - b);
  const q = (p: number) => quantileMs(answered, p);
  console.log(
    `Discord benchmark: ${N} mentions from ${M} users at once; ${values.concurrent} answered concurrently, ${values.queue} queued at most (Node ${process.version})`,
  );
  console.table([
    {
      answered: answered.length,
      "turned away (notice)": ok.filter((r) => r.kind === "turned away").length,
      "other replies": ok.filter((r) => r.kind === "other").length,
      "no reply": results.length - ok.length,
      "p50 ms": q(0.5),
      "p95 ms": q(0.95),
      "wall s": (wall / 1000).toFixed(2),
      "answers/s": (answered.length / (wall / 1000)).toFixed(1),
      "peak RSS MB": (process.resourceUsage().maxRSS / 1024).toFixed(0),
    },
  ]);
} finally {
  await bot.stop();
  store.close();
  rmSync(work, { recursive: true, force: true });
}
