import type { ChunkRow } from "../../retrieval/chunk-store.ts";
import type { SourceDocument, SourceError } from "../documents.ts";
import type { HtmlBudget } from "../html-budget.ts";
import type { IngestProgress } from "../run-ingest.ts";
import { type AddressGuard, type AddressGuardOptions, createAddressGuard } from "./address-guard.ts";
import { extractPage } from "./extract-page.ts";
import { type FetchPolicy, fetchPage, type HttpValidators, MAX_REDIRECTS, USER_AGENT, withoutFragment } from "./fetch-page.ts";
import { HostScheduler } from "./host-scheduler.ts";
import { RobotsRules } from "./robots.ts";
import { parseSitemap } from "./sitemap.ts";

/** Sitemap indexes are followed this many levels deep, and at most this many sitemaps are read per run. */
const MAX_SITEMAP_DEPTH = 3;
const MAX_SITEMAPS = 100;

export interface WebTargets {
  urls: readonly string[];
  sitemaps: readonly string[];
}

export interface WebFetchOptions {
  concurrency: number;
  delayMs: number;
  timeoutMs: number;
  maxBytes: number;
  maxRedirects?: number;
  userAgent?: string;
  /** Stored validators per source (URL): sent as If-None-Match / If-Modified-Since. */
  validators?: ReadonlyMap<string, HttpValidators>;
  /** Sources already in the index, to keep pages of a site whose sitemap could not be read. */
  storedSources?: ReadonlySet<string>;
  /** INGEST_MAX_URLS: most page URLs fetched in one run (the URLs given first, then the sitemaps' entries). */
  maxUrls?: number;
  /** Limits on each page's HTML (nesting, elements, parse time); DEFAULT_HTML_BUDGET unless given. */
  htmlBudget?: HtmlBudget;
  /** INGEST_CANONICAL_HOSTS: domains a page's canonical link may name besides its own site. */
  canonicalHosts?: ReadonlySet<string>;
  /** Which hosts may be fetched: public addresses only unless INGEST_ALLOW_PRIVATE_HOSTS (see address-guard.ts). */
  addresses: AddressGuardOptions;
  onProgress?: (event: IngestProgress) => void;
}

export interface WebFetchStats {
  requested: number;
  fetched: number;
  notModified: number;
  gone: number;
  failed: number;
}

/** What `runIngest` needs: fresh pages, sources whose stored rows stay (304, temporary failures), and errors. */
export interface WebFetchResult {
  documents: SourceDocument[];
  keepSources: Set<string>;
  errors: SourceError[];
  /** Per page, what a maintainer should know that is not a failure (e.g. a canonical link that was not accepted). */
  notes: string[];
  stats: WebFetchStats;
}

/**
 * Fetches the pages behind `--url`, `--urls-file` and `--sitemap`. The "gone" rule: a page answering 404 or 410
 * is gone, so it is neither a document nor kept, and the ingest removes its indexed passages. Every other
 * failure (5xx, timeout, network, robots.txt disallow or unreadable, redirect loop, too large, not HTML) is
 * treated as temporary: it is reported and the page's indexed passages are kept as they were. A sitemap that
 * cannot be read keeps every indexed page of its site that this run does not fetch.
 */
export async function fetchWebSources(targets: WebTargets, options: WebFetchOptions): Promise<WebFetchResult> {
  const policy: FetchPolicy = {
    userAgent: options.userAgent ?? USER_AGENT,
    timeoutMs: options.timeoutMs,
    maxBytes: options.maxBytes,
    maxRedirects: options.maxRedirects ?? MAX_REDIRECTS,
  };
  const scheduler = new HostScheduler({ concurrency: options.concurrency, delayMs: options.delayMs });
  const guard = createAddressGuard(options.addresses);
  try {
    return await fetchAll(targets, options, policy, scheduler, guard);
  } finally {
    await guard.close();
  }
}

