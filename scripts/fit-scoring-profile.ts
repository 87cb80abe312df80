/**
 * `npm run fit:scoring`: fits the extractive answerer's scoring profile (config/scoring-profile.json) on the
 * development questions by k-fold cross-validation, and prints the out-of-fold figures beside the starting profile's.
 *
 * It builds a scratch index of the shared corpus, answers every question (answerable and unanswerable; rewordings are
 * kept in their original's fold) once per candidate profile through the same engine `ask` uses — search runs once per
 * question and is remembered, since no profile value changes what is searched — and keeps the candidate best on all
 * questions (src/eval/fit-profile.ts). The profile records the data it came from (each file's SHA-256), the seed,
 * the candidates and the held-out scores, so the same run writes the same file.
 * Usage: npm run fit:scoring [-- --check] [--folds K] [--seed S]
 *   --check   fit, then compare with the committed profile instead of writing it (exit 1 if they differ)
 */
import "../src/cli/quiet-native-logs.ts";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { answerQuestion } from "../src/answer/engine/answer-question.ts";
import { createExtractiveAnswerer } from "../src/answer/extractive/extractive-answerer.ts";
import { parseScoringProfile, SCORING_PROFILE_FILE, type ScoringProfile } from "../src/answer/extractive/scoring-profile.ts";
import { parseArguments, runCli } from "../src/cli/run-cli.ts";
import {
  assignFolds,
  candidateProfiles,
  crossValidate,
  FITTED_GRID,
  type FitMetrics,
  fittedValues,
  metricsOf,
  type QuestionScore,
  scoreOf,
} from "../src/eval/fit-profile.ts";
import { type EvalQuestion, readQuestions } from "../src/eval/questions.ts";
import { runIngest } from "../src/ingest/run-ingest.ts";
import { ChunkStore } from "../src/retrieval/chunk-store.ts";
import { createLocalEmbedder } from "../src/retrieval/local-embedder.ts";
import type { Retriever } from "../src/retrieval/retrieval-types.ts";
import { createRetriever } from "../src/retrieval/retriever.ts";
import { defaultVocabulary } from "../src/retrieval/vocabulary.ts";

const PROJECT = path.resolve(import.meta.dirname, "..");
const CORPUS = path.resolve(PROJECT, "../shared/corpus");
const QUESTION_FILES = ["dev-questions.jsonl", "dev-paraphrases.jsonl", "dev-unanswerable.jsonl"];
const USAGE = "Usage: npm run fit:scoring [-- --check] [--folds K] [--seed S]";

runCli(async () => {
  const values = parseArguments(
    {
      options: {
        check: { type: "boolean", default: false },
        folds: { type: "string", default: "5" },
        seed: { type: "string", default: "17" },
      },
    },
    USAGE,
  ).values;
  const committed = parseScoringProfile(readFileSync(SCORING_PROFILE_FILE, "utf8"), SCORING_PROFILE_FILE);
  const settings = { folds: Number(values.folds), seed: Number(values.seed) };
  const fitted = await fitProfile(startProfile(committed), settings);
  const text = `${JSON.stringify(fitted, null, 2)}\n`;
  if (values.check) {
    const same = text === readFileSync(SCORING_PROFILE_FILE, "utf8");
    process.stdout.write(same ? "The committed profile is what this fit produces.\n" : "The committed profile differs from what this fit produces.\n");
    return same ? 0 : 1;
  }
  writeFileSync(SCORING_PROFILE_FILE, text);
  process.stdout.write(`Wrote ${path.relative(PROJECT, SCORING_PROFILE_FILE)}.\n`);
  return 0;
});

/** The fit starts from the committed profile's priors with its fitted values as they were before any fit. */
function startProfile(committed: ScoringProfile): ScoringProfile {
  const start = (committed.provenance.start as Partial<ScoringProfile> | undefined) ?? committed;
  return {
    ...committed,
    weights: { ...committed.weights, ...start.weights },
    limits: { ...committed.limits, ...start.limits },
    focus: { ...committed.focus, ...start.focus },
  };
}

