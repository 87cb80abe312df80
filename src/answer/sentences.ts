/**
 * Splits a passage into sentence-like spans that are verbatim slices of it (so they can be quoted and
 * verified), treating Markdown list items and table rows as units of their own. Pure.
 */
export function splitSentences(text: string): string[] {
  const out: string[] = [];
  for (const rawLine of text.split(/\n+/)) {
    const line = rawLine.replace(/^\s*(?:[-*+]|\d+[.)]|\(?[a-z0-9]{1,4}\)|#{1,6})\s+/i, "").trim();
    if (line === "" || /^[|:\-\s]+$/.test(line)) continue;
    // Split after . ! ? when followed by a space and a capital letter or quote; keep abbreviations like "e.g." whole.
    let start = 0;
    const boundary = /(?<!\b(?:e\.g|i\.e|etc|vs|Inc|Ltd|Co|No|Sec|Dr|Mr|Ms|U\.S|[A-Z]))[.!?](?=\s+["“(\p{Lu}\d])/gu;
    for (const match of line.matchAll(boundary)) {
      const end = match.index! + 1;
      push(out, line.slice(start, end));
      start = end;
    }
    push(out, line.slice(start));
  }
  return out;
}

function push(out: string[], span: string): void {
  const trimmed = span.trim();
  if (/[\p{L}]{2,}/u.test(trimmed)) out.push(trimmed);
}
