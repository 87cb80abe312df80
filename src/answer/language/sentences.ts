/**
 * Splits a passage into sentence-like spans that are verbatim slices of it (so they can be quoted and
 * verified), treating Markdown list items and table rows as units of their own. Pure.
 */
export function splitSentences(text: string): string[] {
  return sentenceSpans(text).map((span) => span.text);
}

export type LineKind = "prose" | "list-item" | "table-row" | "heading";

/** A sentence with where it sits: offsets into the passage text, its line and what kind of line that is. */
export interface SentenceSpan {
  text: string;
  start: number;
  end: number;
  line: number;
  lineKind: LineKind;
  /** Position of the sentence within its line (0 = the line's first sentence). */
  indexInLine: number;
}

const LIST_MARKER = /^\s*(?:[-*+]|\d+[.)]|\(?[a-z0-9]{1,4}\))\s+/i;
const HEADING_MARKER = /^\s*#{1,6}\s+/;
// Split after . ! ? when followed by a space and a capital letter or quote; keep abbreviations like "e.g." whole.
// Invisible format characters (zero-width spaces) may sit between the space and the capital.
const BOUNDARY = /(?<!\b(?:e\.g|i\.e|etc|vs|Inc|Ltd|Co|No|Sec|Dr|Mr|Ms|U\.S|[A-Z]))[.!?](?=\s+[\u200b-\u200d\u2060\ufeff]*["“(\p{Lu}\d])/gu;

export function sentenceSpans(text: string): SentenceSpan[] {
  const out: SentenceSpan[] = [];
  let lineStart = 0;
  let line = 0;
  for (const rawLine of text.split("\n")) {
    const offset = lineStart;
    lineStart += rawLine.length + 1;
    if (rawLine.trim() === "" || /^[|:\-\s]+$/.test(rawLine)) continue;
    const marker = rawLine.match(HEADING_MARKER) ?? rawLine.match(LIST_MARKER);
    const lineKind: LineKind = HEADING_MARKER.test(rawLine)
      ? "heading"
      : LIST_MARKER.test(rawLine)
        ? "list-item"
        : rawLine.trimStart().startsWith("|")
          ? "table-row"
          : "prose";
    const bodyStart = marker ? marker[0].length : 0;
    const body = rawLine.slice(bodyStart);
    let start = 0;
    let index = 0;
    const push = (from: number, to: number) => {
      const slice = body.slice(from, to);
      const lead = slice.length - slice.replace(/^[\s\u200b-\u200d\u2060\ufeff]+/, "").length;
      const trimmed = slice.slice(lead).trimEnd();
      if (!/[\p{L}]{2,}/u.test(trimmed)) return;
      const absolute = offset + bodyStart + from + lead;
      out.push({ text: trimmed, start: absolute, end: absolute + trimmed.length, line, lineKind, indexInLine: index++ });
    };
    if (lineKind !== "table-row" && lineKind !== "heading") {
      for (const match of body.matchAll(BOUNDARY)) {
        push(start, match.index! + 1);
        start = match.index! + 1;
      }
    }
    push(start, body.length);
    line++;
  }
  return out;
}
