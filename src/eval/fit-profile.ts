import type { AnswerResult } from "../answer/answer-types.ts";
import type { ScoringProfile } from "../answer/extractive/scoring-profile.ts";
import { containsQuote } from "./metrics.ts";
import type { EvalQuestion } from "./questions.ts";

/**
 * Fitting the extractive answerer's scoring profile (scripts/fit-scoring-profile.ts runs it). Pure.
 *
 * Candidates are every combination of the grid below on top of the starting profile; every candidate answers every
 * development question once. Cross-validation then needs no further answering:
 * for each fold, the candidate with the best objective on the other folds is scored on the held-out fold, and the
 * out-of-fold figures are those held-out scores pooled. The committed profile is the candidate best on all questions.
 */

/**
 * The values a fit searches, each over a grid: the thresholds that decide between a confident answer, a hedged one
 * and a refusal, and how rare a word must be to count as focus. The lead's scoring weights are carried as stated
 * priors: a seeded random search over eleven of them (48 and 64 candidates) moved out-of-fold first_gold by no more
 * than the fold-to-fold spread, so they stay as set.
 */
export const FITTED_GRID = {
  "limits.uncertainBelow": [0.25, 0.3, 0.35, 0.4],
  "focus.confidentFocusCover": [0.5, 0.7, 1],
  "focus.confidentMaxMissing": [0.01, 0.5],
  "focus.refuseMissingShare": [0.75, 1.01],
  "focus.maxZipf": [3, 3.5],
} as const satisfies Record<string, readonly number[]>;

export type FittedName = keyof typeof FITTED_GRID;

/** What one question's answer came to, as the metrics need it. */
export interface QuestionScore {
  id: string;
  answerable: boolean;
  refused: boolean;
  /** Answered without a hedge. */
  sure: boolean;
  /** A shown quote / the first quote contains the gold passage (answerable questions only). */
  showsGold: boolean;
  firstGold: boolean;
}

/** One answer, scored as the metrics need it (the same hit rule as tools/eval_contract.py). */
export function scoreOf(question: EvalQuestion, result: AnswerResult): QuestionScore {
  const gold = question.gold_quote;
  return {
    id: question.id,
    answerable: question.kind === "answerable",
    refused: result.refused,
    sure: !result.refused && result.confidence !== "uncertain",
    showsGold: gold !== undefined && result.citations.some((c) => containsQuote(c.quote, gold)),
    firstGold: gold !== undefined && result.citations[0] !== undefined && containsQuote(result.citations[0].quote, gold),
  };
}

export interface FitMetrics {
  answerable: number;
  unanswerable: number;
  answerGold: number;
  firstGold: number;
  refuseAnswerable: number;
  refuseUnanswerable: number;
  confidentPrecision: number;
  confidentUnans: number;
  confidentCover: number;
}

export function metricsOf(scores: readonly QuestionScore[]): FitMetrics {
  const answerable = scores.filter((s) => s.answerable);
  const unanswerable = scores.filter((s) => !s.answerable);
  const sure = scores.filter((s) => s.sure);
  const sureRight = sure.filter((s) => s.answerable && s.showsGold).length;
  const share = (n: number, d: number) => (d === 0 ? 0 : n / d);
  return {
    answerable: answerable.length,
    unanswerable: unanswerable.length,
    answerGold: share(answerable.filter((s) => s.showsGold).length, answerable.length),
    firstGold: share(answerable.filter((s) => s.firstGold).length, answerable.length),
    refuseAnswerable: share(answerable.filter((s) => s.refused).length, answerable.length),
    refuseUnanswerable: share(unanswerable.filter((s) => s.refused).length, unanswerable.length),
    confidentPrecision: share(sureRight, sure.length),
    confidentUnans: share(unanswerable.filter((s) => s.sure).length, unanswerable.length),
    confidentCover: share(sureRight, answerable.length),
  };
}

/**
 * What a fit maximises: answers that show the gold passage (first and anywhere), confident answers that are right,
 * and, at half that weight, honest refusals of questions the pages don't answer ("The pages I have don't mention
 * FedRAMP" beats a hedged list of loosely related quotes); with the trust targets as hinges — below 0.90 confident precision, above 5% answerable questions refused, above 10%
 * unanswerable questions answered confidently, each point costs four times what a right answer earns.
 */
