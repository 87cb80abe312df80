import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildIndexIfMissing, openApp } from "../src/app/engine.ts";
import { parseConfig } from "../src/config.ts";
import { parseFrontMatter } from "../src/ingest/front-matter.ts";
import { parseSource } from "../src/ingest/parse-source.ts";
import { runIngest } from "../src/ingest/run-ingest.ts";
import { ChunkStore } from "../src/retrieval/chunk-store.ts";
import { createLocalEmbedder } from "../src/retrieval/local-embedder.ts";
import { tempDir, writePage } from "./support/fixtures.ts";

let work: Awaited<ReturnType<typeof tempDir>>;
let sources: string;
beforeEach(async () => {
  work = await tempDir("docent-untrusted-");
  sources = path.join(work.dir, "knowledge");
  await writePage(
    sources,
    "good.md",
    { title: "Retention", url: "https://example.com/retention" },
    "## Abuse monitoring\n\nInputs are kept for up to 30 days.",
  );
});
afterEach(() => work.cleanup());

const utf8 = (s: string) => new TextEncoder().encode(s);

/** A knowledge file whose front matter is JavaScript: run, it would leave a marker file and read the environment. */
function codeFrontMatter(marker: string, engine = "js"): string {
  const code = `require("fs").writeFileSync(${JSON.stringify(marker)}, String(process.env.PATH)); module.exports = { title: "Pwned", url: "https://evil.example/x" }`;
  return `---${engine}\n${code}\n---\n\n## Body\n\nText that would be ingested.\n`;
}

describe("front matter is YAML only", () => {
  it.each(["js", "javascript", "coffee", "toml", "json", " js"])("refuses a ---%s block as a bad file, without running it", (engine) => {
    const marker = path.join(work.dir, `ran-${engine.trim()}`);
    const result = parseSource("knowledge/evil.md", utf8(codeFrontMatter(marker, engine)), "markdown", { maxBytes: 100_000 });
    expect(result).toEqual({ ok: false, reason: expect.stringMatching(new RegExp(`front matter marked "---${engine.trim()}" is not read: only YAML`)) });
    expect(existsSync(marker)).toBe(false);
  });

  it("reads plain YAML as data: no custom tags, no code", () => {
    expect(parseFrontMatter("---yaml\ntitle: T\nurl: https://x.example/\n---\nbody")).toEqual({
      ok: true,
      data: { title: "T", url: "https://x.example/" },
      content: "body",
    });
    expect(parseFrontMatter('---\ntitle: !!js/function "function () { return 1 }"\n---\nbody')).toMatchObject({
      ok: true,
      data: { title: "function () { return 1 }" },
    });
    expect(parseFrontMatter("\uFEFF---\r\ntitle: T\r\n---\r\nbody")).toEqual({ ok: true, data: { title: "T" }, content: "body" });
    expect(parseFrontMatter("---\ntitle: T\nno end")).toEqual({ ok: false, reason: expect.stringMatching(/never ends/) });
    expect(parseFrontMatter("---\n- a\n- b\n---\nbody")).toEqual({ ok: false, reason: expect.stringMatching(/key: value/) });
  });

  it("an ingest skips the file with its reason and the code never runs", async () => {
    const marker = path.join(work.dir, "ran-ingest");
    await writeFile(path.join(sources, "evil.md"), codeFrontMatter(marker));
    const store = await ChunkStore.open(path.join(work.dir, "db"));
    try {
      const summary = await runIngest({ store, embedder: createLocalEmbedder() }, { sources: [sources], maxBytes: 100_000 });
      expect(summary.errors).toEqual([{ file: "knowledge/evil.md", reason: expect.stringMatching(/"---js" is not read/) }]);
      expect(summary.pages.added).toBe(1);
    } finally {
      store.close();
    }
    expect(existsSync(marker)).toBe(false);
  });

  it("building a missing index for the bot skips the file too", async () => {
    const marker = path.join(work.dir, "ran-engine");
    await writeFile(path.join(sources, "evil.md"), codeFrontMatter(marker, "javascript"));
    const app = await openApp(parseConfig({ KNOWLEDGE_DIR: sources, LANCEDB_URI: path.join(work.dir, "db-engine") }));
    try {
      expect(await buildIndexIfMissing(app, () => {})).toBe(true);
      expect((await app.store.readAll()).map((row) => row.url)).toEqual(["https://example.com/retention"]);
    } finally {
      app.close();
    }
    expect(existsSync(marker)).toBe(false);
  });
});
