import type { AnswerResult } from "../answer/answer-types.ts";

/** How a question reached the bot. */
export type QuestionWay = "mention" | "ask" | "forum" | "follow_up";
/** What became of a question: an answer (by confidence), a refusal, a "busy"/"restarting" notice, or an error. */
export type AnswerOutcome = "confident" | "uncertain" | "refused" | "busy" | "failed";

export const QUESTION_WAYS: readonly QuestionWay[] = ["mention", "ask", "forum", "follow_up"];
export const ANSWER_OUTCOMES: readonly AnswerOutcome[] = ["confident", "uncertain", "refused", "busy", "failed"];

/**
 * What the handlers report about their work. The composition root passes an implementation (Prometheus counters
 * when METRICS_PORT is set); handlers only call these hooks, so they know nothing of the metrics library.
 */
export interface BotMetrics {
  asked(way: QuestionWay): void;
  /** `ms`: from the question's arrival to the reply being posted (or the notice, or the failure). */
  answered(outcome: AnswerOutcome, ms: number): void;
  cooldownRejected(): void;
  /** A chat answer replaced by the extractive one; `deadline` when ANSWER_TIMEOUT_MS was the reason. */
  chatFallback(deadline: boolean): void;
  reviewVote(vote: "up" | "down"): void;
}

export const NO_METRICS: BotMetrics = {
  asked: () => {},
  answered: () => {},
  cooldownRejected: () => {},
  chatFallback: () => {},
  reviewVote: () => {},
};

/** The outcome of an answer the engine produced (pure). */
export function outcomeOf(result: Pick<AnswerResult, "refused" | "confidence">): AnswerOutcome {
  if (result.refused) return "refused";
  return result.confidence === "uncertain" ? "uncertain" : "confident";
}

/** Whether a chat fallback reason is the answer deadline (the chat answerer names ANSWER_TIMEOUT_MS in it). */
export function isDeadlineFallback(reason: string | undefined): boolean {
  return reason !== undefined && /deadline|ANSWER_TIMEOUT_MS/.test(reason);
}

/** Reports every hook to each of several recorders (e.g. Prometheus counters and the operator warnings). */
export function teeMetrics(...all: BotMetrics[]): BotMetrics {
  const each = (hook: (m: BotMetrics) => void) => {
    for (const m of all) hook(m);
  };
  return {
    asked: (way) => each((m) => m.asked(way)),
    answered: (outcome, ms) => each((m) => m.answered(outcome, ms)),
    cooldownRejected: () => each((m) => m.cooldownRejected()),
    chatFallback: (deadline) => each((m) => m.chatFallback(deadline)),
    reviewVote: (vote) => each((m) => m.reviewVote(vote)),
  };
}
