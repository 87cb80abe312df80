import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answerQuestion } from "../src/answer/engine/answer-question.ts";
import { createLogger } from "../src/log.ts";
import { buildTestEngine } from "./support/engine.ts";
import { KNOWLEDGE_DIR } from "./support/fixtures.ts";

let built: Awaited<ReturnType<typeof buildTestEngine>>;
beforeAll(async () => {
  built = await buildTestEngine([KNOWLEDGE_DIR]);
});
afterAll(async () => {
  await built.close();
});

/** A logger at the most verbose level whose lines are kept in memory. */
function capturedLogger() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split("\n").filter(Boolean));
      done();
    },
  });
  return { logger: createLogger("trace", sink), lines };
}

describe("nothing from a question reaches a log", () => {
  it("logs a refused question with a code and counts, without any of its words or its card number", async () => {
    const { logger, lines } = capturedLogger();
    const question = "does data retention cover zorbulated flimflam quaggywhistle snorkelberry? card 4111 1111 1111 1111 exp 11/27";
    const result = await answerQuestion({ ...built.engine, logger }, question);
    expect(result.refused).toBe(true);
    expect(result.reason).toMatch(/\(\d+ of \d+\)/);
    expect(lines.length).toBeGreaterThan(0);
    const refused = lines.map((line) => JSON.parse(line)).find((entry) => entry.event === "refused");
    expect(refused).toMatchObject({ code: "unknown-words", words: expect.any(Number), unknownWords: expect.any(Number) });
    for (const line of lines) {
      for (const word of ["zorbulat", "flimflam", "quaggy", "snorkel", "4111", "11/27"]) expect(line.toLowerCase()).not.toContain(word);
    }
    // What moderators see (beside the redacted question in the review channel) names what the pages never mention,
    // in the question's own words since issue 17, and never the redacted card number.
    expect(result.reason).toMatch(/not covered: .*zorbulated/);
    for (const secret of ["4111", "11/27"]) expect(result.reason).not.toContain(secret);
  });
});
