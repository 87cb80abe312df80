/**
 * Forum benchmark: N new forum posts from M members opened at once in a listed forum, beside the baseline of N
 * mentions in a text channel, both through the local Discord emulator to the real bot (discord.js client, handlers,
 * answer engine over an index of knowledge/), with the same queue. Prints answered / turned away / lost and
 * question-to-reply latency p50/p95 for each. A post costs more Discord calls than a mention (its starter is fetched
 * when the thread comes first, and its tag is set after the answer).
 * Usage: npm run bench:forum [-- --posts 50 --users 50 --concurrent 4 --queue 50]
 */
import "../../src/cli/quiet-native-logs.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { createExtractiveAnswerer } from "../../src/answer/extractive/extractive-answerer.ts";
import type { Message } from "../../src/discord-emulator/types.ts";
import { runIngest } from "../../src/ingest/run-ingest.ts";
import { ChunkStore } from "../../src/retrieval/chunk-store.ts";
import { createLocalEmbedder } from "../../src/retrieval/local-embedder.ts";
import { createRetriever } from "../../src/retrieval/retriever.ts";
import { BOT, GENERAL } from "../../test/support/bot-harness.ts";
import { HELP_FORUM, startForumBot } from "../../test/support/forum-harness.ts";
import { BENCH_QUESTIONS, benchUsers, quantileMs } from "./mention-load.ts";

const { values } = parseArgs({
  options: {
    posts: { type: "string", default: "50" },
    users: { type: "string", default: "50" },
    concurrent: { type: "string", default: "4" },
    queue: { type: "string", default: "50" },
  },
});
const N = Number(values.posts);
const M = Number(values.users);

const work = mkdtempSync(path.join(tmpdir(), "docent-bench-forum-"));
const embedder = createLocalEmbedder();
const store = await ChunkStore.open(path.join(work, "db"));
await runIngest({ store, embedder }, { sources: [path.resolve(import.meta.dirname, "../../knowledge")], maxBytes: 1_000_000 });
const retriever = await createRetriever(store, embedder, { mode: "fts", vectorWeight: 0.3 });

type Outcome = { ms: number; kind: "answered" | "turned away" | "other" };
const kindOf = (content: string): Outcome["kind"] =>
  /Sources/.test(content) || /don't cover/.test(content) ? "answered" : /a lot of questions|asking quickly/.test(content) ? "turned away" : "other";

/** Runs N questions at once (as posts or as mentions) against a fresh bot; each resolves with its reply. */
async function run(as: "post" | "mention"): Promise<Record<string, string | number>> {
  const bot = await startForumBot(
    { retriever, answerer: createExtractiveAnswerer() },
    { load: { cooldownMs: 0, maxConcurrent: Number(values.concurrent), maxQueued: Number(values.queue) } },
  );
  try {
    const users = benchUsers(M);
    const replyTo = (channelId: string, messageId: string) =>
      bot.emulator.waitFor<{ message: Message }>(
        (e) =>
          e.type === "message_create" &&
          e.message.author.id === BOT.id &&
          e.message.channel_id === channelId &&
          e.message.message_reference?.message_id === messageId,
        120_000,
      );
    const started = performance.now();
    const results = await Promise.allSettled(
      Array.from({ length: N }, async (_, i): Promise<Outcome> => {
        const t0 = performance.now();
        const question = BENCH_QUESTIONS[i % BENCH_QUESTIONS.length]!;
        const author = users[i % M]!;
        let reply: Promise<{ message: Message }>;
        if (as === "post") {
          // The thread's id is only known once it exists, so listen for the reply right after creating it.
          const { thread, message } = await bot.emulator.createForumPost({ forumId: HELP_FORUM, author, title: `Question ${i}`, content: question });
          reply = replyTo(thread.id, message.id);
        } else {
          const message = await bot.emulator.sendUserMessage({ channelId: GENERAL, author, content: `<@${BOT.id}> ${question}`, mentions: [BOT.id] });
          reply = replyTo(GENERAL, message.id);
        }
        const { message } = await reply;
        return { ms: performance.now() - t0, kind: kindOf(message.content) };
      }),
    );
    const wall = performance.now() - started;
    const ok = results.filter((r): r is PromiseFulfilledResult<Outcome> => r.status === "fulfilled").map((r) => r.value);
    const answered = ok
      .filter((r) => r.kind === "answered")
      .map((r) => r.ms)
      .sort((a, b) => a - b);
    return {
      asked: as === "post" ? "forum posts" : "mentions (baseline)",
      answered: answered.length,
      "turned away (notice)": ok.filter((r) => r.kind === "turned away").length,
      "other replies": ok.filter((r) => r.kind === "other").length,
      "no reply": results.length - ok.length,
      "p50 ms": quantileMs(answered, 0.5),
      "p95 ms": quantileMs(answered, 0.95),
      "wall s": (wall / 1000).toFixed(2),
    };
  } finally {
    await bot.stop();
  }
}

try {
  // A first round warms the index and the JIT, so the two measured rounds start equal.
  await run("mention");
  const baseline = await run("mention");
  const posts = await run("post");
  console.log(
    `Forum benchmark: ${N} questions from ${M} members at once, as mentions and as forum posts; ${values.concurrent} answered concurrently, ${values.queue} queued at most (Node ${process.version})`,
  );
  console.table([baseline, posts]);
} finally {
  store.close();
  rmSync(work, { recursive: true, force: true });
}
