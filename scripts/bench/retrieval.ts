/**
 * Retrieval benchmark. Prints, in one run:
 *  1. answer quality (answer_gold, first_gold, fact_recall, refusals) of the extractive answerer beside the v1
 *     extractive answerer, and the eval on the dev questions for each retrieval mode, beside a naive baseline (LangChain
 *     RecursiveCharacterTextSplitter 1000/200 and exact in-memory cosine over the same embedder);
 *  2. `ask` latency warm (in-process) and cold (a new CLI process per question), and a bare LanceDB
 *     full-text query on the same table for comparison;
 *  3. retrieval latency on a synthetic table grown to 100k chunks (full-text, vector, hybrid), with the
 *     indexes the store built automatically.
 * and writes the tables to BENCHMARKS.md.
 * Usage: npm run bench:retrieval [-- --rows 100000] [--cold 8]
 */
import "../../src/cli/quiet-native-logs.ts";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { RecursiveCharacterTextSplitter } from "@langchain/textsplitters";
import { answerQuestion } from "../../src/answer/engine/answer-question.ts";
import { createExtractiveAnswerer } from "../../src/answer/extractive/extractive-answerer.ts";
import { createLegacyExtractiveAnswerer } from "../../src/eval/legacy-extractive-answerer.ts";
import { containsQuote, type EvalReport, type QuestionOutcome, scoreOutcomes } from "../../src/eval/metrics.ts";
import { type EvalQuestion, readQuestions } from "../../src/eval/questions.ts";
import { renderAnswerComparison } from "../../src/eval/render-report.ts";
import { DEFAULT_CHUNK_OPTIONS } from "../../src/ingest/chunk.ts";
import { parseFrontMatter } from "../../src/ingest/front-matter.ts";
import { runIngest, textToEmbed } from "../../src/ingest/run-ingest.ts";
import { cleanQuery } from "../../src/retrieval/clean-query.ts";
import { type ChunkRow, ChunkStore } from "../../src/retrieval/chunk-store.ts";
import { createLocalEmbedder } from "../../src/retrieval/local-embedder.ts";
import { createRetriever } from "../../src/retrieval/retriever.ts";
import { type RetrievalMode, searchFullText } from "../../src/retrieval/search.ts";
import { keepOtherSections } from "./benchmarks-file.ts";

const PROJECT = path.resolve(import.meta.dirname, "../..");
const { values } = parseArgs({
  options: {
    corpus: { type: "string", default: path.resolve(PROJECT, "../shared/corpus/policies") },
    questions: { type: "string", default: path.resolve(PROJECT, "../shared/corpus/dev-questions.jsonl") },
    rows: { type: "string", default: "100000" },
    cold: { type: "string", default: "8" },
    out: { type: "string", default: path.join(PROJECT, "BENCHMARKS.md") },
  },
});

const embedder = createLocalEmbedder();
const work = mkdtempSync(path.join(tmpdir(), "docent-bench-retrieval-"));
const report: string[] = [
  `# Benchmarks\n\nLatest run of \`npm run bench:retrieval\` (${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${process.platform}/${process.arch}).`,
];
const print = (text: string) => {
  console.log(text);
  report.push(text);
};

