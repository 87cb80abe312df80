import { CONTRACTION_PARTS, contentStems } from "./text-terms.ts";

/**
 * The refusal gate. Measured on the dev questions (scripts/bench/retrieval.ts): word-overlap signals separate
 * answerable from unanswerable-but-on-topic questions poorly, so this gate only catches questions the pages do
 * not talk about: when fewer than half of the question's content words appear anywhere in the index, or when
 * none of them belongs to the pages' own subject vocabulary (words found in at least 5% of the passages).
 */
export const MIN_KNOWN_SHARE = 0.5;
export const SUBJECT_WORD_MIN_SHARE = 0.05;

/** Why the gate refused, as a code: logs and metrics carry this, never the question's words. */
export type RefusalCode = "nothing-retrieved" | "no-searchable-words" | "unknown-words" | "off-subject";

export interface RelevanceVerdict {
  refuse: boolean;
  code: RefusalCode | null;
  /** For moderators: the code in words, with counts only (no word of the question). */
  reason: string;
  knownShare: number;
  /** Content words of the question, and how many of them the index never uses. */
  words: number;
  unknownWords: number;
}

/** How many passages each content stem occurs in, and how many passages there are. */
export interface TermStats {
  passages: number;
  documentFrequency: ReadonlyMap<string, number>;
  /** How many pages of the index each provider has (see providerOfPage): which provider the pages are mostly about. */
  pageProviders?: ReadonlyMap<string, number>;
}

export function judgeRelevance(query: string, passageCount: number, stats: TermStats, termsOf: (text: string) => string[] = contentStems): RelevanceVerdict {
  const stems = [...new Set(termsOf(query))].filter((s) => !CONTRACTION_PARTS.has(s));
  const unknown = stems.filter((s) => !stats.documentFrequency.has(s)).length;
  const counts = { words: stems.length, unknownWords: unknown };
  if (passageCount === 0) return { refuse: true, code: "nothing-retrieved", reason: refusalReason("nothing-retrieved", counts), knownShare: 0, ...counts };
  if (stems.length === 0) return { refuse: true, code: "no-searchable-words", reason: refusalReason("no-searchable-words", counts), knownShare: 0, ...counts };
  const knownShare = 1 - unknown / stems.length;
  if (knownShare < MIN_KNOWN_SHARE) return { refuse: true, code: "unknown-words", reason: refusalReason("unknown-words", counts), knownShare, ...counts };
  // On a small index (a maintainer's first pages) every word the pages use is their subject.
  const subjectMin = Math.max(1, SUBJECT_WORD_MIN_SHARE * stats.passages);
  if (!stems.some((s) => (stats.documentFrequency.get(s) ?? 0) >= subjectMin)) {
    return { refuse: true, code: "off-subject", reason: refusalReason("off-subject", counts), knownShare, ...counts };
  }
  return { refuse: false, code: null, reason: "", knownShare, ...counts };
}

/** The moderator-facing text of a refusal: counts, never the words themselves. */
export function refusalReason(code: RefusalCode, counts: { words: number; unknownWords: number }): string {
  switch (code) {
    case "nothing-retrieved":
      return "nothing retrieved";
    case "no-searchable-words":
      return "the question has no searchable words";
    case "unknown-words":
      return `most of the question's words are not in the pages (${counts.unknownWords} of ${counts.words})`;
    case "off-subject":
      return "none of the question's words belongs to the subject of the indexed pages";
  }
}

/**
 * Document frequencies of the terms of the indexed texts: what the gate checks a question against, and what tells
 * the answer layer which words of a question are telling. `termsOf` defaults to content stems.
 */
export function buildTermStats(texts: Iterable<string>, termsOf: (text: string) => string[] = contentStems): TermStats {
  const documentFrequency = new Map<string, number>();
  let passages = 0;
  for (const text of texts) {
    passages++;
    for (const term of new Set(termsOf(text))) documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1);
  }
  return { passages, documentFrequency };
}
