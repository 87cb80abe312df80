import type { Passage } from "../retrieval/passage.ts";
import type { TermStats } from "../retrieval/relevance.ts";

/** A claim's source: `n` is the source number shown to the reader; `quote` is verbatim from that page. */
export interface Citation {
  n: number;
  title: string;
  url: string;
  quote: string;
}

export interface Source {
  n: number;
  title: string;
  url: string;
  pageDate: string | null;
}

/** The structured answer, before it is rendered for a terminal, JSON or Discord. */
export interface DraftAnswer {
  lead: string;
  bullets: Array<{ text: string; n: number[] }>;
  sources: Source[];
  citations: Citation[];
  /** A sentence that closes the answer without adding facts (e.g. which page and date a claim comes from). */
  note?: string;
  /** "uncertain": the closest passages are shown, and the lead says the pages may not answer exactly. */
  confidence?: Confidence;
  /** Set (with no lead and no bullets) when the answerer finds that no sentence answers the question. */
  refusalReason?: string;
}

export type Confidence = "confident" | "uncertain";

export type AnswerMode = "extractive" | "openai";

export interface AnswerResult {
  /** The question as searched: personal data and secrets already redacted. */
  question: string;
  answer: string;
  refused: boolean;
  mode: AnswerMode;
  fallbackReason?: string;
  /** Why the engine refused or which formal request it recognised, for moderators and logs. */
  reason?: string;
  /** A refusal's words for the asker (the general one, or one naming what the pages don't mention). */
  refusalText?: string;
  /** How sure the answer is; absent on refusals. Moderators and the gaps report read it. */
  confidence?: Confidence;
  /** Kinds of personal data found (and removed) in the question: the reply suggests deleting the message. */
  redacted: string[];
  draft: DraftAnswer | null;
  citations: Citation[];
  passages: Passage[];
  timings: { retrieveMs: number; answerMs: number; totalMs: number };
}

/** The answering seam: extractive (offline) or a chat model. Both answer only from the given passages. */
export interface Answerer {
  readonly mode: AnswerMode;
  answer(input: AnswerInput): Promise<DraftAnswer>;
}

export interface AnswerInput {
  question: string;
  passages: Passage[];
  /** A recognised formal request: the answer leads with the official channel. */
  request: FormalRequest | null;
  /** Earlier exchange this question follows up on (from the replied-to messages), already redacted. */
  context?: string;
  /** How often each term occurs across the index: what makes a term telling. Absent: counted over the passages. */
  termStats?: TermStats;
  /**
   * The question's focus from the answerability stage: the terms the pages mention (a confident lead covers them)
   * and, in the asker's words, any the pages never mention ("" when none is missing).
   */
  focus?: { terms: string[]; missing: string; missingShare: number };
}

export type FormalRequestKind = "access" | "deletion" | "training-opt-out" | "vulnerability";

export interface FormalRequest {
  kind: FormalRequestKind;
  /** Words added to the search so the passage naming the official channel is retrieved. */
  searchHint: string;
  lead: string;
}
