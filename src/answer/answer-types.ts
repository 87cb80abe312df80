import type { Passage } from "../retrieval/passage.ts";

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
}

export type AnswerMode = "extractive" | "openai";

export interface AnswerResult {
  /** The question as searched: personal data and secrets already redacted. */
  question: string;
  answer: string;
  refused: boolean;
  mode: AnswerMode;
  fallbackReason?: string;
  /** How sure the engine is: `uncertain` means it is unsure and shows the closest passages. Unset: not judged. */
  confidence?: "confident" | "uncertain";
  /** Why the engine refused or which formal request it recognised, for moderators and logs. */
  reason?: string;
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
}

export type FormalRequestKind = "access" | "deletion" | "training-opt-out" | "vulnerability";

export interface FormalRequest {
  kind: FormalRequestKind;
  /** Words added to the search so the passage naming the official channel is retrieved. */
  searchHint: string;
  lead: string;
}
