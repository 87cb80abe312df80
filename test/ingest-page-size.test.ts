import { mkdir } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { splitSections } from "../src/ingest/chunk.ts";
import { FRONT_MATTER_LIMITS, parseFrontMatter } from "../src/ingest/front-matter.ts";
import { MAX_HEADING_CHARS, MAX_TITLE_CHARS } from "../src/ingest/label-limits.ts";
import { parseSource } from "../src/ingest/parse-source.ts";
import { runIngest } from "../src/ingest/run-ingest.ts";
import { ChunkStore } from "../src/retrieval/chunk-store.ts";
import { createLocalEmbedder } from "../src/retrieval/local-embedder.ts";
import { tempDir, writePage } from "./support/fixtures.ts";

let work: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  work = await tempDir("docent-page-size-");
});
afterAll(async () => {
  await work.cleanup();
});

async function ingestOnce(sources: string, db: string, options: { maxPageBytes?: number } = {}) {
  const store = await ChunkStore.open(db);
  try {
    const summary = await runIngest({ store, embedder: createLocalEmbedder() }, { sources: [sources], maxBytes: 2_000_000, ...options });
    return { summary, rows: await store.readAll(), version: (await store.info())?.version ?? null };
  } finally {
    store.close();
  }
}

describe("a page's labels are bounded when it is parsed", () => {
  it("cuts a huge front-matter title and huge headings on every passage", async () => {
    const sources = path.join(work.dir, "labels");
    await mkdir(sources, { recursive: true });
    const long = "word ".repeat(40_000);
    const body = Array.from({ length: 6 }, (_, i) => `${"#".repeat(i + 1)} ${long}\n\nText under level ${i + 1} about retention.`).join("\n\n");
    await writePage(sources, "labels.md", { title: "title ".repeat(10_000), url: "https://example.com/labels" }, body);
    const { summary, rows } = await ingestOnce(sources, path.join(work.dir, "db-labels"));
    expect(summary.errors).toEqual([]);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.title.length).toBeLessThanOrEqual(MAX_TITLE_CHARS);
      expect(row.heading.length).toBeLessThanOrEqual(MAX_TITLE_CHARS + 7 * (MAX_HEADING_CHARS + 3));
    }
  });

  it("reads only the head of a huge heading line", () => {
    const sections = splitSections(`# ${"#".repeat(300_000)}x\n\nBody.`);
    expect(sections[0]!.path[0]!.length).toBeLessThanOrEqual(MAX_HEADING_CHARS);
  });

  it("bounds an HTML page's title", () => {
    const html = `<html><head><title>${"T ".repeat(50_000)}</title><link rel="canonical" href="https://example.com/t"></head><body><p>Body text here.</p></body></html>`;
    const parsed = parseSource("t.html", new TextEncoder().encode(html), "html", { maxBytes: 1_000_000 });
    expect(parsed.ok && parsed.document.title.length).toBeLessThanOrEqual(MAX_TITLE_CHARS);
  });
});

describe("bytes per page", () => {
  it("skips a page whose passages would store more than the limit, and keeps what was indexed", async () => {
    const sources = path.join(work.dir, "bytes");
    await mkdir(sources, { recursive: true });
    const db = path.join(work.dir, "db-bytes");
    const paragraphs = (n: number) => Array.from({ length: n }, (_, i) => `Paragraph ${i} says logs are kept for thirty days.`).join("\n\n");
    await writePage(sources, "page.md", { title: "Page", url: "https://example.com/page" }, paragraphs(2));
    const first = await ingestOnce(sources, db, { maxPageBytes: 20_000 });
    expect(first.rows).toHaveLength(1);
    await writePage(sources, "page.md", { title: "Page", url: "https://example.com/page" }, paragraphs(2_000));
    const { summary, rows } = await ingestOnce(sources, db, { maxPageBytes: 20_000 });
    expect(summary.errors).toEqual([{ file: "bytes/page.md", reason: expect.stringMatching(/would store more than 20000 bytes/) }]);
    expect(rows).toEqual(first.rows);
  });
});

describe("a write that fails after its rows are committed", () => {
  it("puts the previous version back live and reports the failure", async () => {
    const sources = path.join(work.dir, "restore");
    await mkdir(sources, { recursive: true });
    const db = path.join(work.dir, "db-restore");
    await writePage(sources, "a.md", { title: "A", url: "https://example.com/a" }, "Logs are kept for thirty days.");
    const before = await ingestOnce(sources, db);
    await writePage(sources, "a.md", { title: "A", url: "https://example.com/a" }, "Logs are kept for ninety days.");
    const store = await ChunkStore.open(db);
    try {
      // The index build after the commit fails, as it did when a huge page ran the process out of memory.
      Object.assign(store, {
        ensureSearchIndexes: async () => {
          throw new Error("index build failed");
        },
      });
      await expect(runIngest({ store, embedder: createLocalEmbedder() }, { sources: [sources], maxBytes: 2_000_000 })).rejects.toThrow("index build failed");
    } finally {
      store.close();
    }
    const after = await ChunkStore.open(db);
    try {
      expect((await after.readAll()).map((r) => r.text)).toEqual(before.rows.map((r) => r.text));
    } finally {
      after.close();
    }
  });
});

describe("front matter is measured before the YAML parser sees it", () => {
  it("refuses a block of thousands of keys (quadratic for the parser) with its reason", () => {
    const keys = Array.from({ length: 20_000 }, (_, i) => `k${i}: v`).join("\n");
    const parsed = parseFrontMatter(`---\ntitle: T\nurl: https://example.com/t\n${keys}\n---\nBody.`);
    expect(parsed).toEqual({ ok: false, reason: expect.stringMatching(/^the front matter is \d+ bytes, over the limit of 65536/) });
  });

  it("refuses a block of many short lines", () => {
    const lines = "a: 1\n".repeat(FRONT_MATTER_LIMITS.maxLines + 1);
    const parsed = parseFrontMatter(`---\n${lines}---\nBody.`);
    expect(parsed).toEqual({ ok: false, reason: expect.stringMatching(/more than 1000 lines/) });
  });

  it("still reads an ordinary block", () => {
    expect(parseFrontMatter("---\ntitle: T\nurl: https://example.com/t\n---\nBody.")).toMatchObject({ ok: true, data: { title: "T" } });
  });
});
