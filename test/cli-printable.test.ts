import { cp, mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KNOWLEDGE_DIR, tempDir, writePage } from "./support/fixtures.ts";
import { runScript } from "./support/run-script.ts";

/** A page whose text tries to set the window title, clear the screen, write the clipboard and use an 8-bit CSI. */
const HOSTILE =
  "Webhook delivery logs are kept for fourteen days \u001b]0;pwned\u0007 before deletion \u001b[2J\u001b[H and then removed \u001b]52;c;ZWNobyBvd25lZA==\u0007 for good \u009b31m every time.";
// Both the escape sequences and their bare control characters: nothing a terminal acts on may be printed raw.
const RAW_CONTROL = /[^\P{Cc}\n]/u;

let work: Awaited<ReturnType<typeof tempDir>>;
let knowledge: string;
let db: string;
beforeAll(async () => {
  work = await tempDir("docent-cli-printable-");
  knowledge = path.join(work.dir, "knowledge");
  db = path.join(work.dir, "db");
  // The shipped pages give the subject the refusal gate checks a question against.
  await cp(KNOWLEDGE_DIR, knowledge, { recursive: true });
  await writePage(
    knowledge,
    "webhooks.md",
    { title: "Webhooks \u001b]0;title\u0007 retention", url: "https://example.com/webhooks" },
    `## Webhook logs\n\n${HOSTILE}`,
  );
});
afterAll(() => work.cleanup());

describe("npm run ask prints nothing that drives the terminal", () => {
  it("in its readable answer and its progress lines", async () => {
    const result = await runScript("ask.ts", ["--db", db, "how long are webhook delivery logs kept?"], { KNOWLEDGE_DIR: knowledge });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/fourteen days/);
    expect(result.stdout).not.toMatch(RAW_CONTROL);
    expect(result.stderr).not.toMatch(RAW_CONTROL);
  });

  it("when the question itself carries escape sequences", async () => {
    const result = await runScript("ask.ts", ["--db", db, "webhook logs \u001b]0;asker\u0007 \u001b[2J kept?"], { KNOWLEDGE_DIR: knowledge });
    expect(result.code).toBe(0);
    expect(result.stdout).not.toMatch(RAW_CONTROL);
  });

  it("in its JSON, which still parses to the page's text", async () => {
    const result = await runScript("ask.ts", ["--db", db, "--json", "how long are webhook delivery logs kept?"], { KNOWLEDGE_DIR: knowledge });
    expect(result.code).toBe(0);
    expect(result.stdout).not.toMatch(RAW_CONTROL);
    const answer = JSON.parse(result.stdout) as { passages: Array<{ text: string }> };
    expect(answer.passages.some((p) => p.text.includes("\u009b31m"))).toBe(true);
  });
});

describe("npm run eval prints nothing that drives the terminal", () => {
  it("even when a question's id and text carry escape sequences", async () => {
    const gold = path.join(work.dir, "gold");
    await mkdir(gold, { recursive: true });
    await cp(path.join(KNOWLEDGE_DIR, "azure-openai.md"), path.join(gold, "x.md"));
    const questions = path.join(work.dir, "questions.jsonl");
    const row = {
      id: "q1\u001b]0;pwned\u0007\u001b[2J",
      kind: "answerable",
      question: "banana bread \u001b]52;c;ZWNobw==\u0007 recipe?",
      gold_docs: ["x.md"],
      gold_facts: [],
      gold_quote: "x",
    };
    await writeFile(questions, `${JSON.stringify(row)}\n`);
    const evalDb = path.join(work.dir, "eval-db");
    expect((await runScript("ingest.ts", ["--source", KNOWLEDGE_DIR, "--db", evalDb])).code).toBe(0);
    const result = await runScript("eval.ts", ["--db", evalDb, "--questions", questions, "--gold-dir", gold]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Failures:[\s\S]*q1/);
    expect(result.stdout).not.toMatch(RAW_CONTROL);
  });
});
