import { Readability } from "@mozilla/readability";
import { parseHTML } from "linkedom";
import { getDomain } from "tldts";
import type { SourceDocument } from "../documents.ts";
import { DEFAULT_HTML_BUDGET, type HtmlBudget, withinHtmlBudget } from "../html-budget.ts";
import { boundLabel, MAX_TITLE_CHARS } from "../label-limits.ts";
import { htmlToMarkdown } from "../parse-source.ts";
import type { HttpValidators } from "./fetch-page.ts";

export type ExtractResult = { ok: true; document: SourceDocument; note?: string } | { ok: false; reason: string };

export interface ExtractOptions {
  /** INGEST_CANONICAL_HOSTS: registrable domains a canonical link may name besides the page's own; "*" for any. */
  canonicalHosts: ReadonlySet<string>;
  /** Limits on the page's nesting, size and parse time (DEFAULT_HTML_BUDGET unless given). */
  htmlBudget?: HtmlBudget;
}

/** Page furniture that is never policy text: removed before Readability looks for the main content. */
const CLUTTER_SELECTOR = [
  "script",
  "style",
  "noscript",
  "template",
  "iframe",
  "form",
  "button",
  "nav",
  "footer",
  "aside",
  "dialog",
  '[role="navigation"]',
  '[role="contentinfo"]',
  '[role="complementary"]',
  '[role="dialog"]',
  '[role="alertdialog"]',
  '[aria-modal="true"]',
  "[hidden]",
  '[aria-hidden="true"]',
].join(", ");
/** Cookie and consent banners, newsletter boxes, breadcrumbs and skip links, recognised by their id or class. */
const CLUTTER_NAME = /cookie|consent|gdpr|newsletter|breadcrumb|skip-link|skip-to|promo|announcement/i;

/**
 * A fetched HTML page → SourceDocument: clutter (navigation, footers, cookie banners) dropped, main content
 * extracted with Readability, converted to Markdown with Turndown (headings kept, so chunks keep their heading
 * path). The URL is the page's canonical link when it is on the page's own site (or a domain the maintainer
 * allows), else the URL it was served from, with a note saying why; the source is the requested URL.
 */
export function extractPage(source: string, html: string, finalUrl: string, http: HttpValidators, options: ExtractOptions): ExtractResult {
  const extracted = withinHtmlBudget(html, options.htmlBudget ?? DEFAULT_HTML_BUDGET, () => extractMainContent(source, html, finalUrl, http, options));
  return extracted.ok ? extracted.value : extracted;
}

function extractMainContent(source: string, html: string, finalUrl: string, http: HttpValidators, options: ExtractOptions): ExtractResult {
  const { document } = parseHTML(html);
  const identity = pageIdentity(declaredCanonical(document, finalUrl), finalUrl, options.canonicalHosts);
  const canonical = identity.url;
  const metaTitle = document.querySelector('meta[property="og:title"]')?.getAttribute("content")?.trim();
  const updated = isoDate(document.querySelector('meta[property="article:modified_time"]')?.getAttribute("content"));

  for (const element of [...document.querySelectorAll(CLUTTER_SELECTOR)]) element.remove();
  for (const element of [...document.querySelectorAll("[id], [class]")]) {
    const name = `${element.getAttribute("id") ?? ""} ${element.getAttribute("class") ?? ""}`;
    // Never remove a wrapper of the content itself (e.g. <body class="cookie-banner-open">).
    if (CLUTTER_NAME.test(name) && !element.matches("html, body, main, article") && !element.querySelector("main, article, h1")) element.remove();
  }
  // A site header holds the logo and links; keep one only when it carries the page's own heading.
  for (const header of [...document.querySelectorAll("header")]) if (!header.querySelector("h1")) header.remove();

  const article = new Readability(document as unknown as ConstructorParameters<typeof Readability>[0]).parse();
  const rawTitle = metaTitle || article?.title?.trim() || document.querySelector("h1")?.textContent?.trim() || new URL(canonical).pathname;
  // Cut before the site-name pattern runs, so it never scans a huge title.
  const title = boundLabel(withoutSiteName(rawTitle.slice(0, 4 * MAX_TITLE_CHARS)), MAX_TITLE_CHARS);
  const markdown = htmlToMarkdown(article?.content ?? document.querySelector("main")?.innerHTML ?? document.body?.innerHTML ?? "");
  if (markdown === "") return { ok: false, reason: "no main content found in the HTML page" };
  return { ok: true, document: { source, url: canonical, title, updated, markdown, http }, ...(identity.note ? { note: identity.note } : {}) };
}

/** "Security & privacy | Example Trust Center" → "Security & privacy": a short site name after a bar is not the title. */
function withoutSiteName(title: string): string {
  const match = /^(.+?)\s+\|\s+([^|]+)$/.exec(title.trim());
  return match && match[2]!.split(/\s+/).length <= 5 ? match[1]!.trim() : title.trim();
}

function declaredCanonical(document: { querySelector(selector: string): { getAttribute(name: string): string | null } | null }, finalUrl: string): URL | null {
  const declared =
    document.querySelector('link[rel="canonical"]')?.getAttribute("href") ?? document.querySelector('meta[property="og:url"]')?.getAttribute("content");
  if (!declared) return null;
  try {
    const url = new URL(declared.trim(), finalUrl);
    if (url.protocol !== "http:" && url.protocol !== "https:") return null;
    url.hash = "";
    return url;
  } catch {
    return null; // an unusable canonical link falls back to the URL the page was served from
  }
}

/**
 * A page names its own identity with a canonical link, but a page may only speak for its own site: the link is
 * accepted on the fetched URL's registrable domain (public suffix list, private suffixes included, so one
 * github.io site cannot claim another's pages) or on a domain in INGEST_CANONICAL_HOSTS. Pure.
 */
export function pageIdentity(canonical: URL | null, finalUrl: string, allowed: ReadonlySet<string>): { url: string; note?: string } {
  if (canonical === null) return { url: finalUrl };
  // "https://openai.com@attacker.example/…" reads as openai.com but is attacker.example: user info is never accepted.
  if (canonical.username !== "" || canonical.password !== "") {
    return {
      url: finalUrl,
      note: `its canonical link has user info before its host (${canonical.host}), which makes it look like another address, so it is indexed as ${finalUrl}, the URL it was fetched from`,
    };
  }
  const fetched = new URL(finalUrl);
  const site = (host: string) => getDomain(host, { allowPrivateDomains: true }) ?? host;
  const claimed = site(canonical.hostname);
  if (canonical.hostname === fetched.hostname || claimed === site(fetched.hostname) || allowed.has("*") || allowed.has(claimed))
    return { url: canonical.toString() };
  return {
    url: finalUrl,
    note:
      `its canonical link ${canonical} is on another site (${claimed}, not ${site(fetched.hostname)}), so it is indexed as ${finalUrl}, ` +
      `the URL it was fetched from; if ${claimed} is a mirror you trust, add it to INGEST_CANONICAL_HOSTS`,
  };
}

function isoDate(value: string | null | undefined): string | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString().slice(0, 10);
}
