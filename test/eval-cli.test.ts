import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "./support/fixtures.ts";
import { runScript } from "./support/run-script.ts";

let work: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  work = await tempDir("docent-eval-cli-");
});
afterAll(() => work.cleanup());

describe("npm run eval on the shipped pages", () => {
  it("works out of the box: builds the index, scores knowledge-questions.jsonl and prints the answer metrics as JSON", async () => {
    const run = await runScript("eval.ts", ["--db", path.join(work.dir, "db"), "--json"]);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as {
      kinds: Record<string, { n: number; answerGold?: number; firstGold?: number }>;
      confidentPrecision: number;
      confidentUnans: number;
      badCitations: number;
    };
    expect(report.kinds.answerable?.n).toBeGreaterThanOrEqual(10);
    expect(report.kinds.unanswerable?.n).toBeGreaterThanOrEqual(3);
    expect(report.kinds.answerable?.answerGold).toBeGreaterThan(0.5);
    expect(report.confidentUnans).toBe(0);
    expect(report.badCitations).toBe(0);
  }, 120_000);
});
