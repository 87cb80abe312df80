import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { defaultScoringProfile, parseScoringProfile, SCORING_PROFILE_FILE, type ScoringProfile } from "../src/answer/extractive/scoring-profile.ts";
import {
  assignFolds,
  candidateProfiles,
  crossValidate,
  FITTED_GRID,
  fittedValues,
  metricsOf,
  objective,
  type QuestionScore,
  withValues,
} from "../src/eval/fit-profile.ts";

const score = (id: string, answerable: boolean, sure: boolean, right: boolean): QuestionScore => ({
  id,
  answerable,
  refused: false,
  sure,
  showsGold: right,
  firstGold: right,
});

describe("fitting the scoring profile", () => {
  it("scores trust the way tools/eval_contract.py does", () => {
    const m = metricsOf([score("a", true, true, true), score("b", true, true, false), score("c", true, false, true), score("u", false, true, false)]);
    expect(m.confidentPrecision).toBeCloseTo(1 / 3);
    expect(m.confidentCover).toBeCloseTo(1 / 3);
    expect(m.confidentUnans).toBe(1);
    expect(m.answerGold).toBeCloseTo(2 / 3);
  });

  it("prefers a candidate that is sure only when right", () => {
    const careful = [score("a", true, true, true), score("b", true, false, false), score("u", false, false, false)];
    const reckless = [score("a", true, true, true), score("b", true, true, false), score("u", false, true, false)];
    expect(objective(metricsOf(careful))).toBeGreaterThan(objective(metricsOf(reckless)));
  });

  it("chooses each fold's candidate without looking at that fold", () => {
    const ids = ["q1", "q2", "q3", "q4"];
    const foldOf = new Map(ids.map((id, i) => [id, i % 2]));
    // Candidate 0 is right only on fold 0's questions, candidate 1 only on fold 1's.
    const scores = [0, 1].map((c) => ids.map((id, i) => score(id, true, true, i % 2 === c)));
    const cv = crossValidate(scores, foldOf, 2);
    expect(cv.folds.map((f) => f.chosen)).toEqual([1, 0]);
    expect(cv.outOfFold.firstGold).toBe(0);
  });

  it("keeps rewordings in the fold of the question they reword, the same way every run", () => {
    const groupOf = (id: string) => id.replace(/-para$/, "");
    const ids = ["a", "a-para", "b", "b-para", "c", "d", "e"];
    const folds = assignFolds(ids, groupOf, 3, 17);
    expect(folds.get("a-para")).toBe(folds.get("a"));
    expect(folds.get("b-para")).toBe(folds.get("b"));
    expect(assignFolds(ids, groupOf, 3, 17)).toEqual(folds);
  });

  it("searches every combination of the grid and nothing else", () => {
    const start = defaultScoringProfile();
    const candidates = candidateProfiles(start);
    const combinations = Object.values(FITTED_GRID).reduce((n, values) => n * values.length, 1);
    expect(candidates).toHaveLength(combinations);
    for (const candidate of candidates) expect({ ...candidate.weights }).toEqual({ ...start.weights, ...pick(candidate, "weights") });
  });

  it("the committed profile is the grid candidate its provenance names, on top of the recorded start, with held-out scores", () => {
    const committed = parseScoringProfile(readFileSync(SCORING_PROFILE_FILE, "utf8"), SCORING_PROFILE_FILE);
    const provenance = committed.provenance as {
      start: Pick<ScoringProfile, "weights" | "limits" | "focus">;
      candidate: number;
      chosen: Record<string, number>;
      outOfFold: Record<string, number>;
      folds: unknown[];
    };
    const start = { ...committed, weights: provenance.start.weights, limits: provenance.start.limits, focus: provenance.start.focus };
    const candidate = candidateProfiles(start)[provenance.candidate]!;
    expect(fittedValues(candidate)).toEqual(provenance.chosen);
    expect(withValues(start, provenance.chosen)).toMatchObject({ weights: committed.weights, limits: committed.limits, focus: committed.focus });
    expect(Object.keys(provenance.outOfFold)).toEqual(expect.arrayContaining(["confidentPrecision", "confidentUnans", "confidentCover", "firstGold"]));
    expect(provenance.folds.length).toBeGreaterThan(1);
  });
});

/** The fitted values of a profile group, to compare with the start's. */
function pick(profile: ScoringProfile, group: "weights"): Partial<ScoringProfile["weights"]> {
  const fitted = Object.keys(FITTED_GRID).filter((name) => name.startsWith(`${group}.`));
  return Object.fromEntries(fitted.map((name) => [name.split(".")[1], profile[group][name.split(".")[1] as keyof ScoringProfile["weights"]]]));
}
