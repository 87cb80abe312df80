import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { renderSummary } from "../src/ingest/render-summary.ts";
import { runIngest } from "../src/ingest/run-ingest.ts";
import { ChunkStore } from "../src/retrieval/chunk-store.ts";
import { createLocalEmbedder } from "../src/retrieval/local-embedder.ts";
import { CORPUS_DIR, countingEmbedder, sharedCorpusAvailable, tempDir, writePage } from "./support/fixtures.ts";

const MAX_BYTES = 200_000;
let work: { dir: string; cleanup: () => Promise<void> };
let sources: string;
let dbUri: string;

async function ingest(
  embedder = countingEmbedder(createLocalEmbedder()),
  extra: { dryRun?: boolean; rebuild?: boolean; prune?: boolean; sources?: string[] } = {},
) {
  const store = await ChunkStore.open(dbUri);
  try {
    const summary = await runIngest({ store, embedder }, { sources: [sources], maxBytes: MAX_BYTES, ...extra });
    return { summary, embedder };
  } finally {
    store.close();
  }
}

async function tableRows() {
  const store = await ChunkStore.open(dbUri);
  try {
    return { info: await store.info(), rows: await store.readAll() };
  } finally {
    store.close();
  }
}

beforeEach(async () => {
  work = await tempDir();
  sources = path.join(work.dir, "knowledge");
  dbUri = path.join(work.dir, "db");
  await writePage(
    sources,
    "retention.md",
    { title: "Data retention", url: "https://example.com/retention" },
    "## Abuse monitoring\n\nInputs and outputs are kept for up to 30 days to detect abuse.\n\n## Zero data retention\n\nEligible customers can ask for zero data retention.",
  );
  await writePage(
    sources,
    "training.md",
    { title: "Training", url: "https://example.com/training", updated: "2025-05-01" },
    "## Default\n\nBusiness data is not used to train models unless you opt in.",
  );
  await writePage(
    sources,
    "security.md",
    { title: "Security", url: "https://example.com/security" },
    "## Encryption\n\nAES-256 at rest and TLS 1.2+ in transit.",
  );
});

afterEach(() => work.cleanup());

