import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_HTML_BUDGET, withinHtmlBudget } from "../src/ingest/html-budget.ts";
import { runIngest } from "../src/ingest/run-ingest.ts";
import { fetchWebSources, type WebFetchOptions } from "../src/ingest/web/fetch-sources.ts";
import { ChunkStore } from "../src/retrieval/chunk-store.ts";
import { createLocalEmbedder } from "../src/retrieval/local-embedder.ts";
import { tempDir, writePage } from "./support/fixtures.ts";
import { policyPage, startTinySite, type TinySite } from "./support/tiny-site.ts";

/** `depth` nested <div>s around one paragraph: 3,000 overflowed the stack, 6,000 ran for over ten minutes. */
function nestedPage(depth: number, canonical: string): string {
  return `<!doctype html><html><head><title>Deep</title><link rel="canonical" href="${canonical}"></head><body>${"<div>".repeat(depth)}<p>Deep text.</p>${"</div>".repeat(depth)}</body></html>`;
}

/** Within the depth and element limits, but slow for Readability: seconds of work without a time limit. */
function slowPage(canonical: string): string {
  const block = `${"<div>".repeat(120)}<p>word</p>${"</div>".repeat(120)}`;
  return `<!doctype html><html><head><title>Slow</title><link rel="canonical" href="${canonical}"></head><body>${block.repeat(150)}</body></html>`;
}

let work: Awaited<ReturnType<typeof tempDir>>;
let site: TinySite;
beforeAll(async () => {
  work = await tempDir("docent-limits-");
  site = await startTinySite("127.0.0.1", ({ port }) => {
    const url = (p: string) => `http://127.0.0.1:${port}${p}`;
    const routes: Record<string, { body: string; headers?: Record<string, string> }> = {
      "/deep-3000": { body: nestedPage(3_000, url("/deep-3000")) },
      "/deep-6000": { body: nestedPage(6_000, url("/deep-6000")) },
      "/page": { body: policyPage("Normal page", url("/page")) },
      "/sitemap.xml": {
        headers: { "content-type": "application/xml" },
        body: `<urlset>${[1, 2, 3, 4, 5].map((n) => `<url><loc>${url(`/p${n}`)}</loc></url>`).join("")}</urlset>`,
      },
    };
    for (const n of [1, 2, 3, 4, 5]) routes[`/p${n}`] = { body: policyPage(`Page ${n}`, url(`/p${n}`)) };
    return routes;
  });
});
afterAll(async () => {
  await site?.close();
  await work?.cleanup();
});

const fetchOptions = (extra: Partial<WebFetchOptions> = {}): WebFetchOptions => ({
  concurrency: 2,
  delayMs: 0,
  timeoutMs: 5_000,
  maxBytes: 500_000,
  addresses: { allowPrivate: true },
  ...extra,
});

