import { type SentenceSpan, sentenceSpans } from "../language/sentences.ts";

/**
 * What the extractive answerer may quote: sentences that can stand alone. A sentence that leans on the one
 * before it ("This…", "They…", "Keep that in mind…") is quoted together with its antecedent, or not at all; a
 * short list item is quoted with the line that introduces it. Every quote is a verbatim slice of the passage. Pure.
 */
export interface QuotableUnit {
  /** The verbatim slices to quote, in reading order (two when a list item needs its introducing line). */
  quotes: string[];
  /** What the reader sees: the quotes joined. */
  text: string;
  /** The sentence that carries the claim (the last one of a joined unit). */
  claim: string;
  /** Offset of the unit's first character in the passage, for reading order. */
  start: number;
  /** Table rows and list items read worse as an answer's first line than prose does. */
  form: "prose" | "list-item" | "table-row";
}

/** Openers that point back at something said before: the sentence means little without its antecedent. */
const LEANS_ON_PREVIOUS =
  /^(?:this|that|these|those|they|them|their|it|its|such|he|she|both|either|neither|the latter|the former|the same|likewise|similarly|otherwise|however|therefore|thus|hence|also|additionally|moreover|furthermore|in addition|in practice|in that case|in this case|in those cases|as a result|as such|for (?:this|that|these|those) reasons?|for example|for instance|if so|if not|then|keep (?:this|that|these) in mind|see (?:above|below)|as (?:described|noted|mentioned) (?:above|below|earlier))\b/i;
/** A line that announces what follows ("Business data includes:", "We use it to:"). */
const INTRODUCES_LIST = /[:：]\s*$/;
const MAX_JOINED_CHARS = 560;
const MAX_SENTENCE_CHARS = 420;
/** Shorter spans are usually link labels or fragments, not claims (unless introduced by their list's line). */
const MIN_CLAIM_WORDS = 6;

export function leansOnPrevious(sentence: string): boolean {
  return LEANS_ON_PREVIOUS.test(sentence.replace(/^[\s*_"“'(]+/, ""));
}

export function quotableUnits(passageText: string): QuotableUnit[] {
  const spans = sentenceSpans(passageText);
  const units: QuotableUnit[] = [];
  spans.forEach((span, i) => {
    if (span.lineKind === "heading") return;
    const wordCount = span.text.split(/\s+/).length;
    if (span.text.length > MAX_SENTENCE_CHARS) {
      units.push(...clausesOf(span));
      return;
    }
    if (span.lineKind === "list-item" && leansOnPrevious(span.text) && spans[i - 1]?.line === span.line) {
      const previous = spans[i - 1]!;
      const text = passageText.slice(previous.start, span.end);
      if (text.length <= MAX_JOINED_CHARS)
        units.push({ quotes: [collapse(text)], text: collapse(text), claim: span.text, start: previous.start, form: "list-item" });
      return;
    }
    if (span.lineKind === "list-item") {
      const intro = introducingLine(spans, i);
      const needsIntro = wordCount < MIN_CLAIM_WORDS || leansOnPrevious(span.text) || !/[.!?]$/.test(span.text);
      if (needsIntro && intro && intro.text.length + span.text.length <= MAX_JOINED_CHARS) {
        // The claim first, then the line that gives it its meaning: the reader sees what is said, then where.
        units.push({
          quotes: [span.text, intro.text],
          text: `${span.text} (under “${intro.text.replace(/[:：]\s*$/, "")}”)`,
          claim: span.text,
          start: intro.start,
          form: "list-item",
        });
        return;
      }
      if (wordCount >= MIN_CLAIM_WORDS && !leansOnPrevious(span.text) && span.text.length <= MAX_SENTENCE_CHARS) units.push(single(span));
      return;
    }
    if (span.lineKind === "table-row") {
      if (wordCount >= MIN_CLAIM_WORDS && span.text.length <= MAX_SENTENCE_CHARS) units.push(single(span));
      return;
    }
    if (leansOnPrevious(span.text)) {
      const antecedent = antecedentOf(spans, i);
      if (!antecedent) return;
      const text = passageText.slice(antecedent.start, span.end);
      if (text.length <= MAX_JOINED_CHARS && !leansOnPrevious(antecedent.text))
        units.push({ quotes: [collapse(text)], text: collapse(text), claim: span.text, start: antecedent.start, form: "prose" });
      return;
    }
    if (wordCount >= MIN_CLAIM_WORDS && span.text.length <= MAX_SENTENCE_CHARS && !INTRODUCES_LIST.test(span.text)) units.push(single(span));
  });
  return units;
}

/** Where a long legal sentence enumerates: "; (d) …", "; and (ii) …". */
const CLAUSE_BOUNDARY = /[;,:]\s+(?:and\s+|or\s+)?(?=\((?:[a-z]|[ivx]{1,4}|\d{1,2})\)\s)/g;

/**
 * A sentence too long to quote whole ("Despite anything…: (a) …; (b) …; (d) Beta Services have not been…") is
 * quoted clause by clause, each with the words that open the sentence, so a clause keeps what it qualifies.
 */
function clausesOf(span: SentenceSpan): QuotableUnit[] {
  const cuts = [...span.text.matchAll(CLAUSE_BOUNDARY)].map((m) => m.index! + m[0].length);
  if (cuts.length < 2) return [];
  const opening = span.text
    .slice(0, cuts[0])
    .replace(/[;,:]?\s*(?:and|or)?\s*$/, "")
    .trim();
  const units: QuotableUnit[] = [];
  cuts.forEach((cut, k) => {
    const end = k + 1 < cuts.length ? cuts[k + 1]! : span.text.length;
    const clause = span.text
      .slice(cut, end)
      .replace(/[;,]?\s*(?:and|or)?\s*$/, "")
      .trim();
    if (clause.split(/\s+/).length < MIN_CLAIM_WORDS || clause.length > MAX_SENTENCE_CHARS) return;
    const quotes = opening.length > 0 && opening.length <= MAX_SENTENCE_CHARS ? [clause, opening] : [clause];
    units.push({ quotes, text: quotes.length > 1 ? `${clause} (under “${opening}”)` : clause, claim: clause, start: span.start + cut, form: "list-item" });
  });
  return units;
}

function single(span: SentenceSpan): QuotableUnit {
  const form = span.lineKind === "table-row" ? "table-row" : span.lineKind === "list-item" ? "list-item" : "prose";
  return { quotes: [span.text], text: span.text, claim: span.text, start: span.start, form };
}

/** The prose sentence right before, in the same line or ending the previous prose line: a contiguous slice. */
function antecedentOf(spans: readonly SentenceSpan[], i: number): SentenceSpan | undefined {
  const span = spans[i]!;
  const previous = spans[i - 1];
  if (previous?.lineKind !== "prose") return undefined;
  if (previous.line === span.line) return previous;
  return span.indexInLine === 0 && span.lineKind === "prose" && previous.line === span.line - 1 ? previous : undefined;
}

/** The prose line a list item belongs to: the nearest line before the list, if it announces it. */
function introducingLine(spans: readonly SentenceSpan[], i: number): SentenceSpan | undefined {
  for (let j = i - 1; j >= 0; j--) {
    const span = spans[j]!;
    if (span.lineKind === "list-item") continue;
    return span.lineKind === "prose" && (INTRODUCES_LIST.test(span.text) || span.text.split(/\s+/).length >= 4) ? span : undefined;
  }
  return undefined;
}

function collapse(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}
