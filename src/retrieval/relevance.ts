import { contentStems } from "./text-terms.ts";

/**
 * The refusal gate. Measured on the dev questions (scripts/bench/retrieval.ts): word-overlap signals separate
 * answerable from unanswerable-but-on-topic questions poorly, so this gate only catches questions the pages
 * do not even talk about — when fewer than half of the question's content words appear anywhere in the index.
 */
export const MIN_KNOWN_SHARE = 0.5;

export interface RelevanceVerdict {
  refuse: boolean;
  reason: string;
  knownShare: number;
}

export function judgeRelevance(query: string, passageCount: number, vocabulary: ReadonlySet<string>): RelevanceVerdict {
  if (passageCount === 0) return { refuse: true, reason: "nothing retrieved", knownShare: 0 };
  const stems = [...new Set(contentStems(query))];
  if (stems.length === 0) return { refuse: true, reason: "the question has no searchable words", knownShare: 0 };
  const unknown = stems.filter((s) => !vocabulary.has(s));
  const knownShare = 1 - unknown.length / stems.length;
  if (knownShare >= MIN_KNOWN_SHARE) return { refuse: false, reason: "", knownShare };
  return { refuse: true, reason: `the indexed pages do not use most of the question's words (${unknown.slice(0, 6).join(", ")})`, knownShare };
}

/** Every content stem of the indexed text: what the gate checks a question against. */
export function buildVocabulary(texts: Iterable<string>): Set<string> {
  const vocabulary = new Set<string>();
  for (const text of texts) for (const stem of contentStems(text)) vocabulary.add(stem);
  return vocabulary;
}