describe("pathological HTML is skipped with its reason, the run goes on", () => {
  it("local .html files 3,000 and 6,000 deep, beside a normal page", async () => {
    const sources = path.join(work.dir, "kb-deep");
    await writePage(sources, "good.md", { title: "Good", url: "https://example.com/good" }, "## Retention\n\nKept for thirty days.");
    await writeFile(path.join(sources, "deep-3000.html"), nestedPage(3_000, "https://example.com/deep-3000"));
    await writeFile(path.join(sources, "deep-6000.html"), nestedPage(6_000, "https://example.com/deep-6000"));
    const store = await ChunkStore.open(path.join(work.dir, "db-deep"));
    const started = Date.now();
    try {
      const summary = await runIngest({ store, embedder: createLocalEmbedder() }, { sources: [sources], maxBytes: 500_000 });
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(summary.errors).toEqual([
        { file: "kb-deep/deep-3000.html", reason: "the HTML nests elements more than 256 deep, too complex to read safely; the page is skipped" },
        { file: "kb-deep/deep-6000.html", reason: "the HTML nests elements more than 256 deep, too complex to read safely; the page is skipped" },
      ]);
      expect((await store.readAll()).map((row) => row.url)).toEqual(["https://example.com/good"]);
    } finally {
      store.close();
    }
  });

  it("fetched pages 3,000 and 6,000 deep, beside a normal page", async () => {
    const started = Date.now();
    const web = await fetchWebSources({ urls: ["/deep-3000", "/page", "/deep-6000"].map((p) => site.url(p)), sitemaps: [] }, fetchOptions());
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(Object.fromEntries(web.errors.map((e) => [e.file, e.reason]))).toEqual({
      [site.url("/deep-3000")]: expect.stringMatching(/^the HTML nests elements more than 256 deep.*; what was indexed from it is kept$/),
      [site.url("/deep-6000")]: expect.stringMatching(/^the HTML nests elements more than 256 deep/),
    });
    expect(web.documents.map((d) => d.title)).toEqual(["Normal page"]);
  });

  it("interrupts a page that takes longer than the time budget", async () => {
    const sources = path.join(work.dir, "kb-slow");
    await writePage(sources, "good.md", { title: "Good", url: "https://example.com/good" }, "## Retention\n\nKept for thirty days.");
    await writeFile(path.join(sources, "slow.html"), slowPage("https://example.com/slow"));
    const started = Date.now();
    const store = await ChunkStore.open(path.join(work.dir, "db-slow"));
    try {
      const summary = await runIngest(
        { store, embedder: createLocalEmbedder() },
        { sources: [sources], maxBytes: 1_000_000, htmlBudget: { ...DEFAULT_HTML_BUDGET, timeMs: 300 } },
      );
      expect(summary.errors).toEqual([
        { file: "kb-slow/slow.html", reason: "reading the HTML took longer than 300 ms, too complex to read safely; the page is skipped" },
      ]);
      expect(summary.pages.added).toBe(1);
    } finally {
      store.close();
    }
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it("turns an error inside the DOM work (a stack overflow) into a reason, and refuses too many elements", () => {
    const recurse = (n: number): number => recurse(n + 1) + 1;
    expect(withinHtmlBudget("<p>x</p>", DEFAULT_HTML_BUDGET, () => recurse(0))).toEqual({
      ok: false,
      reason: expect.stringMatching(/^the HTML could not be read \(Maximum call stack size exceeded\)/),
    });
    expect(withinHtmlBudget("<p>x</p>".repeat(20), { ...DEFAULT_HTML_BUDGET, maxElements: 10 }, () => 1)).toEqual({
      ok: false,
      reason: "the HTML has more than 10 elements, too complex to read safely; the page is skipped",
    });
    expect(withinHtmlBudget("<br><img><p>a<p>b", { ...DEFAULT_HTML_BUDGET, maxDepth: 3 }, () => "read")).toEqual({ ok: true, value: "read" });
  });
});

describe("caps per run and per page", () => {
  it("fetches at most INGEST_MAX_URLS pages from a sitemap, says so, and keeps the rest's indexed text", async () => {
    const stored = new Set([site.url("/p4"), site.url("/p1")]);
    const web = await fetchWebSources({ urls: [], sitemaps: [site.url("/sitemap.xml")] }, fetchOptions({ maxUrls: 2, storedSources: stored }));
    expect(web.stats).toMatchObject({ requested: 2, fetched: 2 });
    expect(web.documents.map((d) => d.title)).toEqual(["Page 1", "Page 2"]);
    expect(web.errors).toEqual([
      {
        file: site.url("/sitemap.xml"),
        reason: `3 more page URL(s) are past the limit of 2 per run (INGEST_MAX_URLS) and were not fetched, from ${site.url("/p3")} on; what was indexed from them is kept: raise INGEST_MAX_URLS or split the run`,
      },
    ]);
    expect([...web.keepSources]).toEqual([site.url("/p4")]);
  });

  it("skips a page over INGEST_MAX_CHUNKS_PER_PAGE with its reason, keeping what was indexed from it", async () => {
    const sources = path.join(work.dir, "kb-chunks");
    const db = path.join(work.dir, "db-chunks");
    const sections = (n: number) => Array.from({ length: n }, (_, i) => `## Section ${i}\n\nText of section ${i}.`).join("\n\n");
    await writePage(sources, "big.md", { title: "Big", url: "https://example.com/big" }, sections(3));
    await writePage(sources, "small.md", { title: "Small", url: "https://example.com/small" }, sections(1));
    const ingest = async () => {
      const store = await ChunkStore.open(db);
      try {
        const summary = await runIngest({ store, embedder: createLocalEmbedder() }, { sources: [sources], maxBytes: 500_000, maxChunksPerPage: 5 });
        return { summary, rows: await store.readAll() };
      } finally {
        store.close();
      }
    };
    expect((await ingest()).summary.pages.added).toBe(2);

    await writePage(sources, "big.md", { title: "Big", url: "https://example.com/big" }, sections(12));
    const { summary, rows } = await ingest();
    expect(summary.errors).toEqual([
      {
        file: "kb-chunks/big.md",
        reason:
          "the page gives more than 5 passages, over the limit of 5 per page (INGEST_MAX_CHUNKS_PER_PAGE), so it is skipped and what was indexed from it is kept; split the page or raise the limit",
      },
    ]);
    expect(rows.filter((row) => row.url === "https://example.com/big")).toHaveLength(3);
    expect(summary.pages).toMatchObject({ removed: 0, unchanged: 2 });
  });
});
