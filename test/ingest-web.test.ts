import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runIngest } from "../src/ingest/run-ingest.ts";
import { USER_AGENT } from "../src/ingest/web/fetch-page.ts";
import { fetchWebSources, storedWebState, type WebTargets } from "../src/ingest/web/fetch-sources.ts";
import { HostScheduler } from "../src/ingest/web/host-scheduler.ts";
import { parseSitemap } from "../src/ingest/web/sitemap.ts";
import { parseUrlList } from "../src/ingest/web/url-list.ts";
import { ChunkStore } from "../src/retrieval/chunk-store.ts";
import { createLocalEmbedder } from "../src/retrieval/local-embedder.ts";
import { CORPUS_DIR, countingEmbedder, KNOWLEDGE_DIR, sharedCorpusAvailable, tempDir, writePage } from "./support/fixtures.ts";
import { CLUTTER_PHRASES, FAILURE_ROUTES, type PolicySite, startPolicySite } from "./support/policy-site.ts";
import { runScript } from "./support/run-script.ts";

const MAX_FILE_BYTES = 200_000;
let work: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  work = await tempDir("docent-web-");
});
afterAll(() => work.cleanup());

/** One URL ingest, as `npm run ingest -- --url/--sitemap` does it, but in-process with a short timeout. */
async function ingestWeb(db: string, targets: Partial<WebTargets>, sources: string[] = []) {
  const store = await ChunkStore.open(db);
  try {
    const stored = storedWebState(await store.readAll());
    const web = await fetchWebSources(
      { urls: targets.urls ?? [], sitemaps: targets.sitemaps ?? [] },
      {
        concurrency: 4,
        delayMs: 0,
        timeoutMs: 300,
        maxBytes: 200_000,
        validators: stored.validators,
        storedSources: stored.sources,
        addresses: { allowPrivate: true },
      },
    );
    const embedder = countingEmbedder(createLocalEmbedder());
    const summary = await runIngest(
      { store, embedder },
      // As a URL run over the configured folders: it may remove the pages of URLs it no longer lists.
      { sources, prune: true, maxBytes: MAX_FILE_BYTES, documents: web.documents, keepSources: web.keepSources, errors: web.errors },
    );
    return { web, summary, embedder, rows: await store.readAll() };
  } finally {
    store.close();
  }
}

describe("web-ingest parts", () => {
  it("reads sitemaps, sitemap indexes and URL lists", () => {
    expect(
      parseSitemap(
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc> https://a.example/x#top </loc></url><url><loc>ftp://no</loc></url></urlset>',
      ),
    ).toEqual({ ok: true, pages: ["https://a.example/x", "ftp://no/"], sitemaps: [] });
    expect(parseSitemap("<sitemapindex><sitemap><loc>https://a.example/s.xml</loc></sitemap></sitemapindex>")).toEqual({
      ok: true,
      pages: [],
      sitemaps: ["https://a.example/s.xml"],
    });
    expect(parseSitemap("<html><body>hi</body></html>")).toMatchObject({ ok: false, reason: expect.stringMatching(/not a sitemap/) });
    expect(parseUrlList("# comment\n\nhttps://a.example/p#frag\n  https://b.example/  \n", "list.txt")).toEqual(["https://a.example/p", "https://b.example/"]);
    expect(() => parseUrlList("https://a.example/\nnot a url\n", "list.txt")).toThrow(/list\.txt:2: "not a url" is not an absolute URL/);
  });

  it("waits between two requests to one host, and runs other hosts meanwhile", async () => {
    const scheduler = new HostScheduler({ concurrency: 4, delayMs: 120 });
    const starts: { a: number[]; b: number[] } = { a: [], b: [] };
    const t0 = Date.now();
    const task = (host: "a" | "b") => scheduler.run(host, async () => void starts[host].push(Date.now() - t0));
    await Promise.all([task("a"), task("a"), task("b"), task("a")]);
    expect(starts.a[1]! - starts.a[0]!).toBeGreaterThanOrEqual(110);
    expect(starts.a[2]! - starts.a[1]!).toBeGreaterThanOrEqual(110);
    expect(starts.b[0]!).toBeLessThan(60);
  });

  it("adds the HTTP validator columns to an index built before they existed", async () => {
    const sources = path.join(work.dir, "kb-old");
    const db = path.join(work.dir, "db-old");
    await writePage(sources, "a.md", { title: "A", url: "https://example.com/a" }, "## One\n\nFirst page text.");
    let store = await ChunkStore.open(db);
    await runIngest({ store, embedder: createLocalEmbedder() }, { sources: [sources], maxBytes: MAX_FILE_BYTES });
    await store.requireTable().dropColumns(["http_etag", "http_last_modified"]);
    store.close();
    await writePage(sources, "a.md", { title: "A", url: "https://example.com/a" }, "## One\n\nFirst page text, changed.");
    store = await ChunkStore.open(db);
    const summary = await runIngest({ store, embedder: createLocalEmbedder() }, { sources: [sources], maxBytes: MAX_FILE_BYTES });
    expect(summary.pages.updated).toBe(1);
    expect((await store.readAll())[0]).toMatchObject({ text: "First page text, changed.", httpEtag: null, httpLastModified: null });
    store.close();
  });
});