async function fitProfile(start: ScoringProfile, settings: { folds: number; seed: number }): Promise<ScoringProfile> {
  const questions: EvalQuestion[] = [];
  const fileHashes: Record<string, string> = {};
  for (const file of QUESTION_FILES) {
    const full = path.join(CORPUS, file);
    fileHashes[file] = createHash("sha256").update(readFileSync(full)).digest("hex");
    questions.push(...(await readQuestions(full)).filter((q) => q.kind === "answerable" || q.kind === "unanswerable"));
  }
  const work = mkdtempSync(path.join(tmpdir(), "docent-fit-"));
  const store = await ChunkStore.open(path.join(work, "index"));
  try {
    const embedder = createLocalEmbedder();
    await runIngest({ store, embedder }, { sources: [path.join(CORPUS, "policies")], maxBytes: 5_000_000 });
    const retriever = remembering(await createRetriever(store, embedder, { mode: "fts", vectorWeight: 0 }));
    const vocabulary = defaultVocabulary();
    const candidates = candidateProfiles(start);
    const scores: QuestionScore[][] = [];
    for (const [i, profile] of candidates.entries()) {
      const answerer = createExtractiveAnswerer({ vocabulary, profile });
      const row: QuestionScore[] = [];
      for (const question of questions) row.push(scoreOf(question, await answerQuestion({ retriever, answerer, vocabulary, profile }, question.question)));
      scores.push(row);
      process.stderr.write(`\rcandidate ${i + 1}/${candidates.length}`);
    }
    process.stderr.write("\n");
    const foldOf = assignFolds(
      questions.map((q) => q.id),
      (id) => (questions.find((q) => q.id === id) as EvalQuestion & { paraphrase_of?: string }).paraphrase_of ?? id,
      settings.folds,
      settings.seed,
    );
    const cv = crossValidate(scores, foldOf, settings.folds);
    const startScores: QuestionScore[] = [];
    {
      const answerer = createExtractiveAnswerer({ vocabulary, profile: start });
      for (const question of questions)
        startScores.push(scoreOf(question, await answerQuestion({ retriever, answerer, vocabulary, profile: start }, question.question)));
    }
    const startCv = crossValidate([startScores], foldOf, settings.folds);
    printTable(startCv.outOfFold, cv.outOfFold, cv.folds);
    const best = candidates[cv.best]!;
    return {
      ...best,
      name: "extractive-v2 (fitted)",
      provenance: {
        method: `${settings.folds}-fold cross-validation (folds drawn with seed ${settings.seed}) over the ${candidates.length} combinations of the grid; the candidate best on all questions is kept`,
        script: "scripts/fit-scoring-profile.ts (npm run fit:scoring)",
        objective:
          "first_gold + answer_gold + 2·confident_cover + 0.5·refuse_unans, minus 4× any shortfall from confident_precision 0.90, refuse_ans 0.05, confident_unans 0.10 (src/eval/fit-profile.ts)",
        data: {
          corpus: "../shared/corpus/policies",
          questions: fileHashes,
          answerable: metricsOf(startScores).answerable,
          unanswerable: metricsOf(startScores).unanswerable,
        },
        grid: FITTED_GRID,
        priors: "every value not listed under fitted is a stated prior, carried unchanged from start",
        start: { weights: start.weights, limits: start.limits, focus: start.focus },
        candidate: cv.best,
        chosen: fittedValues(best),
        outOfFold: round(cv.outOfFold),
        startOutOfFold: round(startCv.outOfFold),
        folds: cv.folds.map((f) => ({ fold: f.fold, candidate: f.chosen, heldOut: round(f.heldOut) })),
        allQuestions: round(cv.all),
      },
    };
  } finally {
    store.close();
    rmSync(work, { recursive: true, force: true });
  }
}

/** Search once per question: no profile value changes what is searched, only how the passages are used. */
function remembering(retriever: Retriever): Retriever {
  const memo = new Map<string, ReturnType<Retriever["retrieve"]>>();
  return {
    ...retriever,
    retrieve(query, limit, options) {
      const key = JSON.stringify([query, limit, options ?? {}]);
      if (!memo.has(key)) memo.set(key, retriever.retrieve(query, limit, options));
      return memo.get(key)!.then((passages) => passages.map((p) => ({ ...p })));
    },
  };
}

function round(m: FitMetrics): FitMetrics {
  return Object.fromEntries(Object.entries(m).map(([k, v]) => [k, Math.round(v * 1000) / 1000])) as unknown as FitMetrics;
}

function printTable(start: FitMetrics, fitted: FitMetrics, folds: ReadonlyArray<{ fold: number; chosen: number; heldOut: FitMetrics }>): void {
  const keys = ["firstGold", "answerGold", "confidentPrecision", "confidentUnans", "confidentCover", "refuseAnswerable", "refuseUnanswerable"] as const;
  const lines = [
    "Out-of-fold (each question scored by a profile chosen without it):",
    `| profile | ${keys.join(" | ")} |`,
    `|---|${keys.map(() => "---").join("|")}|`,
  ];
  lines.push(`| start (baseline) | ${keys.map((k) => start[k].toFixed(3)).join(" | ")} |`);
  lines.push(`| fitted | ${keys.map((k) => fitted[k].toFixed(3)).join(" | ")} |`);
  for (const f of folds) lines.push(`| fold ${f.fold} held out (candidate ${f.chosen}) | ${keys.map((k) => f.heldOut[k].toFixed(3)).join(" | ")} |`);
  process.stdout.write(`${lines.join("\n")}\n`);
}
