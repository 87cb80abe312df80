/**
 * Storage benchmark: the same table on local disk and on S3-compatible object storage (a throwaway radosgw on
 * 127.0.0.1 started by scripts/services/radosgw.sh, unless AWS_ENDPOINT/LANCEDB_BENCH_S3_URI name one), measuring
 *  1. retrieval latency (full-text, vector, hybrid; top 5; p50/p95) with the freshness check off (INDEX_REFRESH_MS
 *     large) and on before every search (INDEX_REFRESH_MS=0, the default);
 *  2. the freshness check alone (checkoutLatest + version), p50/p95.
 * Usage: npm run bench:storage [-- --rows 5000] [--queries 200]
 */
import "../../src/cli/quiet-native-logs.ts";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { parseConfig } from "../../src/config.ts";
import { readQuestions } from "../../src/eval/questions.ts";
import { runIngest } from "../../src/ingest/run-ingest.ts";
import { type ChunkRow, ChunkStore } from "../../src/retrieval/chunk-store.ts";
import { createLocalEmbedder } from "../../src/retrieval/local-embedder.ts";
import { createRetriever } from "../../src/retrieval/retriever.ts";
import type { RetrievalMode } from "../../src/retrieval/search.ts";
import { storageOptionsFor } from "../../src/retrieval/storage-options.ts";

const PROJECT = path.resolve(import.meta.dirname, "../..");
const { values } = parseArgs({
  options: {
    corpus: { type: "string", default: path.resolve(PROJECT, "../shared/corpus/policies") },
    questions: { type: "string", default: path.resolve(PROJECT, "../shared/corpus/dev-questions.jsonl") },
    rows: { type: "string", default: "5000" },
    queries: { type: "string", default: "200" },
  },
});

const embedder = createLocalEmbedder();
const work = mkdtempSync(path.join(tmpdir(), "docent-bench-storage-"));
const script = path.join(PROJECT, "scripts/services/radosgw.sh");
let radosgwDir: string | null = null;
let env: Record<string, string | undefined> = process.env;
if (!process.env.AWS_ENDPOINT) {
  const started = performance.now();
  const out = execFileSync("bash", [script, "start"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  const vars = Object.fromEntries(
    out
      .trim()
      .split("\n")
      .map((line) => line.split(/=(.*)/s).slice(0, 2) as [string, string]),
  );
  radosgwDir = vars.RADOSGW_DIR!;
  env = { ...process.env, ...vars, LANCEDB_BENCH_S3_URI: `s3://${vars.RADOSGW_BUCKET}/bench` };
  console.log(`radosgw started on ${vars.AWS_ENDPOINT} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

try {
  const config = parseConfig(env);
  const s3Uri = env.LANCEDB_BENCH_S3_URI ?? "s3://docent/bench";
  const questions = (await readQuestions(values.questions!)).map((q) => q.question);
  const queryCount = Number(values.queries);
  const queries = Array.from({ length: queryCount }, (_, i) => questions[i % questions.length]!);

  // The same rows everywhere: the corpus, repeated with fresh ids up to --rows.
  const seed = await ChunkStore.open(path.join(work, "seed"));
  await runIngest({ store: seed, embedder }, { sources: [values.corpus!], maxBytes: 5_000_000 });
  const base = await seed.readAll();
  seed.close();
  const rows: ChunkRow[] = [];
  for (let i = 0; rows.length < Number(values.rows); i++) {
    const row = base[i % base.length]!;
    rows.push({ ...row, id: `${row.id}~${i}`, url: `${row.url}#copy-${Math.floor(i / base.length)}` });
  }

  const table: string[] = ["| storage | mode | p50 no check | p95 no check | p50 check every query | p95 check every query |", "|---|---|---|---|---|---|"];
  const checks: string[] = ["| storage | freshness check p50 | p95 |", "|---|---|---|"];
  for (const [label, uri] of [
    ["local disk", path.join(work, "local")],
    ["radosgw (loopback)", s3Uri],
  ] as const) {
    const store = await ChunkStore.open(uri, { storageOptions: storageOptionsFor(uri, config) });
    const t0 = performance.now();
    await store.writeSnapshot(rows, embedder, { rebuild: true });
    console.log(`${label}: wrote ${rows.length} rows in ${((performance.now() - t0) / 1000).toFixed(1)} s (${(await store.indexes()).join(", ")})`);
    for (const mode of ["fts", "vector", "hybrid"] as RetrievalMode[]) {
      const timings: Record<string, number[]> = {};
      for (const refreshMs of [3_600_000, 0]) {
        const retriever = await createRetriever(store, embedder, { mode, vectorWeight: 0.3, refreshMs });
        for (const q of queries.slice(0, 10)) await retriever.retrieve(q, 5); // warm-up
        const times: number[] = [];
        for (const q of queries) {
          const started = performance.now();
          await retriever.retrieve(q, 5);
          times.push(performance.now() - started);
        }
        timings[refreshMs] = times;
      }
      table.push(
        `| ${label} | ${mode} | ${ms(timings[3_600_000]!, 0.5)} | ${ms(timings[3_600_000]!, 0.95)} | ${ms(timings[0]!, 0.5)} | ${ms(timings[0]!, 0.95)} |`,
      );
    }
    const t = store.requireTable();
    const times: number[] = [];
    for (let i = 0; i < queryCount; i++) {
      const started = performance.now();
      await t.checkoutLatest();
      await t.version();
      times.push(performance.now() - started);
    }
    checks.push(`| ${label} | ${ms(times, 0.5)} | ${ms(times, 0.95)} |`);
    store.close();
  }
  console.log(`\n## Query latency, local disk vs object storage (${rows.length} rows, ${queryCount} queries, top 5, local embedder)\n\n${table.join("\n")}`);
  console.log(`\n## The freshness check alone (what INDEX_REFRESH_MS saves per query)\n\n${checks.join("\n")}`);
} finally {
  rmSync(work, { recursive: true, force: true });
  if (radosgwDir) execFileSync("bash", [script, "stop", radosgwDir], { stdio: "ignore" });
}

function ms(values: number[], q: number): string {
  const sorted = [...values].sort((a, b) => a - b);
  return `${sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(1)} ms`;
}
