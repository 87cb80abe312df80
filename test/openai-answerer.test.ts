import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { answerQuestion } from "../src/answer/engine/answer-question.ts";
import { buildTestEngine, openAIAnswererFor } from "./support/engine.ts";
import { type FakeOpenAI, startFakeOpenAI } from "./support/fake-openai-server.ts";
import { KNOWLEDGE_DIR } from "./support/fixtures.ts";

let fake: FakeOpenAI;
let built: Awaited<ReturnType<typeof buildTestEngine>>;
const QUESTION = "do you use my API data to train models?";

beforeAll(async () => {
  fake = await startFakeOpenAI();
  built = await buildTestEngine([KNOWLEDGE_DIR]);
});
afterAll(async () => {
  await built.close();
  await fake.close();
});
beforeEach(() => {
  fake.setDefault("chat", { kind: "chat", content: "" });
});

const askWith = (options: { timeout?: number; maxRetries?: number; deadlineMs?: number } = {}) =>
  answerQuestion(built.withAnswerer(openAIAnswererFor(fake.baseURL, options)), QUESTION);

describe("the OpenAI answerer through the real openai SDK and a local server", () => {
  it("uses a well-cited answer, renumbering markers into sources with verbatim quotes", async () => {
    fake.script("chat", {
      kind: "chat",
      content:
        "No: API data is not used for training by default [1].\n- Business and API data are excluded from training unless you opt in [1][2].\n- Feedback you choose to share may be used [2].",
    });
    const result = await askWith();
    expect(result.mode).toBe("openai");
    expect(result.fallbackReason).toBeUndefined();
    expect(result.answer).toMatch(/^No: API data is not used for training by default \[1\]\./);
    expect(result.citations.length).toBeGreaterThan(0);
    for (const c of result.citations) expect(result.passages.some((p) => p.url === c.url && p.text.includes(c.quote))).toBe(true);
    const request = fake.requests.at(-1)!.body;
    expect(request.messages[0].role).toBe("system");
    expect(request.messages[1].content).toContain('<passage n="1"');
  });

  it("falls back to the extractive answer when the model invents a citation", async () => {
    fake.script("chat", { kind: "chat", content: "Data is kept forever [9]." });
    const result = await askWith();
    expect(result).toMatchObject({ mode: "extractive", fallbackReason: expect.stringMatching(/\[9\]/) });
    expect(result.answer).not.toContain("forever");
    expect(result.citations.length).toBeGreaterThan(0);
  });

  it("falls back when the model writes a marker that only looks like a given passage's", async () => {
    fake.script("chat", { kind: "chat", content: "Not by default [1]. Details in [９] and [100]." });
    const result = await askWith();
    expect(result).toMatchObject({ mode: "extractive", fallbackReason: expect.stringMatching(/not given passages: \[９\] \[100\]/) });
  });

  it("falls back when the answer has no citation at all", async () => {
    fake.script("chat", { kind: "chat", content: "We never train on anything." });
    expect(await askWith()).toMatchObject({ mode: "extractive", fallbackReason: "chat answer had no citation" });
  });

  it("retries a 429 and then uses the answer", async () => {
    fake.script("chat", { kind: "status", status: 429, retryAfterSeconds: 0 }, { kind: "chat", content: "Not by default [1]." });
    const before = fake.requests.length;
    const result = await askWith();
    expect(result.mode).toBe("openai");
    expect(fake.requests.length - before).toBe(2);
  });

  it("falls back on a persistent 500 after its retries", async () => {
    fake.setDefault("chat", { kind: "status", status: 500 });
    const result = await askWith({ maxRetries: 1 });
    expect(result).toMatchObject({ mode: "extractive", fallbackReason: "chat model failed: HTTP 500" });
  });

  it("falls back when the model times out", async () => {
    fake.setDefault("chat", { kind: "delay", ms: 1_500 });
    const result = await askWith({ timeout: 200, maxRetries: 0 });
    expect(result).toMatchObject({ mode: "extractive", fallbackReason: "chat model failed: timed out" });
  });

  it("answers extractively once the overall deadline passes, however many tries the client would still make", async () => {
    fake.setDefault("chat", { kind: "hang" });
    const started = performance.now();
    // 20 s per try and 3 retries would take over a minute; the deadline covers them all.
    const result = await askWith({ timeout: 20_000, maxRetries: 3, deadlineMs: 400 });
    const elapsed = performance.now() - started;
    expect(result).toMatchObject({ mode: "extractive", fallbackReason: expect.stringMatching(/deadline passed \(400 ms, ANSWER_TIMEOUT_MS\)/) });
    expect(result.citations.length).toBeGreaterThan(0);
    expect(elapsed).toBeLessThan(400 + 2_000);
  });

  it("falls back on a malformed body", async () => {
    fake.setDefault("chat", { kind: "malformed" });
    const result = await askWith({ maxRetries: 0 });
    expect(result.mode).toBe("extractive");
    expect(result.fallbackReason).toMatch(/^chat model failed/);
  });

  it("strips a mass mention or foreign link that the model writes", async () => {
    fake.script("chat", { kind: "chat", content: "@everyone not by default [1]. Claim keys at https://evil.example.net/x [1]." });
    const result = await askWith();
    expect(result.mode).toBe("openai");
    expect(result.answer).not.toMatch(/@(everyone|here)\b/);
    expect(result.answer).not.toContain("evil.example.net");
  });

  it("gives up on a 429 asking for an hour at once, instead of sleeping past the deadline", async () => {
    fake.setDefault("chat", { kind: "status", status: 429, retryAfterSeconds: 3600 });
    const before = fake.requests.length;
    const result = await askWith({ maxRetries: 3, deadlineMs: 5_000 });
    expect(result).toMatchObject({ mode: "extractive", fallbackReason: "chat model failed: HTTP 429, retry after 3600 s" });
    expect(fake.requests.length - before).toBe(1);
  });

  it("does not run the guards over a 300 KB reply", async () => {
    const content = `Not by default [1].\n${"- Business and API data are excluded from training unless you opt in [1].\n".repeat(4_200)}`;
    expect(content.length).toBeGreaterThan(300_000);
    fake.script("chat", { kind: "chat", content });
    const result = await askWith();
    expect(result).toMatchObject({ mode: "extractive", fallbackReason: expect.stringMatching(/^chat reply too long \(\d+ characters/) });
  });

  it("does not take [9\\u200B] for a citation", async () => {
    fake.script("chat", { kind: "chat", content: "Not by default [1]. Data is kept forever [9\u200B]." });
    const result = await askWith();
    expect(result).toMatchObject({ mode: "extractive", fallbackReason: "chat answer had a marker written with invisible characters" });
    expect(result.answer).not.toContain("forever");
  });

  it("rejects bullets that carry no marker", async () => {
    fake.script("chat", { kind: "chat", content: "Not by default [1].\n- Data is kept forever.\n- Staff read every request." });
    const result = await askWith();
    expect(result).toMatchObject({ mode: "extractive", fallbackReason: "chat answer had 2 bullet(s) without a citation" });
  });
});
