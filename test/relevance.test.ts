import { describe, expect, it } from "vitest";
import { buildVocabulary, judgeRelevance } from "../src/retrieval/relevance.ts";

describe("judgeRelevance", () => {
  const vocabulary = buildVocabulary(["API inputs are retained for thirty days for abuse monitoring.", "Zero data retention is available to eligible customers."]);
  it("refuses when nothing was retrieved or the question has no searchable words", () => {
    expect(judgeRelevance("how long is data retained?", 0, vocabulary)).toMatchObject({ refuse: true, reason: "nothing retrieved" });
    expect(judgeRelevance("?? !!", 3, vocabulary)).toMatchObject({ refuse: true });
  });
  it("refuses when most of the question's words never occur in the index", () => {
    const verdict = judgeRelevance("good recipe for banana bread", 5, vocabulary);
    expect(verdict.refuse).toBe(true);
    expect(verdict.reason).toMatch(/banana/);
  });
  it("answers when the index speaks the question's language, stems included", () => {
    expect(judgeRelevance("do you retain API inputs for monitoring abuse?", 5, vocabulary)).toMatchObject({ refuse: false, knownShare: 1 });
  });
});