describe("ingest into a temporary LanceDB", () => {
  it("builds the table with every chunk, its heading path and a full-text index", async () => {
    const { summary } = await ingest();
    expect(summary.pages).toEqual({ added: 3, updated: 0, removed: 0, unchanged: 0 });
    expect(summary.chunks.added).toBe(4);
    expect(summary.errors).toEqual([]);
    const { info, rows } = await tableRows();
    expect(info).toMatchObject({ embedderId: createLocalEmbedder().id, dimensions: 512, rows: 4, version: summary.version });
    expect(rows.map((r) => r.heading).sort()).toEqual([
      "Data retention > Abuse monitoring",
      "Data retention > Zero data retention",
      "Security > Encryption",
      "Training > Default",
    ]);
    const training = rows.find((r) => r.url === "https://example.com/training")!;
    expect(training).toMatchObject({ pageDate: "2025-05-01", source: "knowledge/training.md" });

    const store = await ChunkStore.open(dbUri);
    const hits = await store.requireTable().query().fullTextSearch("encrypted").select(["heading"]).limit(3).toArray();
    store.close();
    expect(hits[0]?.heading).toBe("Security > Encryption");
  });

  it("re-ingests unchanged sources without embedding or writing anything", async () => {
    const first = await ingest();
    const { summary, embedder } = await ingest();
    expect(embedder.texts).toBe(0);
    expect(summary).toMatchObject({
      written: false,
      version: first.summary.version,
      pages: { unchanged: 3, added: 0, updated: 0, removed: 0 },
      chunks: { unchanged: 4 },
    });
  });

  it("updates a changed page, embedding only its changed chunk", async () => {
    await ingest();
    const before = await tableRows();
    await writePage(
      sources,
      "retention.md",
      { title: "Data retention", url: "https://example.com/retention" },
      "## Abuse monitoring\n\nInputs and outputs are kept for up to 30 days to detect abuse.\n\n## Zero data retention\n\nEligible customers can request zero data retention through their account team.",
    );
    const { summary, embedder } = await ingest();
    expect(embedder.texts).toBe(1);
    expect(summary.pages).toEqual({ added: 0, updated: 1, removed: 0, unchanged: 2 });
    expect(summary.chunks).toEqual({ added: 0, updated: 1, removed: 0, unchanged: 3 });
    expect(summary.changes).toEqual([
      {
        url: "https://example.com/retention",
        title: "Data retention",
        status: "updated",
        sections: ["Data retention > Zero data retention"],
        // The changed words, for the changelog: "can ask for" → "can request", and a phrase added at the end.
        diffs: [
          {
            section: "Data retention > Zero data retention",
            edits: [
              { removed: "ask for", added: "request" },
              { removed: "", added: "through their account team" },
            ],
            more: 0,
            rewritten: false,
          },
        ],
      },
    ]);
    const after = await tableRows();
    expect(after.rows.find((r) => r.heading.endsWith("Zero data retention"))!.text).toContain("account team");
    const unchangedBefore = before.rows.find((r) => r.heading.endsWith("Abuse monitoring"))!;
    expect(after.rows.find((r) => r.id === unchangedBefore.id)!.ingestedAt).toBe(unchangedBefore.ingestedAt);
  });

  it("lists, and does not remove, the pages of folders a run does not name; --prune removes them", async () => {
    await ingest();
    const before = await tableRows();
    const mine = path.join(work.dir, "my-pages");
    await writePage(mine, "billing.md", { title: "Billing", url: "https://example.com/billing" }, "## Invoices\n\nInvoices are sent monthly.");

    for (const dryRun of [false, true]) {
      const { summary } = await ingest(undefined, { sources: [mine], dryRun });
      expect(summary.written).toBe(false);
      expect(summary.withheld!.map((page) => [page.url, page.sources])).toEqual([
        ["https://example.com/retention", ["knowledge/retention.md"]],
        ["https://example.com/security", ["knowledge/security.md"]],
        ["https://example.com/training", ["knowledge/training.md"]],
      ]);
      expect(renderSummary(summary)).toMatch(
        /Nothing written: this run would remove 3 page\(s\)[\s\S]*would remove Security <https:\/\/example.com\/security> \(from knowledge\/security.md\)[\s\S]*--prune/,
      );
    }
    expect(await tableRows()).toEqual(before);

    // Both folders named: nothing is removed and nothing withheld.
    const both = await ingest(undefined, { sources: [sources, mine] });
    expect(both.summary).toMatchObject({ written: true, withheld: [], pages: { added: 1, removed: 0, unchanged: 3 } });

    const pruned = await ingest(undefined, { sources: [mine], prune: true });
    expect(pruned.summary).toMatchObject({ written: true, withheld: [], pages: { removed: 3, unchanged: 1 } });
    expect([...new Set((await tableRows()).rows.map((r) => r.url))]).toEqual(["https://example.com/billing"]);
  });

  it("removes a page whose file is gone", async () => {
    await ingest();
    await rm(path.join(sources, "security.md"));
    const { summary } = await ingest();
    expect(summary.pages).toEqual({ added: 0, updated: 0, removed: 1, unchanged: 2 });
    expect(summary.chunks.removed).toBe(1);
    expect((await tableRows()).rows.some((r) => r.url === "https://example.com/security")).toBe(false);
  });

  it("reports without writing on a dry run", async () => {
    const first = await ingest();
    await rm(path.join(sources, "security.md"));
    const { summary, embedder } = await ingest(undefined, { dryRun: true });
    expect(summary).toMatchObject({ dryRun: true, written: false, version: first.summary.version, pages: { removed: 1 } });
    expect(embedder.calls).toBe(0);
    expect((await tableRows()).rows).toHaveLength(4);
  });

  describe("bad input is reported per file and loses nothing already indexed", () => {
    const breakages: Array<[string, string, string | Uint8Array, RegExp]> = [
      ["empty file", "security.md", "", /empty/],
      ["binary file", "security.md", new Uint8Array([1, 2, 0, 3]), /binary/],
      ["invalid UTF-8", "security.md", new Uint8Array([0x2d, 0x2d, 0x2d, 0x0a, 0xff, 0xfe, 0x0a]), /UTF-8/],
      ["missing front matter", "security.md", "# Security\n\nno front matter", /missing front matter/],
      ["malformed front matter", "security.md", "---\ntitle: [x\n---\nbody", /malformed front matter/],
      ["invalid url", "security.md", "---\ntitle: Security\nurl: nope\n---\nbody", /invalid url/],
      [
        "duplicate url",
        "zz-copy.md",
        "---\ntitle: Copy\nurl: https://example.com/training\n---\nbody",
        /duplicate url https:\/\/example.com\/training: knowledge\/training.md already uses it/,
      ],
      [
        "over the size limit",
        "security.md",
        `---\ntitle: Security\nurl: https://example.com/security\n---\n${"y".repeat(MAX_BYTES)}`,
        /over the 200000-byte limit/,
      ],
    ];
    it.each(breakages)("%s", async (_kind, file, content, reason) => {
      await ingest();
      const before = await tableRows();
      await writeFile(path.join(sources, file), content);
      const { summary } = await ingest();
      expect(summary.errors).toEqual([{ file: `knowledge/${file}`, reason: expect.stringMatching(reason) }]);
      const after = await tableRows();
      expect(after.rows.map((r) => [r.id, r.contentHash]).sort()).toEqual(before.rows.map((r) => [r.id, r.contentHash]).sort());
    });

    it("refuses to empty the index when no source page is usable", async () => {
      await ingest();
      for (const name of ["retention.md", "training.md", "security.md"]) await writeFile(path.join(sources, name), "");
      await expect(ingest()).rejects.toThrow(/No usable pages/);
      expect((await tableRows()).rows).toHaveLength(4);
    });
  });

  it("leaves the previous version searchable when the embedder fails mid-run", async () => {
    await ingest();
    const before = await tableRows();
    for (let i = 0; i < 80; i++)
      await writePage(
        sources,
        `extra/page-${i}.md`,
        { title: `Extra ${i}`, url: `https://example.com/extra/${i}` },
        `## Part\n\nExtra page ${i} about retention.`,
      );
    await expect(ingest(countingEmbedder(createLocalEmbedder(), { failAfterCalls: 1 }))).rejects.toThrow(/exploded/);
    const after = await tableRows();
    expect(after.info!.version).toBe(before.info!.version);
    expect(after.rows).toHaveLength(4);
    const store = await ChunkStore.open(dbUri);
    const hits = await store.requireTable().query().fullTextSearch("abuse").limit(5).toArray();
    store.close();
    expect(hits.length).toBeGreaterThan(0);
  });

  it("rolls back to the previous ingest, and refuses when there is none", async () => {
    const first = await ingest();
    const store = await ChunkStore.open(dbUri);
    await expect(store.rollback()).rejects.toThrow(/no earlier ingest/);
    store.close();

    await rm(path.join(sources, "security.md"));
    await ingest();
    expect((await tableRows()).rows).toHaveLength(3);

    const again = await ChunkStore.open(dbUri);
    const result = await again.rollback();
    again.close();
    expect(result.restored).toBe(first.summary.version);
    const after = await tableRows();
    expect(after.rows).toHaveLength(4);
    expect(after.rows.some((r) => r.url === "https://example.com/security")).toBe(true);
  });

  it("refuses another embedder, and --rebuild switches to it", async () => {
    await ingest();
    const other = countingEmbedder(createLocalEmbedder(64));
    await expect(ingest(other)).rejects.toMatchObject({
      code: "EMBEDDER_MISMATCH",
      message: expect.stringMatching(/built with local:hashed-stems-v1:512, but this ingest uses local:hashed-stems-v1:64/),
      hint: expect.stringMatching(/--rebuild/),
    });
    const { summary } = await ingest(other, { rebuild: true });
    expect(summary.written).toBe(true);
    expect(other.texts).toBe(4);
    expect((await tableRows()).info).toMatchObject({ embedderId: other.id, dimensions: 64, rows: 4 });
  });
});

describe.runIf(sharedCorpusAvailable())("full ingest of the shared policy corpus", () => {
  it("indexes all 19 pages with heading paths, and a second run changes nothing", async () => {
    sources = CORPUS_DIR;
    const { summary } = await ingest();
    expect(summary.pages.added).toBe(19);
    expect(summary.errors).toEqual([]);
    const { rows } = await tableRows();
    expect(rows.length).toBe(summary.chunks.added);
    expect(rows.some((r) => r.heading.startsWith("Data controls in the OpenAI platform > "))).toBe(true);
    const again = await ingest();
    expect(again.summary.written).toBe(false);
    expect(again.embedder.texts).toBe(0);
  });
});
