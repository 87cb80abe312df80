import type { Passage } from "./passage.ts";
import type { TermStats } from "./relevance.ts";

/** What the engine needs from retrieval: ranked passages, and a verdict on whether they answer at all. */
export interface Retriever {
  /**
   * The `limit` best passages for `query`, in rank order; then passages that wider searches found (`alsoSearch`
   * texts, and with `synonyms` the query widened by the vocabulary), up to `widerLimit` each, scored on the
   * query's own scale and so still in rank order.
   */
  retrieve(query: string, limit: number, options?: RetrieveOptions): Promise<Passage[]>;
  judge(query: string, passages: readonly Passage[]): RetrievalVerdict;
  /** Term frequencies over the live index, for weighing a question's words (optional for simple retrievers). */
  termStats?(): TermStats;
}

export interface RetrieveOptions {
  alsoSearch?: string[];
  synonyms?: boolean;
  widerLimit?: number;
}

/**
 * The refusal gate's verdict. `reason` is for moderators; `code` and the counts are what logs carry — neither holds
 * a word of the question.
 */
export interface RetrievalVerdict {
  refuse: boolean;
  reason: string;
  code?: string | null;
  words?: number;
  unknownWords?: number;
}
