import { describe, expect, it } from "vitest";
import { buildTermStats, judgeRelevance } from "../src/retrieval/relevance.ts";

describe("judgeRelevance", () => {
  const stats = buildTermStats([
    "API inputs are retained for thirty days for abuse monitoring.",
    "Zero data retention is available to eligible API customers.",
    "API data is encrypted at rest and in transit; run mode checks twice a year.",
    "Customers own their API inputs and outputs.",
  ]);
  it("refuses when nothing was retrieved or the question has no searchable words", () => {
    expect(judgeRelevance("how long is data retained?", 0, stats)).toMatchObject({ refuse: true, reason: "nothing retrieved" });
    expect(judgeRelevance("?? !!", 3, stats)).toMatchObject({ refuse: true });
  });
  it("refuses when most of the question's words never occur in the index", () => {
    const verdict = judgeRelevance("what's a good recipe for banana bread", 5, stats);
    expect(verdict.refuse).toBe(true);
    expect(verdict).toMatchObject({ code: "unknown-words", words: 4, unknownWords: 4 });
    // The reason is shown to moderators and logged: counts only, never the question's words.
    expect(verdict.reason).toBe("most of the question's words are not in the pages (4 of 4)");
    expect(verdict.reason).not.toMatch(/banana|recipe|bread/);
  });
  it("refuses when the known words are incidental, none of the pages' subject vocabulary", () => {
    // On an index large enough for frequencies to mean something, subject words occur in at least 5% of passages.
    const large = buildTermStats([
      ...Array.from({ length: 60 }, (_, i) => `API inputs are retained for ${i + 1} days for abuse monitoring.`),
      "Each team may run a check twice.",
      "The dev mode is off.",
    ]);
    expect(judgeRelevance("why does my effect run twice in dev mode", 5, large)).toMatchObject({ refuse: true, reason: expect.stringMatching(/subject/) });
  });
  it("answers on a small index, where every word its pages use is their subject", () => {
    const small = buildTermStats(["Batch API input files are retained for 30 days.", "Output files are deleted after 30 days."]);
    expect(judgeRelevance("How long are batch API input files retained?", 2, small)).toMatchObject({ refuse: false });
  });
  it("answers when the index speaks the question's language, stems included", () => {
    expect(judgeRelevance("do you retain API inputs for monitoring abuse?", 5, stats)).toMatchObject({ refuse: false, knownShare: 1 });
  });
});
