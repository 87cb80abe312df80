/**
 * `npm run bench:trust`: answer quality and trust on every development file (dev questions, their rewordings, the
 * unanswerable ones), for the v1 extractive answerer (the baseline) and today's answerer, in one run over one index
 * of the shared corpus; then how the rewordings fare beside the questions they reword, and the scoring profile's
 * out-of-fold figures as `npm run fit:scoring` recorded them. Writes its section of BENCHMARKS.md.
 * Usage: npm run bench:trust [-- --out FILE]
 */
import "../../src/cli/quiet-native-logs.ts";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import type { Answerer } from "../../src/answer/answer-types.ts";
import { answerQuestion } from "../../src/answer/engine/answer-question.ts";
import { createExtractiveAnswerer } from "../../src/answer/extractive/extractive-answerer.ts";
import { defaultScoringProfile } from "../../src/answer/extractive/scoring-profile.ts";
import { createLegacyExtractiveAnswerer } from "../../src/eval/legacy-extractive-answerer.ts";
import { metricsOf, type QuestionScore, scoreOf } from "../../src/eval/fit-profile.ts";
import { type EvalQuestion, readQuestions } from "../../src/eval/questions.ts";
import { runIngest } from "../../src/ingest/run-ingest.ts";
import { ChunkStore } from "../../src/retrieval/chunk-store.ts";
import { createLocalEmbedder } from "../../src/retrieval/local-embedder.ts";
import { createRetriever } from "../../src/retrieval/retriever.ts";
import { replaceSection } from "./benchmarks-file.ts";

const PROJECT = path.resolve(import.meta.dirname, "../..");
const CORPUS = path.resolve(PROJECT, "../shared/corpus");
const FILES = ["dev-questions.jsonl", "dev-paraphrases.jsonl", "dev-unanswerable.jsonl"];
const { values } = parseArgs({ options: { out: { type: "string", default: path.join(PROJECT, "BENCHMARKS.md") } } });

const work = mkdtempSync(path.join(tmpdir(), "docent-bench-trust-"));
const store = await ChunkStore.open(path.join(work, "index"));
try {
  const embedder = createLocalEmbedder();
  await runIngest({ store, embedder }, { sources: [path.join(CORPUS, "policies")], maxBytes: 5_000_000 });
  const retriever = await createRetriever(store, embedder, { mode: "fts", vectorWeight: 0 });
  const byFile = new Map<string, EvalQuestion[]>();
  for (const file of FILES)
    byFile.set(
      file,
      (await readQuestions(path.join(CORPUS, file))).filter((q) => q.kind === "answerable" || q.kind === "unanswerable"),
    );
  const answerers: Array<[string, Answerer]> = [
    ["v1 extractive (baseline)", createLegacyExtractiveAnswerer()],
    ["now (fitted profile)", createExtractiveAnswerer()],
  ];
  const scores = new Map<string, Map<string, QuestionScore>>();
  for (const [name, answerer] of answerers) {
    const mine = new Map<string, QuestionScore>();
    for (const questions of byFile.values()) {
      for (const q of questions) {
        mine.set(q.id, scoreOf(q, await answerQuestion({ retriever, answerer }, q.question)));
      }
    }
    scores.set(name, mine);
  }
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const lines = [
    "## Trust: confident answers on every dev file",
    "",
    `\`npm run bench:trust\` (${new Date().toISOString().slice(0, 10)}, Node ${process.version}): full-text retrieval over the shared corpus; "sure" means neither refused nor marked uncertain. These figures are on the questions the profile's thresholds were chosen on; the out-of-fold ones are below.`,
    "",
    "| file | answerer | answer_gold | first_gold | confident_precision | confident_unans | confident_cover | refuse_ans | refuse_unans |",
    "|---|---|---|---|---|---|---|---|---|",
  ];
  for (const file of [...FILES, "all files"]) {
    for (const [name] of answerers) {
      const ids = file === "all files" ? [...byFile.values()].flat().map((q) => q.id) : byFile.get(file)!.map((q) => q.id);
      const m = metricsOf(ids.map((id) => scores.get(name)!.get(id)!));
      const a = (x: number) => (m.answerable === 0 ? "-" : pct(x));
      const u = (x: number) => (m.unanswerable === 0 ? "-" : pct(x));
      lines.push(
        `| ${file} | ${name} | ${a(m.answerGold)} | ${a(m.firstGold)} | ${pct(m.confidentPrecision)} | ${u(m.confidentUnans)} | ${a(m.confidentCover)} | ${a(m.refuseAnswerable)} | ${u(m.refuseUnanswerable)} |`,
      );
    }
  }
  const paraphrases = byFile.get("dev-paraphrases.jsonl")! as Array<EvalQuestion & { paraphrase_of?: string }>;
  lines.push(
    "",
    "Rewordings beside the questions they reword (answer_gold, first_gold):",
    "",
    "| answerer | originals | rewordings | gap |",
    "|---|---|---|---|",
  );
  for (const [name] of answerers) {
    const mine = scores.get(name)!;
    const of = (ids: string[]) => metricsOf(ids.map((id) => mine.get(id)!));
    const originals = of(paraphrases.map((p) => p.paraphrase_of!).filter((id) => mine.has(id)));
    const reworded = of(paraphrases.map((p) => p.id));
    lines.push(
      `| ${name} | ${pct(originals.answerGold)}, ${pct(originals.firstGold)} | ${pct(reworded.answerGold)}, ${pct(reworded.firstGold)} | ${pct(reworded.answerGold - originals.answerGold)}, ${pct(reworded.firstGold - originals.firstGold)} |`,
    );
  }
  const provenance = defaultScoringProfile().provenance as { outOfFold?: Record<string, number>; startOutOfFold?: Record<string, number> };
  if (provenance.outOfFold && provenance.startOutOfFold) {
    const keys = ["firstGold", "answerGold", "confidentPrecision", "confidentUnans", "confidentCover", "refuseAnswerable", "refuseUnanswerable"];
    lines.push(
      "",
      "Out of fold (config/scoring-profile.json, written by `npm run fit:scoring`: each question answered by the profile chosen on the other four folds):",
      "",
      `| profile | ${keys.join(" | ")} |`,
      `|---|${keys.map(() => "---").join("|")}|`,
      `| hand-set start | ${keys.map((k) => pct(provenance.startOutOfFold![k] ?? 0)).join(" | ")} |`,
      `| fitted | ${keys.map((k) => pct(provenance.outOfFold![k] ?? 0)).join(" | ")} |`,
    );
  }
  const section = lines.join("\n");
  console.log(section);
  const previous = existsSync(values.out!) ? readFileSync(values.out!, "utf8") : "# Benchmarks\n";
  writeFileSync(values.out!, replaceSection(previous, "Trust: confident answers on every dev file", section));
} finally {
  store.close();
  rmSync(work, { recursive: true, force: true });
}
