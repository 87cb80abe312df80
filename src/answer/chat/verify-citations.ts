/**
 * Citation checks. Pure. A model's `[n]` must name a passage it was given; a quote must appear verbatim
 * (white space aside) in the stored text of the page it cites.
 */
export function citedNumbers(text: string): number[] {
  return [...text.matchAll(/\[(\d{1,2})\]/g)].map((m) => Number(m[1]));
}

export interface CitationCheck {
  ok: boolean;
  cited: number[];
  invalid: number[];
}

export function checkCitationNumbers(text: string, passageCount: number): CitationCheck {
  const cited = [...new Set(citedNumbers(text))];
  const invalid = cited.filter((n) => n < 1 || n > passageCount);
  return { ok: cited.length > 0 && invalid.length === 0, cited, invalid };
}

export function quoteIsVerbatim(quote: string, sourceText: string): boolean {
  const norm = (s: string) => s.replace(/\s+/g, " ").trim();
  return quote.trim() !== "" && norm(sourceText).includes(norm(quote));
}

/** Bracket pairs a reader takes for a citation marker: ASCII, full-width, lenticular, tortoise-shell. */
const MARKER_LIKE = /[[［【〔〖]\s*(\p{Nd}+)\s*[\]］】〕〗]/gu;
/** The prompt's own delimiters, and look-alikes of their angle brackets. */
const DELIMITER_LIKE = /[<＜﹤‹〈《⟨]\s*\/?\s*(?:passages?|question|earlier_exchange|system)\b/iu;

/**
 * What makes a chat reply unusable before its citations are even counted: a marker that only looks like one of
 * ours (`[９]`, `［1］`, `[100]`, `[0]`, a number beyond the passages given) or the prompt's delimiters echoed back.
 * Returns the reason, or null when the reply is well-formed.
 */
export function chatReplyProblem(text: string, passageCount: number): string | null {
  if (DELIMITER_LIKE.test(text.normalize("NFKC")) || DELIMITER_LIKE.test(text)) return "chat answer contained the prompt's delimiters";
  // `[9\u200B]` reads as [9] but is no marker of ours: seen without invisible characters, every marker-like
  // bracket must be one that citedNumbers counts.
  const hidden = [...text.matchAll(MARKER_LIKE)].length !== [...withoutInvisibles(text).matchAll(MARKER_LIKE)].length;
  if (hidden) return "chat answer had a marker written with invisible characters";
  const fake = [...text.matchAll(MARKER_LIKE)]
    .filter((m) => {
      const n = Number(m[1]!.normalize("NFKC"));
      return !/^\[\d{1,2}\]$/.test(m[0]) || !Number.isInteger(n) || n < 1 || n > passageCount;
    })
    .map((m) => m[0]);
  return fake.length > 0 ? `chat answer had markers that are not given passages: ${fake.slice(0, 5).join(" ")}` : null;
}

/**
 * Characters that show as nothing (or as a blank) yet keep two glyphs apart for a regular expression: format
 * characters (zero-width space, joiners, bidi marks), combining marks (variation selectors, the grapheme joiner),
 * Hangul fillers and the braille blank.
 */
const INVISIBLE = /[\p{Cf}\p{Mn}\p{Me}\u115F\u1160\u3164\uFFA0\u2800]/gu;

function withoutInvisibles(text: string): string {
  return text.replace(INVISIBLE, "");
}

/** A list item as a reader sees one: a dash, star or bullet sign, or a number with a dot or bracket. */
const LIST_ITEM = /^\s*(?:[-*+•‣◦▪–—]|\d{1,2}[.)])\s+/u;

/** How many list items carry no `[n]` marker: each bullet is a claim and must say where it comes from. */
export function unmarkedBullets(text: string): number {
  return text.split("\n").filter((line) => LIST_ITEM.test(line) && citedNumbers(line).length === 0).length;
}
