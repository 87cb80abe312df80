import { cp } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeOpenAI } from "./support/fake-openai-server.ts";
import { CORPUS_DIR, DEV_QUESTIONS, KNOWLEDGE_DIR, sharedCorpusAvailable, tempDir } from "./support/fixtures.ts";
import { runScript } from "./support/run-script.ts";

let work: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  work = await tempDir("docent-ask-cli-");
});
afterAll(() => work.cleanup());

describe("npm run ask", () => {
  it("on a fresh folder, ingests the knowledge first and prints exactly one JSON object in the contract's shape", async () => {
    const knowledge = path.join(work.dir, "knowledge");
    await cp(KNOWLEDGE_DIR, knowledge, { recursive: true });
    const db = path.join(work.dir, "fresh-db");
    const result = await runScript("ask.ts", ["--db", db, "--json", "my email is jane@example.com — do you train on API data?"], { KNOWLEDGE_DIR: knowledge });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/No index at .* ingesting/);
    const lines = result.stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    const answer = JSON.parse(lines[0]!);
    expect(Object.keys(answer)).toEqual(expect.arrayContaining(["question", "answer", "refused", "mode", "citations", "passages", "timings"]));
    expect(answer.question).not.toContain("jane@example.com");
    expect(answer.refused).toBe(false);
    expect(answer.mode).toBe("extractive");
    expect(answer.citations[0]).toEqual({ n: expect.any(Number), title: expect.any(String), url: expect.stringMatching(/^https:/), quote: expect.any(String) });
    expect(answer.passages[0]).toEqual({
      id: expect.any(String),
      title: expect.any(String),
      url: expect.any(String),
      heading: expect.any(String),
      text: expect.any(String),
      score: expect.any(Number),
    });
    expect(answer.timings).toEqual({ retrieveMs: expect.any(Number), answerMs: expect.any(Number), totalMs: expect.any(Number) });

    const readable = await runScript("ask.ts", ["--db", db, "how long are API inputs kept for abuse monitoring?"], { KNOWLEDGE_DIR: knowledge });
    expect(readable.code).toBe(0);
    expect(readable.stderr).toBe("");
    expect(readable.stdout).toMatch(/\[1\]/);
    expect(readable.stdout).toMatch(/Sources:/);
  });

  it("with a chat model that answers 429 and Retry-After: 3600, answers extractively and exits", async () => {
    const fake = await startFakeOpenAI();
    try {
      fake.setDefault("chat", { kind: "status", status: 429, retryAfterSeconds: 3600 });
      const knowledge = path.join(work.dir, "knowledge-429");
      await cp(KNOWLEDGE_DIR, knowledge, { recursive: true });
      // Before the fix the process stayed alive for the SDK's hour-long sleep, and this test timed out.
      const result = await runScript("ask.ts", ["--db", path.join(work.dir, "db-429"), "--json", "do you train on API data?"], {
        KNOWLEDGE_DIR: knowledge,
        LLM_PROVIDER: "openai",
        OPENAI_BASE_URL: fake.baseURL,
        OPENAI_API_KEY: "sk-test",
        ANSWER_TIMEOUT_MS: "5000",
      });
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ mode: "extractive", refused: false, fallbackReason: expect.stringMatching(/HTTP 429/) });
    } finally {
      await fake.close();
    }
  });

  it("explains its usage when the question is missing", async () => {
    const result = await runScript("ask.ts", ["--json"]);
    expect(result.code).toBe(64);
    expect(result.stderr).toMatch(/No question given[\s\S]*Usage: npm run --silent ask/);
  });

  it("names the bad variable when configuration is wrong", async () => {
    const result = await runScript("ask.ts", ["question"], { RETRIEVAL_MODE: "semantic" });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/RETRIEVAL_MODE is invalid \(got "semantic"\): expected fts, vector or hybrid/);
  });
});

describe.runIf(sharedCorpusAvailable())("npm run eval on the shared corpus", () => {
  it("prints per-kind metrics as one JSON report", async () => {
    const db = path.join(work.dir, "corpus-db");
    expect((await runScript("ingest.ts", ["--source", CORPUS_DIR, "--db", db])).code).toBe(0);
    const result = await runScript("eval.ts", ["--db", db, "--questions", DEV_QUESTIONS, "--json"]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.kinds.answerable).toMatchObject({ n: 70, quoteHit1: expect.any(Number), quoteHit5: expect.any(Number), pageHit5: expect.any(Number) });
    expect(report.kinds.unanswerable.n).toBe(14);
    expect(report).toMatchObject({ refusalAnswerable: expect.any(Number), refusalUnanswerable: expect.any(Number), badCitations: 0, violations: 0 });
    expect(report.latencyMs.p50).toBeGreaterThan(0);
  });
});