describe.runIf(sharedCorpusAvailable())("ingest live pages from a local policy site", () => {
  let site: PolicySite;
  beforeAll(async () => {
    site = await startPolicySite(CORPUS_DIR);
  });
  afterAll(() => site?.close());

  describe("from a sitemap, incrementally", () => {
    const db = () => path.join(work.dir, "db-sitemap");

    it("ingests every page the sitemap lists, with heading paths and without the page clutter", async () => {
      const { web, summary, rows } = await ingestWeb(db(), { sitemaps: [site.url("/sitemap.xml")] });
      expect(web.stats).toEqual({ requested: 19, fetched: 19, notModified: 0, gone: 0, failed: 0 });
      expect(summary.errors).toEqual([]);
      expect(summary.pages).toEqual({ added: 19, updated: 0, removed: 0, unchanged: 0 });
      expect(new Set(rows.map((r) => r.url))).toEqual(new Set(site.slugs.map((slug) => site.pageUrl(slug))));
      expect(rows.every((r) => r.source === r.url && r.httpEtag !== null && r.httpLastModified !== null)).toBe(true);

      const retention = rows.filter((r) => r.url === site.pageUrl("anthropic-api-data-retention"));
      expect(retention[0]!.title).toBe("How long do you store my organization’s data? (Anthropic Privacy Center)");
      expect(retention.map((r) => r.heading)).toContain(
        "How long do you store my organization’s data? (Anthropic Privacy Center) > Standard Retention Timeframe",
      );
      expect(retention.find((r) => r.heading.endsWith("Standard Retention Timeframe"))!.text).toContain("within 30 days of receipt or generation");
      for (const phrase of CLUTTER_PHRASES) expect(rows.filter((r) => r.text.includes(phrase) || r.heading.includes(phrase)).map((r) => r.url)).toEqual([]);

      const pageRequests = site.requests.filter((r) => r.path.startsWith("/policies/"));
      expect(pageRequests).toHaveLength(19);
      expect(new Set(site.requests.map((r) => r.userAgent))).toEqual(new Set([USER_AGENT]));
      expect(site.requests.filter((r) => r.path === "/robots.txt")).toHaveLength(1);
    });

    it("asks whether each page changed on the next run, and re-embeds nothing on 304", async () => {
      const before = site.requests.length;
      const { web, summary, embedder } = await ingestWeb(db(), { sitemaps: [site.url("/sitemap.xml")] });
      const pageRequests = site.requests.slice(before).filter((r) => r.path.startsWith("/policies/"));
      expect(pageRequests).toHaveLength(19);
      expect(pageRequests.every((r) => r.ifNoneMatch !== undefined && r.ifModifiedSince !== undefined && r.status === 304)).toBe(true);
      expect(web.stats).toMatchObject({ fetched: 0, notModified: 19 });
      expect(embedder.calls).toBe(0);
      expect(summary).toMatchObject({ written: false, errors: [], pages: { added: 0, updated: 0, removed: 0, unchanged: 19 } });
    });

    it("updates only the page whose body changed", async () => {
      const slug = "openai-enterprise-privacy";
      site.setMarkdown(slug, `${site.markdown(slug)}\n\n## Contact\n\nWrite to the privacy team for questions about enterprise data.`);
      const { web, summary, embedder, rows } = await ingestWeb(db(), { sitemaps: [site.url("/sitemap.xml")] });
      expect(web.stats).toMatchObject({ fetched: 1, notModified: 18 });
      expect(summary.pages).toEqual({ added: 0, updated: 1, removed: 0, unchanged: 18 });
      expect(summary.changes).toEqual([
        expect.objectContaining({ url: site.pageUrl(slug), status: "updated", sections: [expect.stringMatching(/ > Contact$/)] }),
      ]);
      expect(embedder.texts).toBe(1);
      const etags = new Set(rows.filter((r) => r.url === site.pageUrl(slug)).map((r) => r.httpEtag));
      expect(etags.size).toBe(1);
    });

    it("counts a page served again with the same text as unchanged (content hash), even without validators", async () => {
      site.setValidators(false);
      try {
        const { web, summary, embedder } = await ingestWeb(db(), { sitemaps: [site.url("/sitemap.xml")] });
        expect(web.stats).toMatchObject({ fetched: 19, notModified: 0 });
        expect(embedder.calls).toBe(0);
        expect(summary).toMatchObject({ written: false, pages: { unchanged: 19, updated: 0 } });
      } finally {
        site.setValidators(true);
      }
    });

    it("keeps every page of a site whose sitemap cannot be read", async () => {
      const { summary } = await ingestWeb(db(), { sitemaps: [site.url("/sitemap-down.xml")] });
      expect(summary.errors).toEqual([{ file: site.url("/sitemap-down.xml"), reason: expect.stringMatching(/sitemap not read: HTTP 503.*kept/) }]);
      expect(summary.pages).toMatchObject({ removed: 0, unchanged: 19 });
    });
  });

  it("reports every failing page with its URL and the reason", async () => {
    const db = path.join(work.dir, "db-failures");
    const before = site.requests.length;
    const good = site.url("/moved/openai-your-data");
    const started = Date.now();
    const { web, summary } = await ingestWeb(db, { urls: [good, ...Object.values(FAILURE_ROUTES).map((p) => site.url(p))] });
    expect(Date.now() - started).toBeLessThan(2_500);
    const reasons = Object.fromEntries(summary.errors.map((e) => [e.file, e.reason]));
    expect(reasons).toEqual({
      [site.url("/missing")]: "HTTP 404 Not Found: the page is gone",
      [site.url("/retired")]: "HTTP 410 Gone: the page is gone",
      [site.url("/error")]: expect.stringMatching(/^HTTP 500 Internal Server Error \(server error\); what was indexed from it is kept$/),
      [site.url("/slow")]: expect.stringMatching(/^timed out after 300 ms/),
      [site.url("/report.pdf")]: expect.stringMatching(/^not HTML \(Content-Type: application\/pdf\)/),
      [site.url("/huge")]: expect.stringMatching(/^too large: over 200000 bytes/),
      [site.url("/loop-a")]: expect.stringMatching(/^redirect loop: .*\/loop-a → .*\/loop-b → .*\/loop-a/),
      [site.url("/hop/8")]: expect.stringMatching(/^too many redirects \(more than 5\)/),
      [site.url("/private/secret")]: expect.stringMatching(/^disallowed by .*\/robots\.txt for DocentBot/),
    });
    expect(web.stats).toEqual({ requested: 10, fetched: 1, notModified: 0, gone: 2, failed: 7 });
    // The redirected page is indexed under its canonical URL; robots.txt kept the crawler out of /private/.
    expect(summary.pages.added).toBe(1);
    expect(summary.changes[0]!.url).toBe(site.pageUrl("openai-your-data"));
    expect(site.requests.slice(before).some((r) => r.path.startsWith("/private/"))).toBe(false);
  });

  it("keeps an indexed page through a temporary failure, and removes it when it is gone (404, 410)", async () => {
    const db = path.join(work.dir, "db-gone");
    const [flaky, missing, retired, stable] = ["openai-privacy-policy", "openai-terms-of-use", "openai-security-legacy", "azure-openai-data-privacy"];
    const urls = [flaky, missing, retired, stable].map((slug) => site.pageUrl(slug!));
    expect((await ingestWeb(db, { urls })).summary.pages.added).toBe(4);

    site.setStatus(flaky!, 500);
    site.setStatus(missing!, 404);
    site.setStatus(retired!, 410);
    try {
      const { summary, rows } = await ingestWeb(db, { urls });
      expect(summary.pages).toEqual({ added: 0, updated: 0, removed: 2, unchanged: 2 });
      expect(new Set(rows.map((r) => r.url))).toEqual(new Set([site.pageUrl(flaky!), site.pageUrl(stable!)]));
      expect(Object.fromEntries(summary.errors.map((e) => [e.file, e.reason]))).toEqual({
        [site.pageUrl(flaky!)]: expect.stringMatching(/HTTP 500.*kept/),
        [site.pageUrl(missing!)]: "HTTP 404 Not Found: the page is gone; removed from the index",
        [site.pageUrl(retired!)]: "HTTP 410 Gone: the page is gone; removed from the index",
      });
    } finally {
      for (const slug of [flaky, missing, retired]) site.setStatus(slug!, null);
    }
  });

  it("lets a live page replace a folder page that claims the same url, with a note", async () => {
    const folder = path.join(work.dir, "kb-same-url");
    const url = site.pageUrl("openai-business-data");
    await writePage(folder, "business.md", { title: "Business data (our summary)", url }, "## Summary\n\nOur own words about business data.");
    await writePage(folder, "other.md", { title: "Other", url: "https://example.com/other" }, "## Other\n\nSomething else.");
    const { summary, rows } = await ingestWeb(path.join(work.dir, "db-same-url"), { urls: [url] }, [folder]);
    expect(summary.errors).toEqual([]);
    expect(summary.notes).toEqual([`kb-same-url/business.md: left out, its url ${url} is ingested from the live page`]);
    expect(summary.pages.added).toBe(2);
    expect(new Set(rows.filter((r) => r.url === url).map((r) => r.source))).toEqual(new Set([url]));
  });

  it("npm run ingest: the shipped knowledge, then a sitemap beside it, as one JSON summary each", async () => {
    const db = path.join(work.dir, "db-cli");
    const env = { INGEST_FETCH_DELAY_MS: "0", INGEST_FETCH_TIMEOUT_MS: "2000", INGEST_ALLOW_PRIVATE_HOSTS: "true" };
    const shipped = await runScript("ingest.ts", ["--db", db, "--json"], env);
    expect(shipped.stderr).toBe("");
    expect(shipped.code).toBe(0);
    const knowledgePages = JSON.parse(shipped.stdout).pages.added as number;
    expect(knowledgePages).toBeGreaterThan(10);

    const web = await runScript("ingest.ts", ["--sitemap", site.url("/sitemap-index.xml"), "--db", db, "--json"], env);
    expect(web.stderr).toBe("");
    expect(web.code).toBe(0);
    expect(JSON.parse(web.stdout)).toMatchObject({
      pages: { added: 19, updated: 0, removed: 0, unchanged: knowledgePages },
      errors: [],
      fetch: { requested: 19, fetched: 19, notModified: 0, gone: 0, failed: 0 },
    });

    const usage = await runScript("ingest.ts", ["--url", "ftp://example.com/x", "--db", db], env);
    expect(usage.code).toBe(64);
    expect(usage.stderr).toMatch(/--url: "ftp:\/\/example.com\/x" is not an http\(s\) URL/);
  });
});

it("the folder ingest passes over knowledge/sources.txt, the list of the pages' live URLs", async () => {
  const store = await ChunkStore.open(path.join(work.dir, "db-list"));
  const summary = await runIngest({ store, embedder: createLocalEmbedder() }, { sources: [KNOWLEDGE_DIR], maxBytes: MAX_FILE_BYTES, dryRun: true });
  store.close();
  expect(summary.errors).toEqual([]);
  expect(summary.pages.added).toBeGreaterThan(10);
  const list = parseUrlList(await readFile(path.join(KNOWLEDGE_DIR, "sources.txt"), "utf8"), "sources.txt");
  expect(list.length).toBeGreaterThan(5);
  expect(list.every((url) => url.startsWith("https://") && !url.includes("#"))).toBe(true);
});
