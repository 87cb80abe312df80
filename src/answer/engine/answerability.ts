import type { TermStats } from "../../retrieval/relevance.ts";
import type { Vocabulary } from "../../retrieval/vocabulary.ts";
import type { ScoringProfile } from "../extractive/scoring-profile.ts";
import { describeMissing, findFocus, type QuestionFocus } from "../language/question-focus.ts";

/**
 * The answerability stage, between search and answering: can the pages answer this at all? (Requests outside the
 * bot's subject — code, recipes, account support — are turned away before any search, see language/off-topic.ts.)
 * A question whose focus the pages never mention is refused
 * ("is OpenAI FedRAMP authorized?" — no page says FedRAMP), naming what is missing in the asker's words. When only
 * part of the focus is missing, the question is answered, but never confidently. Pure.
 */
export type Answerability =
  | { kind: "answer"; focus: QuestionFocus; missing: string }
  | { kind: "refuse"; code: "focus-not-mentioned"; reason: string; missing: string };

export function judgeAnswerability(question: string, stats: TermStats, vocabulary: Vocabulary, profile: ScoringProfile): Answerability {
  const focus = findFocusIn(question, stats, vocabulary, profile);
  const missing = describeMissing(focus.missing);
  if (focus.missing.length > 0 && focus.missingShare >= profile.focus.refuseMissingShare) {
    return { kind: "refuse", code: "focus-not-mentioned", reason: `not covered: ${missing}`, missing };
  }
  return { kind: "answer", focus, missing };
}

/** The question's focus judged against the index's term statistics. */
export function findFocusIn(question: string, stats: TermStats, vocabulary: Vocabulary, profile: ScoringProfile): QuestionFocus {
  return findFocus(question, {
    vocabulary,
    documentFrequency: (term) => stats.documentFrequency.get(term) ?? 0,
    passages: stats.passages,
    indexTerms: () => stats.documentFrequency.keys(),
    profile: profile.focus,
  });
}
