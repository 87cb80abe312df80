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

  it("ingests the KNOWLEDGE_DIRS folders with no flags; a run over another folder alone lists what it would remove, exits 4 and changes nothing until --prune", async () => {
    const shipped = path.join(work.dir, "dirs-shipped");
    const own = path.join(work.dir, "dirs-own");
    const added = path.join(work.dir, "dirs-new");
    const db = path.join(work.dir, "db-dirs");
    await writePage(shipped, "a.md", { title: "Shipped", url: "https://example.com/shipped" }, "## One\n\nShipped page text.");
    await writePage(own, "b.md", { title: "Own", url: "https://example.com/own" }, "## Two\n\nOur own page text.");
    await writePage(added, "c.md", { title: "New", url: "https://example.com/new" }, "## Three\n\nA new page text.");
    const env = { KNOWLEDGE_DIRS: `${shipped}, ${own}` };
    const first = await runScript("ingest.ts", ["--db", db, "--json"], env);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ pages: { added: 2 } });

    const surprise = await runScript("ingest.ts", ["--db", db, "--source", added], env);
    expect(surprise.code).toBe(4);
    expect(surprise.stdout).toMatch(/Nothing written: this run would remove 2 page\(s\)/);
    expect(surprise.stdout).toContain("would remove Own <https://example.com/own> (from dirs-own/b.md)");
    expect(surprise.stdout).toContain("would remove Shipped <https://example.com/shipped> (from dirs-shipped/a.md)");
    const store = await ChunkStore.open(db);
    try {
      expect([...new Set((await store.readAll()).map((r) => r.url))].sort()).toEqual(["https://example.com/own", "https://example.com/shipped"]);
    } finally {
      store.close();
    }

    const pruned = await runScript("ingest.ts", ["--db", db, "--source", added, "--prune", "--json"], env);
    expect(pruned.code).toBe(0);
    expect(JSON.parse(pruned.stdout)).toMatchObject({ written: true, pages: { added: 1, removed: 2 } });
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