try {
  const questions = await readQuestions(values.questions!);
  const goldUrls = await goldUrlMap(values.corpus!);
  const dbUri = path.join(work, "corpus");
  const store = await ChunkStore.open(dbUri);
  await runIngest({ store, embedder }, { sources: [values.corpus!], maxBytes: 5_000_000 });
  const rows = await store.readAll();
  const textsByUrl = new Map<string, string[]>();
  for (const row of rows) textsByUrl.set(row.url, [...(textsByUrl.get(row.url) ?? []), row.text]);

  // 1. Quality per mode, and the naive baseline.
  const quality: string[] = [
    "| method | quote@1 | quote@5 | page@5 | refused (answerable) | refused (unanswerable) | violations | bad citations |",
    "|---|---|---|---|---|---|---|---|",
  ];
  const warmLatencies: Record<string, number[]> = {};
  for (const mode of ["fts", "vector", "hybrid"] as RetrievalMode[]) {
    const retriever = await createRetriever(store, embedder, { mode, vectorWeight: 0.3 });
    // One unmeasured pass first, so JIT warm-up is not counted as the first mode's latency.
    for (const question of questions) await answerQuestion({ retriever, answerer: createExtractiveAnswerer() }, question.question);
    const outcomes: QuestionOutcome[] = [];
    for (const question of questions) {
      const started = performance.now();
      const result = await answerQuestion({ retriever, answerer: createExtractiveAnswerer() }, question.question);
      outcomes.push({ question, result, ms: performance.now() - started });
    }
    warmLatencies[mode] = outcomes.map((o) => o.ms);
    const r = scoreOutcomes(
      outcomes,
      (url) => textsByUrl.get(url) ?? [],
      (doc) => goldUrls.get(doc),
    );
    const a = r.kinds.answerable!;
    quality.push(
      `| ${mode}${mode === "fts" ? " (default)" : ""} | ${pct(a.quoteHit1)} | ${pct(a.quoteHit5)} | ${pct(a.pageHit5)} | ${pct(r.refusalAnswerable)} | ${pct(r.refusalUnanswerable)} | ${r.violations} | ${r.badCitations}/${r.citations} |`,
    );
  }
  // 1a. Answer quality: what the reader sees, beside the v1 extractive answerer on the same retrieval.
  const answerRows: Array<{ name: string; report: EvalReport }> = [];
  for (const [name, answerer] of [
    ["v1 extractive (baseline)", createLegacyExtractiveAnswerer()],
    ["answer-first extractive (now)", createExtractiveAnswerer()],
  ] as const) {
    const retriever = await createRetriever(store, embedder, { mode: "fts", vectorWeight: 0.3 });
    const outcomes: QuestionOutcome[] = [];
    for (const question of questions) outcomes.push({ question, result: await answerQuestion({ retriever, answerer }, question.question), ms: 0 });
    answerRows.push({
      name,
      report: scoreOutcomes(
        outcomes,
        (url) => textsByUrl.get(url) ?? [],
        (doc) => goldUrls.get(doc),
      ),
    });
  }
  const answerTable = renderAnswerComparison(answerRows);
  const naive = await naiveBaseline(values.corpus!, questions);
  quality.push(
    `| naive: RecursiveCharacterTextSplitter 1000/200 + exact cosine (same embedder) | ${pct(naive.hit1)} | ${pct(naive.hit5)} | - | - | - | - | - |`,
  );
  print(
    `\n## Answer quality on the dev questions (full-text retrieval; what the reader is shown)\n\n${answerTable}\n\nanswer_gold: a quote shown contains the gold sentence; first_gold: the first quote (the lead) does; fact_recall: gold facts whose words appear in the answer. Uncertain answers lead with a hedge and show the closest passages.`,
  );
  print(
    `\n## Retrieval quality on the dev questions (${questions.filter((q) => q.kind === "answerable").length} answerable, ${rows.length} chunks)\n\n${quality.join("\n")}`,
  );

  // 1b. Chunk size, the measurement behind DEFAULT_CHUNK_OPTIONS (full-text retrieval; halves guard against luck).
  const sizes: string[] = [`| chunk size / overlap | chunks | quote@1 | quote@5 | quote@5, odd half | quote@5, even half |`, "|---|---|---|---|---|---|"];
  for (const [chunkSize, chunkOverlap] of [
    [450, 60],
    [600, 80],
    [900, 120],
    [1200, 160],
  ] as const) {
    const sized = await ChunkStore.open(path.join(work, `size-${chunkSize}`));
    await runIngest({ store: sized, embedder }, { sources: [values.corpus!], maxBytes: 5_000_000, chunking: { chunkSize, chunkOverlap } });
    const retriever = await createRetriever(sized, embedder, { mode: "fts", vectorWeight: 0 });
    const hits = await Promise.all(
      questions
        .filter((q) => q.kind === "answerable" && q.gold_quote)
        .map(async (q) => {
          const top = await retriever.retrieve(cleanQuery(q.question), 5);
          return { at1: top[0] !== undefined && containsQuote(top[0].text, q.gold_quote!), at5: top.some((p) => containsQuote(p.text, q.gold_quote!)) };
        }),
    );
    const share = (list: typeof hits, key: "at1" | "at5") => list.filter((h) => h[key]).length / (list.length || 1);
    const odd = hits.filter((_, i) => i % 2 === 1);
    const even = hits.filter((_, i) => i % 2 === 0);
    sizes.push(
      `| ${chunkSize} / ${chunkOverlap}${chunkSize === DEFAULT_CHUNK_OPTIONS.chunkSize ? " (default)" : ""} | ${(await sized.info())?.rows} | ${pct(share(hits, "at1"))} | ${pct(share(hits, "at5"))} | ${pct(share(odd, "at5"))} | ${pct(share(even, "at5"))} |`,
    );
    sized.close();
  }
  print(`\n## Chunk size (full-text retrieval, dev questions)\n\n${sizes.join("\n")}`);

  // 2. Latency: warm answer vs a bare LanceDB full-text query on the same table, and cold CLI.
  const table = store.requireTable();
  const bare: number[] = [];
  for (const question of questions) await searchFullText(table, question.question.replace(/[^\p{L}\p{N}\s]/gu, " "), 5);
  for (const question of questions) {
    const started = performance.now();
    await searchFullText(table, question.question.replace(/[^\p{L}\p{N}\s]/gu, " "), 5);
    bare.push(performance.now() - started);
  }
  const cold: number[] = [];
  for (const question of questions.filter((q) => q.kind === "answerable").slice(0, Number(values.cold))) {
    const started = performance.now();
    const child = spawnSync(process.execPath, ["--import", "tsx", path.join(PROJECT, "scripts/ask.ts"), "--db", dbUri, "--json", question.question], {
      cwd: PROJECT,
      encoding: "utf8",
      env: { ...process.env, LANCEDB_LOG: "error" },
    });
    if (child.status !== 0) throw new Error(`ask failed: ${child.stderr}`);
    cold.push(performance.now() - started);
  }
  const latency = [
    "| measurement | p50 ms | p95 ms |",
    "|---|---|---|",
    `| bare LanceDB full-text query, top 5 | ${ms(bare, 0.5)} | ${ms(bare, 0.95)} |`,
    ...Object.entries(warmLatencies).map(([mode, l]) => `| warm answer, in-process (${mode}) | ${ms(l, 0.5)} | ${ms(l, 0.95)} |`),
    `| cold answer, \`ask --json\` CLI process (${cold.length} questions) | ${ms(cold, 0.5)} | ${ms(cold, 0.95)} |`,
  ];
  print(
    `\n## Answer latency (${rows.length} chunks)\n\n${latency.join("\n")}\n\nWarm fts answer p50 / bare full-text p50 = ${(quantile(warmLatencies.fts!, 0.5) / quantile(bare, 0.5)).toFixed(2)}x (target: within 3x).`,
  );
  store.close();

  // 3. Scale: a synthetic table grown to N chunks.
  const target = Number(values.rows);
  const scale: string[] = [
    "| rows | indexes | full-text p50/p95 ms | vector p50/p95 ms | hybrid p50/p95 ms | warm answer (fts) p50/p95 ms | build s |",
    "|---|---|---|---|---|---|---|",
  ];
  const bigUri = path.join(work, "synthetic");
  for (const size of [10_000, target].filter((n, i, all) => n <= target && all.indexOf(n) === i)) {
    const started = performance.now();
    const big = await ChunkStore.open(bigUri);
    await big.writeSnapshot(await syntheticRows(rows, size), embedder, { rebuild: true });
    const buildS = (performance.now() - started) / 1000;
    const times: Record<string, number[]> = { fts: [], vector: [], hybrid: [], answer: [] };
    for (const mode of ["fts", "vector", "hybrid"] as RetrievalMode[]) {
      const retriever = await createRetriever(big, embedder, { mode, vectorWeight: 0.3 });
      for (const question of questions.slice(0, 40)) {
        const t0 = performance.now();
        await retriever.retrieve(question.question, 5);
        times[mode]!.push(performance.now() - t0);
        if (mode === "fts") {
          const t1 = performance.now();
          await answerQuestion({ retriever, answerer: createExtractiveAnswerer() }, question.question);
          times.answer!.push(performance.now() - t1);
        }
      }
    }
    scale.push(
      `| ${size.toLocaleString("en")} | ${(await big.indexes()).join(", ")} | ${pair(times.fts!)} | ${pair(times.vector!)} | ${pair(times.hybrid!)} | ${pair(times.answer!)} | ${buildS.toFixed(1)} |`,
    );
    big.close();
  }
  print(
    `\n## Retrieval at scale (synthetic chunks made from the corpus, local embedder)\n\n${scale.join("\n")}\n\nA vector index (HNSW, cosine) is built automatically once a table has 10,000 rows or more; below that, vector search is an exact scan.`,
  );
  // Other benchmarks' sections (start-up time) stay as they are.
  writeFileSync(values.out!, keepOtherSections(existsSync(values.out!) ? readFileSync(values.out!, "utf8") : "", report.join("\n")));
  console.log(`\nWrote ${values.out}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}

async function naiveBaseline(corpusDir: string, questions: EvalQuestion[]) {
  const splitter = new RecursiveCharacterTextSplitter({ chunkSize: 1000, chunkOverlap: 200 });
  const chunks: string[] = [];
  for (const name of (await readdir(corpusDir)).filter((n) => n.endsWith(".md"))) {
    chunks.push(...(await splitter.splitText(frontMatterOf(await readFile(path.join(corpusDir, name), "utf8")).content)));
  }
  const vectors = await embedder.embed(chunks);
  const answerable = questions.filter((q) => q.kind === "answerable" && q.gold_quote);
  let hit1 = 0;
  let hit5 = 0;
  for (const question of answerable) {
    const [q] = await embedder.embed([question.question]);
    const ranked = vectors
      .map((v, i) => ({ i, s: dot(v, q!) }))
      .sort((a, b) => b.s - a.s)
      .slice(0, 5);
    if (containsQuote(chunks[ranked[0]!.i]!, question.gold_quote!)) hit1++;
    if (ranked.some((r) => containsQuote(chunks[r.i]!, question.gold_quote!))) hit5++;
  }
  return { hit1: hit1 / answerable.length, hit5: hit5 / answerable.length };
}

/** Corpus chunks repeated with their sentences rotated and ids made unique: realistic text, realistic vocabulary. */
async function syntheticRows(base: readonly ChunkRow[], size: number): Promise<ChunkRow[]> {
  const out: ChunkRow[] = [];
  for (let i = 0; out.length < size; i++) {
    const row = base[i % base.length]!;
    const copy = Math.floor(i / base.length);
    const sentences = row.text.split(/(?<=\.)\s+/);
    const rotated = [...sentences.slice(copy % sentences.length), ...sentences.slice(0, copy % sentences.length)].join(" ");
    const text = copy === 0 ? row.text : rotated;
    out.push({
      ...row,
      id: `${row.id}-${copy}`,
      url: copy === 0 ? row.url : `${row.url}#copy-${copy}`,
      text,
      searchText: textToEmbed({ ...row, text }),
      vector: row.vector,
    });
  }
  const batch = 2_000;
  for (let i = 0; i < out.length; i += batch) {
    const slice = out.slice(i, i + batch);
    const vectors = await embedder.embed(slice.map((r) => r.searchText));
    slice.forEach((r, j) => {
      r.vector = vectors[j]!;
    });
  }
  return out;
}

async function goldUrlMap(dir: string) {
  const map = new Map<string, string>();
  for (const name of (await readdir(dir)).filter((n) => n.endsWith(".md"))) {
    map.set(name, new URL(String(frontMatterOf(readFileSync(path.join(dir, name), "utf8")).data.url)).toString());
  }
  return map;
}

function frontMatterOf(text: string): { data: Record<string, unknown>; content: string } {
  const parsed = parseFrontMatter(text);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed;
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}
function ms(values: number[], q: number): string {
  return quantile(values, q).toFixed(1);
}
function pair(values: number[]): string {
  return `${ms(values, 0.5)} / ${ms(values, 0.95)}`;
}
function pct(x: number | undefined): string {
  return x === undefined ? "-" : `${(x * 100).toFixed(1)}%`;
}
