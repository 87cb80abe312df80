import { Readability } from "@mozilla/readability";
import { parseHTML } from "linkedom";
import TurndownService from "turndown";
import type { SourceDocument } from "./documents.ts";
import { parseFrontMatter } from "./front-matter.ts";
import { boundLabel, MAX_TITLE_CHARS } from "./label-limits.ts";
import { DEFAULT_HTML_BUDGET, type HtmlBudget, withinHtmlBudget } from "./html-budget.ts";

/**
 * Turns the bytes of one knowledge file into a SourceDocument, or a reason it can't be used.
 * Pure apart from the libraries it calls: no file system, so every bad-input rule is tested directly.
 */
export type ParseResult = { ok: true; document: SourceDocument } | { ok: false; reason: string };

export type SourceFormat = "markdown" | "text" | "html";

export function formatOfFile(name: string): SourceFormat | null {
  const lower = name.toLowerCase();
  if (lower.endsWith(".md") || lower.endsWith(".markdown")) return "markdown";
  if (lower.endsWith(".txt")) return "text";
  if (lower.endsWith(".html") || lower.endsWith(".htm")) return "html";
  return null;
}

export interface ParseOptions {
  maxBytes: number;
  /** Limits on an HTML page's nesting, size and parse time (DEFAULT_HTML_BUDGET unless given). */
  htmlBudget?: HtmlBudget;
}

export function parseSource(source: string, bytes: Uint8Array, format: SourceFormat, options: ParseOptions): ParseResult {
  if (bytes.byteLength === 0) return fail("the file is empty");
  if (bytes.byteLength > options.maxBytes) return tooLarge(bytes.byteLength, options.maxBytes);
  if (bytes.includes(0)) return fail("the file looks binary (it contains NUL bytes); only Markdown, plain text and HTML are read");
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return fail("the file is not valid UTF-8; re-save it as UTF-8");
  }
  if (text.trim() === "") return fail("the file is empty (only white space)");
  if (format !== "html") return parseFrontMatterText(source, text, format);
  const parsed = withinHtmlBudget(text, options.htmlBudget ?? DEFAULT_HTML_BUDGET, () => parseHtml(source, text));
  return parsed.ok ? parsed.value : parsed;
}

function parseFrontMatterText(source: string, text: string, format: SourceFormat): ParseResult {
  if (format === "markdown" && !text.trimStart().startsWith("---")) {
    return fail("missing front matter: start the file with a --- block holding title and url");
  }
  const parsed = parseFrontMatter(text);
  if (!parsed.ok) return parsed;
  const { data } = parsed;
  const url = checkUrl(data.url);
  if (!url.ok) return url;
  const title = typeof data.title === "string" && data.title.trim() !== "" ? data.title.trim() : null;
  if (format === "markdown" && title === null) return fail("missing title in the front matter");
  const updated = normaliseDate(data.updated ?? data.page_updated);
  if (updated === "invalid") return fail("updated is not a date: use YYYY-MM-DD");
  const body = parsed.content.trim();
  if (body === "") return fail("the page has front matter but no text");
  return {
    ok: true,
    document: {
      source,
      url: url.value,
      title: boundLabel(title ?? titleFromFileName(source), MAX_TITLE_CHARS),
      updated,
      markdown: body,
      provider: shortLabel(data.provider),
      appliesTo: shortLabel(data.applies_to),
    },
  };
}

function parseHtml(source: string, html: string): ParseResult {
  const { document } = parseHTML(html);
  const canonical =
    document.querySelector('link[rel="canonical"]')?.getAttribute("href") ?? document.querySelector('meta[property="og:url"]')?.getAttribute("content");
  const url = checkUrl(canonical);
  if (!url.ok) return fail(`${url.reason} (an HTML page needs <link rel="canonical" href="https://...">)`);
  const article = new Readability(document as unknown as ConstructorParameters<typeof Readability>[0]).parse();
  const title = article?.title?.trim() || document.querySelector("title")?.textContent?.trim() || titleFromFileName(source);
  const markdown = htmlToMarkdown(article?.content ?? document.body?.innerHTML ?? "");
  if (markdown === "") return fail("no main content found in the HTML page");
  const updated = normaliseDate(document.querySelector('meta[property="article:modified_time"]')?.getAttribute("content"));
  return {
    ok: true,
    document: { source, url: url.value, title: boundLabel(title, MAX_TITLE_CHARS), updated: updated === "invalid" ? null : updated, markdown },
  };
}

const turndown = new TurndownService({ headingStyle: "atx", bulletListMarker: "-", codeBlockStyle: "fenced" });

export function htmlToMarkdown(html: string): string {
  return turndown.turndown(html).trim();
}

function checkUrl(value: unknown): { ok: true; value: string } | { ok: false; reason: string } {
  if (value === undefined || value === null || value === "") return { ok: false, reason: "missing url (the public page this file summarizes)" };
  if (typeof value !== "string") return { ok: false, reason: "url must be a string" };
  try {
    const parsed = new URL(value.trim());
    if (parsed.protocol !== "https:" && parsed.protocol !== "http:") throw new Error("protocol");
    return { ok: true, value: parsed.toString() };
  } catch {
    return { ok: false, reason: `invalid url "${value}": expected an absolute http(s) URL` };
  }
}

function normaliseDate(value: unknown): string | null | "invalid" {
  if (value === undefined || value === null || value === "") return null;
  const date = value instanceof Date ? value : new Date(String(value));
  return Number.isNaN(date.getTime()) ? "invalid" : date.toISOString().slice(0, 10);
}

function titleFromFileName(source: string): string {
  const base = source.split("/").pop() ?? source;
  return base
    .replace(/\.[^.]+$/, "")
    .replace(/[-_]+/g, " ")
    .trim();
}

export function tooLarge(size: number, maxBytes: number): ParseResult {
  return fail(`the file is ${size} bytes, over the ${maxBytes}-byte limit (INGEST_MAX_FILE_BYTES)`);
}

function fail(reason: string): ParseResult {
  return { ok: false, reason };
}

/** A front-matter label (provider, applies_to): a short single line of text, or null. */
function shortLabel(value: unknown): string | null {
  if (typeof value !== "string") return null;
  const label = value.replace(/\s+/g, " ").trim().slice(0, 80);
  return label === "" ? null : label;
}
