import type { AnswerResult } from "../answer-types.ts";

/** The `ask --json` contract: exactly these fields (plus mode details), passages in rank order. */
export function answerJson(result: AnswerResult) {
  return {
    question: result.question,
    answer: result.answer,
    refused: result.refused,
    ...(result.confidence ? { confidence: result.confidence } : {}),
    mode: result.mode,
    ...(result.fallbackReason ? { fallbackReason: result.fallbackReason } : {}),
    ...(result.reason ? { reason: result.reason } : {}),
    citations: result.citations.map(({ n, title, url, quote }) => ({ n, title, url, quote })),
    passages: result.passages.map(({ id, title, url, heading, text, score }) => ({ id, title, url, heading, text, score: Math.round(score * 1e4) / 1e4 })),
    timings: result.timings,
  };
}
