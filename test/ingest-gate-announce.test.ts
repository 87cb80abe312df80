import { cp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { splitSections } from "../src/ingest/chunk.ts";
import { splitSentences } from "../src/answer/language/sentences.ts";
import { ChunkStore } from "../src/retrieval/chunk-store.ts";
import { type DiscordEmulator, startDiscordEmulator } from "../src/discord-emulator/emulator.ts";
import type { Message } from "../src/discord-emulator/types.ts";
import { ALICE, BOT, GUILD, REVIEW } from "./support/bot-harness.ts";
import { KNOWLEDGE_DIR, tempDir } from "./support/fixtures.ts";
import { runScript } from "./support/run-script.ts";

let work: Awaited<ReturnType<typeof tempDir>>;
let knowledge: string;
let questionsFile: string;

beforeAll(async () => {
  work = await tempDir("docent-gate-");
  knowledge = path.join(work.dir, "knowledge");
  await cp(KNOWLEDGE_DIR, knowledge, { recursive: true });
  // Questions with gold quotes taken from the pages themselves: each section's heading asks, its first sentence answers.
  const lines: string[] = [];
  for (const name of (await readdir(knowledge)).filter((n) => n.endsWith(".md")).sort()) {
    const body = (await readFile(path.join(knowledge, name), "utf8")).replace(/^---[\s\S]*?---/, "");
    for (const section of splitSections(body)
      .filter((s) => s.path.length >= 2)
      .slice(0, 2)) {
      const quote = splitSentences(section.body).find((s) => s.split(" ").length >= 8);
      if (quote)
        lines.push(
          JSON.stringify({ id: `${name}-${lines.length}`, kind: "answerable", question: `${section.path.at(-1)}?`, gold_docs: [name], gold_quote: quote }),
        );
    }
  }
  questionsFile = path.join(work.dir, "questions.jsonl");
  await writeFile(questionsFile, `${lines.join("\n")}\n`);
});
afterAll(() => work.cleanup());

async function liveVersion(db: string): Promise<number | null> {
  const store = await ChunkStore.open(db);
  try {
    return (await store.info())?.version ?? null;
  } finally {
    store.close();
  }
}

describe("ingest --gate", () => {
  it("publishes a version that scores well, then refuses a deliberately degraded corpus and keeps the live index", async () => {
    const db = path.join(work.dir, "db-gate");
    const first = await runScript("ingest.ts", ["--source", knowledge, "--db", db, "--gate", questionsFile, "--gate-min", "0.5", "--json"]);
    expect(first.code).toBe(0);
    const published = JSON.parse(first.stdout);
    expect(published.gate).toMatchObject({ passed: true, previous: null });
    expect(published.gate.candidate).toBeGreaterThanOrEqual(0.5);

    // Degrade: half of the pages lose their text.
    const degraded = path.join(work.dir, "degraded");
    await cp(knowledge, degraded, { recursive: true });
    const names = (await readdir(degraded)).filter((n) => n.endsWith(".md")).sort();
    for (const name of names.slice(0, Math.ceil(names.length / 2))) await rm(path.join(degraded, name));
    // --prune: the degraded copy is another folder, and the pages it lacks would otherwise only be listed.
    const refused = await runScript("ingest.ts", ["--source", degraded, "--prune", "--db", db, "--gate", questionsFile]);
    expect(refused.code).toBe(3);
    expect(refused.stdout).toMatch(
      /Gate failed: quote-hit@5 [\d.]+% is below the live version's [\d.]+%\. The new version was not published; the index stays at version \d+\./,
    );
    expect(await liveVersion(db)).toBe(published.version);
  });

  it("refuses even a first version below --gate-min", async () => {
    const db = path.join(work.dir, "db-min");
    const result = await runScript("ingest.ts", ["--source", knowledge, "--db", db, "--gate", questionsFile, "--gate-min", "1.01", "--json"]);
    expect(result.code).toBe(64);
    const tooHigh = await runScript("ingest.ts", ["--source", knowledge, "--db", db, "--gate", questionsFile, "--gate-min", "1", "--json"]);
    const summary = JSON.parse(tooHigh.stdout);
    if (summary.gate.candidate < 1) {
      expect(tooHigh.code).toBe(3);
      expect(summary).toMatchObject({ written: false, gate: { passed: false, reason: expect.stringMatching(/below the minimum 100\.0%/) } });
      expect(await liveVersion(db)).toBeNull();
    } else {
      expect(tooHigh.code).toBe(0);
    }
  });
});

describe("ingest --announce", () => {
  let emulator: DiscordEmulator;
  beforeAll(async () => {
    emulator = await startDiscordEmulator({
      botToken: "announce-token",
      botUser: BOT,
      guilds: [{ id: GUILD, channels: [{ id: REVIEW, name: "docent-review" }], members: [{ user: ALICE }] }],
    });
  });
  afterAll(() => emulator.close());

  it("posts the changelog of a changed page, with its changed section, to the review channel", async () => {
    const db = path.join(work.dir, "db-announce");
    const env = { DISCORD_TOKEN: "announce-token", DISCORD_API_URL: emulator.restApiUrl, REVIEW_CHANNEL_ID: REVIEW };
    expect((await runScript("ingest.ts", ["--source", knowledge, "--db", db], env)).code).toBe(0);
    const file = path.join(knowledge, "encryption-and-security-controls.md");
    const original = await readFile(file, "utf8");
    await writeFile(file, original.replace("AES-256", "AES-256 (checked yearly)"));
    const posted = emulator.waitFor<{ message: Message }>((e) => e.type === "message_create" && e.message.channel_id === REVIEW, 15_000);
    const result = await runScript("ingest.ts", ["--source", knowledge, "--db", db, "--announce"], env);
    await writeFile(file, original);
    expect(result.code).toBe(0);
    const { message } = await posted;
    expect(message.content).toMatch(/^\*\*Knowledge updated\*\* · index version \d+ → \d+/);
    expect(message.content).toMatch(/✏️ updated · \[Encryption and security controls for business data\]\(<https:\/\/openai\.com\/business-data\/>\)/);
    // The changed section with its changed words.
    expect(message.content).toMatch(/\n {2}-# [^\n]+: \+ \*\*\(checked yearly\)\*\*/);
    expect(message.allowed_mentions).toMatchObject({ parse: [] });
    expect(result.stdout).toMatch(/Changelog posted to the review channel/);
  });

  it("keeps the published index and exits as a success when the changelog cannot be posted", async () => {
    const db = path.join(work.dir, "db-announce-fails");
    // A channel the bot cannot post to: Discord answers 404 after the new version is already live.
    const env = { DISCORD_TOKEN: "announce-token", DISCORD_API_URL: emulator.restApiUrl, REVIEW_CHANNEL_ID: "499999999999999999" };
    const result = await runScript("ingest.ts", ["--source", knowledge, "--db", db, "--announce"], env);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/The new index is live \(version \d+\), but Could not post the changelog to channel 499999999999999999/);
    expect(result.stderr).not.toMatch(/^docent:/m);
  });

  it("refuses --announce up front when REVIEW_CHANNEL_ID is missing", async () => {
    const result = await runScript("ingest.ts", ["--source", knowledge, "--db", path.join(work.dir, "db-x"), "--announce"], {
      DISCORD_TOKEN: "announce-token",
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/REVIEW_CHANNEL_ID is missing: --announce/);
    expect(await liveVersion(path.join(work.dir, "db-x"))).toBeNull();
  });
});
