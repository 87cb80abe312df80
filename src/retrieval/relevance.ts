import { contentStems } from "./text-terms.ts";

/**
 * The refusal gate. Measured on the dev questions (scripts/bench/retrieval.ts): word-overlap signals separate
 * answerable from unanswerable-but-on-topic questions poorly, so this gate only catches questions the pages do
 * not talk about: when fewer than half of the question's content words appear anywhere in the index, or when
 * none of them belongs to the pages' own subject vocabulary (words found in at least 5% of the passages).
 */
export const MIN_KNOWN_SHARE = 0.5;
export const SUBJECT_WORD_MIN_SHARE = 0.05;
/** Leftovers of English contractions ("what's" → "what" + "s"): never meaningful on their own. */
const CONTRACTION_PARTS = new Set(["s", "t", "ll", "re", "ve", "d", "m"]);

export interface RelevanceVerdict {
  refuse: boolean;
  reason: string;
  knownShare: number;
}

/** How many passages each content stem occurs in, and how many passages there are. */
export interface TermStats {
  passages: number;
  documentFrequency: ReadonlyMap<string, number>;
}

export function judgeRelevance(query: string, passageCount: number, stats: TermStats, termsOf: (text: string) => string[] = contentStems): RelevanceVerdict {
  if (passageCount === 0) return { refuse: true, reason: "nothing retrieved", knownShare: 0 };
  const stems = [...new Set(termsOf(query))].filter((s) => !CONTRACTION_PARTS.has(s));
  if (stems.length === 0) return { refuse: true, reason: "the question has no searchable words", knownShare: 0 };
  const unknown = stems.filter((s) => !stats.documentFrequency.has(s));
  const knownShare = 1 - unknown.length / stems.length;
  if (knownShare < MIN_KNOWN_SHARE) {
    return { refuse: true, reason: `the indexed pages do not use most of the question's words (${unknown.slice(0, 6).join(", ")})`, knownShare };
  }
  const subjectMin = Math.max(3, SUBJECT_WORD_MIN_SHARE * stats.passages);
  if (!stems.some((s) => (stats.documentFrequency.get(s) ?? 0) >= subjectMin)) {
    return { refuse: true, reason: "none of the question's words belongs to the subject of the indexed pages", knownShare };
  }
  return { refuse: false, reason: "", knownShare };
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
