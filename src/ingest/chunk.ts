import { createHash } from "node:crypto";
import { RecursiveCharacterTextSplitter } from "@langchain/textsplitters";
import type { SourceDocument } from "./documents.ts";
import { boundLabel, MAX_HEADING_CHARS, MAX_HEADING_LINE_CHARS, MAX_TITLE_CHARS } from "./label-limits.ts";

/** One retrievable passage. `text` is a verbatim slice of the page, so quotes taken from it can be verified. */
export interface Chunk {
  id: string;
  url: string;
  title: string;
  /** Heading path, outermost first, e.g. "Enterprise privacy > Data retention". */
  heading: string;
  text: string;
  contentHash: string;
  pageDate: string | null;
  /** The page's provider and audience from its front matter, when it names them. */
  provider: string | null;
  appliesTo: string | null;
  source: string;
}

export interface ChunkOptions {
  chunkSize: number;
  chunkOverlap: number;
}

/**
 * Chosen by measurement on the dev questions (scripts/bench/retrieval.ts compares sizes): small passages
 * keep a full-text match on the sentence that answers, and the heading path restores the context they lose.
 */
export const DEFAULT_CHUNK_OPTIONS: ChunkOptions = { chunkSize: 900, chunkOverlap: 120 };

export interface Section {
  /** Headings from the outermost down to this section's own. */
  path: string[];
  body: string;
}

const HEADING = /^(#{1,6})[ \t]+(.+?)[ \t#]*$/;
const FENCE = /^[ \t]*(```|~~~)/;

/** Splits Markdown at its headings (ignoring `#` lines inside code fences). Pure. */
export function splitSections(markdown: string): Section[] {
  const sections: Section[] = [];
  const stack: { level: number; text: string }[] = [];
  let body: string[] = [];
  let inFence = false;

  const flush = () => {
    const text = body.join("\n").trim();
    if (text !== "") sections.push({ path: stack.map((h) => h.text), body: text });
    body = [];
  };

  for (const line of markdown.split(/\r?\n/)) {
    if (FENCE.test(line)) inFence = !inFence;
    // A huge line is only read as far as a heading can reach, so the pattern never scans it whole.
    const match = inFence || !line.startsWith("#") ? null : HEADING.exec(line.length > MAX_HEADING_LINE_CHARS ? line.slice(0, MAX_HEADING_LINE_CHARS) : line);
    if (!match) {
      body.push(line);
      continue;
    }
    flush();
    const level = match[1]!.length;
    while (stack.length > 0 && stack[stack.length - 1]!.level >= level) stack.pop();
    stack.push({ level, text: boundLabel(plainHeading(match[2]!), MAX_HEADING_CHARS) });
  }
  flush();
  return sections;
}

/** Heading path for a section: the page title leads unless the page's own top heading already says it. */
export function headingPath(title: string, path: readonly string[]): string {
  const parts = path.length > 0 && sameText(path[0]!, title) ? [...path] : [title, ...path];
  return parts.join(" > ");
}

/** Cuts a document into passages that never span two sections. Ids are stable across runs. */
export async function chunkDocument(document: SourceDocument, options: ChunkOptions = DEFAULT_CHUNK_OPTIONS): Promise<Chunk[]> {
  const result = await chunkDocumentWithin(document, options, {});
  return result.ok ? result.chunks : [];
}

/** Bounds on one page's passages: their number, and the bytes they store (text, title and heading path). */
export interface PageLimits {
  maxChunks?: number;
  maxBytes?: number;
}

export type PageChunks = { ok: true; chunks: Chunk[]; bytes: number } | { ok: false; over: "chunks" | "bytes"; limit: number };

/**
 * `chunkDocument` that stops as soon as the page passes a limit, so a pathological page costs at most the limit in
 * memory rather than everything it would give.
 */
export async function chunkDocumentWithin(document: SourceDocument, options: ChunkOptions, limits: PageLimits): Promise<PageChunks> {
  const splitter = new RecursiveCharacterTextSplitter({
    chunkSize: options.chunkSize,
    chunkOverlap: options.chunkOverlap,
    separators: ["\n\n", "\n", ". ", "; ", ", ", " ", ""],
    keepSeparator: true,
  });
  const title = boundLabel(document.title, MAX_TITLE_CHARS);
  const chunks: Chunk[] = [];
  const ordinals = new Map<string, number>();
  let bytes = 0;
  for (const section of splitSections(document.markdown)) {
    const heading = headingPath(title, section.path);
    for (const piece of await splitter.splitText(section.body)) {
      // The splitter keeps a sentence separator at the head of the next piece; drop it so passages start cleanly.
      const text = piece.replace(/^[.;,]\s+/, "").trim();
      if (!/[\p{L}\p{N}]/u.test(text)) continue;
      const ordinal = ordinals.get(heading) ?? 0;
      ordinals.set(heading, ordinal + 1);
      chunks.push({
        id: sha256(`${document.url}\u0000${heading}\u0000${ordinal}`).slice(0, 32),
        url: document.url,
        title,
        heading,
        text,
        contentHash: sha256([title, heading, document.updated ?? "", text, ...pageLabels(document)].join("\u0000")).slice(0, 32),
        pageDate: document.updated,
        provider: document.provider ?? null,
        appliesTo: document.appliesTo ?? null,
        source: document.source,
      });
      // Stored twice: as the passage's fields and again in its search text.
      bytes += 2 * (Buffer.byteLength(text) + Buffer.byteLength(title) + Buffer.byteLength(heading));
      if (limits.maxChunks !== undefined && chunks.length > limits.maxChunks) return { ok: false, over: "chunks", limit: limits.maxChunks };
      if (limits.maxBytes !== undefined && bytes > limits.maxBytes) return { ok: false, over: "bytes", limit: limits.maxBytes };
    }
  }
  return { ok: true, chunks, bytes };
}

function plainHeading(raw: string): string {
  return raw
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/[*_`]/g, "")
    .replace(/\s+/g, " ")
    .trim();
}

function sameText(a: string, b: string): boolean {
  const norm = (s: string) =>
    s
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, " ")
      .trim();
  return norm(a) === norm(b);
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** A page's front-matter labels, part of its chunks' content hash only when it has them (older hashes stay valid). */
function pageLabels(document: SourceDocument): string[] {
  return document.provider || document.appliesTo ? [document.provider ?? "", document.appliesTo ?? ""] : [];
}