async function fetchAll(
  targets: WebTargets,
  options: WebFetchOptions,
  policy: FetchPolicy,
  scheduler: HostScheduler,
  guard: AddressGuard,
): Promise<WebFetchResult> {
  const robots = new RobotsRules(policy, scheduler, guard);
  const gate = { allowed: (url: string) => robots.check(url), run: <T>(host: string, task: () => Promise<T>) => scheduler.run(host, task) };
  const fetchOptions = { policy, gate, guard };
  const errors: SourceError[] = [];
  const keepSources = new Set<string>();

  // 1. Sitemaps → page URLs.
  const listed: string[] = [];
  const failedOrigins = new Set<string>();
  const queue = targets.sitemaps.map((url) => ({ url: withoutFragment(url), depth: 0 }));
  const seenSitemaps = new Set<string>();
  while (queue.length > 0 && seenSitemaps.size < MAX_SITEMAPS) {
    const { url, depth } = queue.shift()!;
    if (seenSitemaps.has(url)) continue;
    seenSitemaps.add(url);
    const outcome = await fetchPage(url, { expect: "xml", ...fetchOptions });
    const parsed =
      outcome.kind === "ok" ? parseSitemap(outcome.body) : { ok: false as const, reason: outcome.kind === "not-modified" ? "unexpected 304" : outcome.reason };
    if (!parsed.ok) {
      failedOrigins.add(new URL(url).origin);
      errors.push({ file: url, reason: `sitemap not read: ${parsed.reason}; the pages indexed from ${new URL(url).origin} are kept` });
      continue;
    }
    listed.push(...parsed.pages);
    for (const child of parsed.sitemaps) if (depth + 1 < MAX_SITEMAP_DEPTH) queue.push({ url: child, depth: depth + 1 });
  }

  // 2. Pages, each once, in the order given, up to INGEST_MAX_URLS.
  const wanted = [...new Set([...targets.urls.map(withoutFragment), ...listed])];
  const urls = wanted.slice(0, options.maxUrls ?? wanted.length);
  const unfetched = wanted.slice(urls.length);
  if (unfetched.length > 0) {
    errors.push({
      file: targets.sitemaps[0] ?? unfetched[0]!,
      reason:
        `${unfetched.length} more page URL(s) are past the limit of ${urls.length} per run (INGEST_MAX_URLS) and were not fetched, from ${unfetched[0]} on; ` +
        "what was indexed from them is kept: raise INGEST_MAX_URLS or split the run",
    });
    for (const url of unfetched) if (options.storedSources?.has(url)) keepSources.add(url);
  }
  const stats: WebFetchStats = { requested: urls.length, fetched: 0, notModified: 0, gone: 0, failed: 0 };
  let done = 0;
  options.onProgress?.({ stage: "fetch", done, total: urls.length });
  const results = await Promise.all(
    urls.map(async (url) => {
      const outcome = await fetchPage(url, { expect: "html", validators: options.validators?.get(url), ...fetchOptions });
      options.onProgress?.({ stage: "fetch", done: ++done, total: urls.length });
      return { url, outcome };
    }),
  );

  const documents: SourceDocument[] = [];
  const owners = new Map<string, string>();
  const notes: string[] = [];
  const fail = (url: string, reason: string) => {
    stats.failed++;
    keepSources.add(url);
    errors.push({ file: url, reason: `${reason}; what was indexed from it is kept` });
  };
  for (const { url, outcome } of results) {
    if (outcome.kind === "not-modified") {
      stats.notModified++;
      keepSources.add(url);
    } else if (outcome.kind === "gone") {
      stats.gone++;
      const indexed = options.storedSources?.has(url) ? "; removed from the index" : "";
      errors.push({ file: url, reason: `${outcome.reason}: the page is gone${indexed}` });
    } else if (outcome.kind === "failed") {
      fail(url, outcome.reason);
    } else {
      const extracted = extractPage(url, outcome.body, outcome.finalUrl, outcome.validators, {
        canonicalHosts: options.canonicalHosts ?? new Set(),
        ...(options.htmlBudget ? { htmlBudget: options.htmlBudget } : {}),
      });
      if (!extracted.ok) {
        fail(url, extracted.reason);
        continue;
      }
      const owner = owners.get(extracted.document.url);
      if (owner !== undefined) {
        fail(url, `duplicate url ${extracted.document.url}: ${owner} already uses it`);
        continue;
      }
      if (extracted.note) notes.push(`${url}: ${extracted.note}`);
      owners.set(extracted.document.url, url);
      stats.fetched++;
      documents.push(extracted.document);
    }
  }

  // 3. A site whose sitemap failed: its indexed pages that this run did not fetch stay as they were.
  const requested = new Set(urls);
  for (const source of options.storedSources ?? []) {
    if (!requested.has(source) && isWebSource(source) && failedOrigins.has(new URL(source).origin)) keepSources.add(source);
  }
  return { documents, keepSources, errors, notes, stats };
}

export function isWebSource(source: string): boolean {
  return /^https?:\/\//.test(source);
}

/** The HTTP validators stored with each page fetched from a URL, and every source in the index. */
export function storedWebState(rows: readonly ChunkRow[]): { validators: Map<string, HttpValidators>; sources: Set<string> } {
  const validators = new Map<string, HttpValidators>();
  const newest = new Map<string, string>();
  for (const row of rows) {
    if (!isWebSource(row.source) || (row.httpEtag === null && row.httpLastModified === null)) continue;
    if ((newest.get(row.source) ?? "") > row.ingestedAt) continue;
    newest.set(row.source, row.ingestedAt);
    validators.set(row.source, { etag: row.httpEtag, lastModified: row.httpLastModified });
  }
  return { validators, sources: new Set(rows.map((row) => row.source)) };
}