export function objective(m: FitMetrics): number {
  const hinge = (x: number) => Math.max(0, x);
  return (
    m.firstGold +
    m.answerGold +
    2 * m.confidentCover +
    0.5 * m.refuseUnanswerable -
    4 * hinge(0.9 - m.confidentPrecision) -
    4 * hinge(m.refuseAnswerable - 0.05) -
    4 * hinge(m.confidentUnans - 0.1)
  );
}

/** A small seeded generator (mulberry32): the same seed gives the same folds on every machine. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every combination of the grid's values, on top of the start profile, in a fixed order. */
export function candidateProfiles(start: ScoringProfile): ScoringProfile[] {
  let combos: Array<Partial<Record<FittedName, number>>> = [{}];
  for (const [name, values] of Object.entries(FITTED_GRID) as Array<[FittedName, readonly number[]]>) {
    combos = combos.flatMap((combo) => values.map((value) => ({ ...combo, [name]: value })));
  }
  return combos.map((combo) => withValues(start, combo));
}

/** The profile with the named values replaced ("weights.rankPrior" → profile.weights.rankPrior). */
export function withValues(profile: ScoringProfile, values: Partial<Record<FittedName, number>>): ScoringProfile {
  const next = structuredClone(profile);
  for (const [name, value] of Object.entries(values)) {
    const [group, key] = name.split(".") as ["weights" | "limits" | "focus", string];
    (next[group] as Record<string, number>)[key] = value!;
  }
  return next;
}

export function fittedValues(profile: ScoringProfile): Record<FittedName, number> {
  return Object.fromEntries(
    Object.keys(FITTED_GRID).map((name) => {
      const [group, key] = name.split(".") as ["weights" | "limits" | "focus", string];
      return [name, (profile[group] as Record<string, number>)[key]!];
    }),
  ) as Record<FittedName, number>;
}

/** Question ids in `folds` groups, by a seeded shuffle; rewordings go in the same fold as the question they reword. */
export function assignFolds(ids: readonly string[], groupOf: (id: string) => string, folds: number, seed: number): Map<string, number> {
  const groups = [...new Set(ids.map(groupOf))].sort();
  const random = seededRandom(seed);
  for (let i = groups.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [groups[i], groups[j]] = [groups[j]!, groups[i]!];
  }
  const foldOfGroup = new Map(groups.map((g, i) => [g, i % folds]));
  return new Map(ids.map((id) => [id, foldOfGroup.get(groupOf(id))!]));
}

export interface CrossValidation {
  /** Pooled held-out scores: each question scored by the candidate chosen without it. */
  outOfFold: FitMetrics;
  /** Per fold: the chosen candidate's index and its held-out metrics. */
  folds: Array<{ fold: number; chosen: number; heldOut: FitMetrics }>;
  /** The candidate best on all questions: the one committed. */
  best: number;
  all: FitMetrics;
}

/** `scores[c]` are candidate c's scores on every question, in the same order. */
export function crossValidate(scores: readonly (readonly QuestionScore[])[], foldOf: ReadonlyMap<string, number>, folds: number): CrossValidation {
  const bestOn = (keep: (s: QuestionScore) => boolean) => {
    let best = 0;
    let bestValue = -Infinity;
    scores.forEach((candidate, c) => {
      const value = objective(metricsOf(candidate.filter(keep)));
      if (value > bestValue + 1e-12) [best, bestValue] = [c, value];
    });
    return best;
  };
  const pooled: QuestionScore[] = [];
  const perFold: CrossValidation["folds"] = [];
  for (let fold = 0; fold < folds; fold++) {
    const chosen = bestOn((s) => foldOf.get(s.id) !== fold);
    const heldOut = scores[chosen]!.filter((s) => foldOf.get(s.id) === fold);
    pooled.push(...heldOut);
    perFold.push({ fold, chosen, heldOut: metricsOf(heldOut) });
  }
  const best = bestOn(() => true);
  return { outOfFold: metricsOf(pooled), folds: perFold, best, all: metricsOf(scores[best]!) };
}
