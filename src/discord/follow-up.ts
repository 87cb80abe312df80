/**
 * Follow-ups without memory: when a member replies to one of Docent's answers, the earlier exchange is read
 * back from the messages themselves — the answer replied to, and the question that answer replied to. Pure.
 */
export interface ReferencedMessage {
  authorId: string;
  content: string;
}

/** The question line Docent puts above /ask answers, so that the message itself says what it answered. */
export const QUESTION_LINE = /^> \*\*Q:\*\* (.+)$/m;

export function followUpContext(
  botId: string,
  answer: ReferencedMessage | null,
  question: ReferencedMessage | null,
): { previousQuestion: string; previousAnswer: string } | null {
  if (!answer || answer.authorId !== botId) return null;
  const previousQuestion = question?.content ?? QUESTION_LINE.exec(answer.content)?.[1] ?? "";
  const previousAnswer = answer.content
    .replace(QUESTION_LINE, "")
    .replace(/^-# .*$/gm, "")
    .replace(/<@!?\d+>/g, "")
    .trim();
  return { previousQuestion, previousAnswer };
}
