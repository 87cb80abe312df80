import type { Passage } from "../../retrieval/passage.ts";
import { contentStems } from "../../retrieval/text-terms.ts";
import type { Answerer, AnswerInput, Citation, DraftAnswer, Source } from "../answer-types.ts";
import { datedNote } from "../extractive/extractive-answerer.ts";
import { unsafeReason } from "../guards/unsafe-passages.ts";
import { splitSentences } from "../language/sentences.ts";
import { buildChatMessages } from "./build-prompt.ts";
import type { ChatModel } from "./chat-model.ts";
import { chatReplyProblem, checkCitationNumbers, citedNumbers, unmarkedBullets } from "./verify-citations.ts";

/** Why a chat answer was not used; the extractive answer is used instead and the result says so. */
export class ChatFallback extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/**
 * The longest reply looked at. The prompt asks for under 900 characters and 600 tokens; a server that ignores
 * both (a local one, a hostile proxy) could send megabytes, and every guard below reads the whole text.
 */
export const MAX_REPLY_CHARS = 4_000;

export interface ChatAnswererOptions {
  model: ChatModel;
  /**
   * One deadline for the whole chat call, every retry and backoff included (ANSWER_TIMEOUT_MS): past it the
   * request is aborted and the engine answers extractively.
   */
  deadlineMs?: number;
}

/**
 * Answers with any chat model behind the ChatModel seam. The model's text is accepted only if it is short enough,
 * every [n] names a given passage, at least one does, every bullet carries one, and it repeats nothing unsafe;
 * otherwise a ChatFallback is thrown for the engine to answer extractively. Vendor-free: the adapter only talks.
 */
export function createChatAnswerer(options: ChatAnswererOptions): Answerer {
  return {
    mode: "openai",
    async answer(input) {
      let content: string;
      // Without ANSWER_TIMEOUT_MS the adapter's own timeout governs, and the signal never aborts.
      const deadline = options.deadlineMs === undefined ? new AbortController().signal : AbortSignal.timeout(options.deadlineMs);
      const pastDeadline = () => new ChatFallback(`the answer deadline passed (${options.deadlineMs} ms, ANSWER_TIMEOUT_MS)`);
      try {
        const request = options.model.complete(buildChatMessages(input.question, input.passages, input.context), { signal: deadline });
        // The race returns at the deadline even if an adapter ignores the signal.
        content = await Promise.race([request, rejectWhenAborted(deadline)]);
      } catch (error) {
        if (deadline.aborted) throw pastDeadline();
        throw new ChatFallback(`chat model failed: ${error instanceof Error ? error.message : String(error).slice(0, 120)}`);
      }
      // A reply that arrives as the deadline passes is not worth checking: the reader is waiting.
      if (deadline.aborted) throw pastDeadline();
      if (content.length > MAX_REPLY_CHARS)
        throw new ChatFallback(`chat reply too long (${content.length} characters, over ${MAX_REPLY_CHARS}); it was not read`);
      content = content.trim();
      if (content === "") throw new ChatFallback("chat model returned an empty answer");
      if (/^NOT_COVERED\b/.test(content)) throw new ChatFallback("chat model said the passages do not cover the question");
      const problem = chatReplyProblem(content, input.passages.length);
      if (problem) throw new ChatFallback(problem);
      const check = checkCitationNumbers(content, input.passages.length);
      if (!check.ok) {
        throw new ChatFallback(
          check.invalid.length > 0
            ? `chat answer cited passages that were not given: ${check.invalid.map((n) => `[${n}]`).join(" ")}`
            : "chat answer had no citation",
        );
      }
      const unmarked = unmarkedBullets(content);
      if (unmarked > 0) throw new ChatFallback(`chat answer had ${unmarked} bullet(s) without a citation`);
      // A planted instruction, masked link or invite that the model repeated from a poisoned page.
      const unsafe = unsafeReason(content);
      if (unsafe) throw new ChatFallback(`chat answer repeated an unsafe passage (it ${unsafe})`);
      return draftFromChat(content, input);
    },
  };
}

function rejectWhenAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
}

/**
 * Renumbers the model's passage markers into source numbers (one per page) and pairs each cited passage with
 * the sentence of it that best matches the claim, so every citation carries a verbatim quote.
 */
function draftFromChat(content: string, input: AnswerInput): DraftAnswer {
  const sources: Source[] = [];
  const sourceOf = (passage: Passage) => {
    let source = sources.find((s) => s.url === passage.url);
    if (!source) {
      source = { n: sources.length + 1, title: passage.title, url: passage.url, pageDate: passage.pageDate };
      sources.push(source);
    }
    return source.n;
  };
  const citations: Citation[] = [];
  const renumber = (line: string) => {
    const claim = line.replace(/\[\d{1,2}\]/g, "");
    return line.replace(/((?:\[\d{1,2}\])+)/g, (group) => {
      const numbers = citedNumbers(group).map((k) => {
        const passage = input.passages[k - 1]!;
        const n = sourceOf(passage);
        const quote = bestSentence(passage.text, claim);
        if (!citations.some((c) => c.n === n && c.quote === quote)) citations.push({ n, title: passage.title, url: passage.url, quote });
        return n;
      });
      return [...new Set(numbers)].map((n) => `[${n}]`).join("");
    });
  };
  const lines = content
    .split(/\n+/)
    .map((l) => l.trim())
    .filter(Boolean);
  const bulletLines = lines.filter((l) => /^[-*•]\s+/.test(l));
  const leadLines = lines.filter((l) => !/^[-*•]\s+/.test(l));
  const lead = renumber(leadLines.join(" "));
  const bullets = bulletLines.map((l) => {
    const text = renumber(l.replace(/^[-*•]\s+/, ""));
    return { text: text.replace(/\s*(?:\[\d+\])+\s*$/, ""), n: citedNumbers(text.match(/(?:\[\d+\])+\s*$/)?.[0] ?? "") };
  });
  const note = datedNote(sources);
  return { lead, bullets, sources, citations, ...(note ? { note } : {}) };
}

function bestSentence(passageText: string, claim: string): string {
  const claimStems = new Set(contentStems(claim));
  let best = "";
  let bestScore = -1;
  for (const sentence of splitSentences(passageText)) {
    if (unsafeReason(sentence)) continue;
    const score = contentStems(sentence).filter((s) => claimStems.has(s)).length;
    if (score > bestScore) {
      best = sentence;
      bestScore = score;
    }
  }
  return best || passageText.slice(0, 200);
}
