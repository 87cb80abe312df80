import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChunkStore } from "../src/retrieval/chunk-store.ts";
import { startFakeOpenAI, type FakeOpenAI } from "./support/fake-openai-server.ts";
import { CORPUS_DIR, sharedCorpusAvailable, tempDir, writePage } from "./support/fixtures.ts";
import { runScript } from "./support/run-script.ts";

let work: Awaited<ReturnType<typeof tempDir>>;
let fake: FakeOpenAI;
beforeAll(async () => {
  work = await tempDir();
  fake = await startFakeOpenAI();
});
afterAll(async () => {
  await fake.close();
  await work.cleanup();
});

describe("npm run ingest", () => {
  it("prints one JSON summary and exits 1 when a file was skipped, 0 when all is well", async () => {
    const sources = path.join(work.dir, "kb");
    const db = path.join(work.dir, "db-json");
    await writePage(sources, "a.md", { title: "A", url: "https://example.com/a" }, "## One\n\nFirst page text.");
    await writeFile(path.join(sources, "broken.md"), "no front matter here");
    const first = await runScript("ingest.ts", ["--source", sources, "--db", db, "--json"]);
    expect(first.code).toBe(1);
    const summary = JSON.parse(first.stdout);
    expect(summary).toMatchObject({
      version: expect.any(Number),
      pages: { added: 1 },
      chunks: { added: 1 },
      errors: [{ file: "kb/broken.md", reason: expect.stringMatching(/front matter/) }],
    });

    await writePage(sources, "broken.md", { title: "B", url: "https://example.com/b" }, "## Two\n\nSecond page text.");
    const second = await runScript("ingest.ts", ["--source", sources, "--db", db, "--json"]);
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ pages: { added: 1, unchanged: 1 }, errors: [] });
  });

  it("stops on a bad setting with a message naming it, and no stack trace", async () => {
    const result = await runScript("ingest.ts", ["--db", path.join(work.dir, "db-bad")], { EMBEDDING_PROVIDER: "bert" });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/EMBEDDING_PROVIDER is invalid \(got "bert"\): expected local or openai/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("embeds through an OpenAI-compatible endpoint, retrying a 429 and a 500", async () => {
    const sources = path.join(work.dir, "kb-openai");
    await writePage(sources, "a.md", { title: "A", url: "https://example.com/a" }, "## One\n\nFirst page text.");
    fake.script("embeddings", { kind: "status", status: 429, retryAfterSeconds: 0 }, { kind: "status", status: 500 });
    const before = fake.requests.length;
    const result = await runScript("ingest.ts", ["--source", sources, "--db", path.join(work.dir, "db-openai"), "--json"], {
      EMBEDDING_PROVIDER: "openai",
      OPENAI_BASE_URL: fake.baseURL,
      OPENAI_API_KEY: "sk-test",
      OPENAI_EMBEDDING_MODEL: "fake-embed",
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).chunks.added).toBe(1);
    // one dimension probe, retried twice, then the batch
    expect(fake.requests.length - before).toBe(4);
  });

  it.runIf(sharedCorpusAvailable())("leaves the live index exactly as before when the process is killed mid-ingest", async () => {
    const db = path.join(work.dir, "db-kill");
    const sources = path.join(work.dir, "kb-kill");
    const env = { EMBEDDING_PROVIDER: "openai", OPENAI_BASE_URL: fake.baseURL, OPENAI_API_KEY: "sk-test", OPENAI_EMBEDDING_MODEL: "fake-embed" };
    await writePage(sources, "a.md", { title: "A", url: "https://example.com/a" }, "## One\n\nFirst page text.");
    expect((await runScript("ingest.ts", ["--source", sources, "--db", db], env)).code).toBe(0);
    const store = await ChunkStore.open(db);
    const before = await store.info();
    store.close();

    fake.setDefault("embeddings", { kind: "delay", ms: 150 });
    const killed = await runScript("ingest.ts", ["--source", sources, "--source", CORPUS_DIR, "--db", db], env, {
      onStderr: (text, kill) => {
        if (text.includes("Embedded 64/")) kill();
      },
    });
    fake.setDefault("embeddings", { kind: "ok" });
    expect(killed.code).toBeNull();
    const after = await ChunkStore.open(db);
    expect(await after.info()).toEqual(before);
    expect((await after.readAll()).map((r) => r.url)).toEqual(["https://example.com/a"]);
    after.close();
  });
});
