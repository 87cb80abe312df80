import type { Logger } from "../log.ts";
import type { Passage } from "../retrieval/passage.ts";
import { cleanQuery } from "../retrieval/clean-query.ts";
import type { TermStats } from "../retrieval/relevance.ts";
import type { Answerer, AnswerResult, DraftAnswer } from "./answer-types.ts";
import { createExtractiveAnswerer } from "./extractive-answerer.ts";
import { recogniseFormalRequest } from "./formal-requests.ts";
import { splitQuestionParts } from "./question-analysis.ts";
import { ChatFallback } from "./openai-answerer.ts";
import { collectAllowance, sanitizeOutput } from "./output-guards.ts";
import { redact } from "./redact.ts";
import { renderAnswer, renderRefusal } from "./render-answer.ts";

/** What the engine needs from retrieval: ranked passages, and a verdict on whether they answer at all. */
export interface Retriever {
  /** `synonyms`: also search the vocabulary's other words for the query's terms (wider, less precise). */
  retrieve(query: string, limit: number, options?: { synonyms?: boolean }): Promise<Passage[]>;
  judge(query: string, passages: readonly Passage[]): { refuse: boolean; reason: string };
  /** Term frequencies over the live index, for weighing a question's words (optional for simple retrievers). */
  termStats?(): TermStats;
}

export interface EngineDeps {
  retriever: Retriever;
  answerer: Answerer;
  logger?: Logger;
}

export interface AskOptions {
  /** Passages handed to the answerer (and returned, in rank order). */
  limit?: number;
  /** The earlier exchange a follow-up replies to, read from the referenced messages themselves. */
  followUp?: { previousQuestion: string; previousAnswer: string };
}

const REDACTION_LABEL = /\[(?:email|secret|card number|phone|ip address|private url|address|name)\]/g;
const extractive = createExtractiveAnswerer();
/** Passages the answer layer chooses sentences from; the first `limit` keep search's order for the reader. */
const ANSWER_POOL = 8;
/** Passages added for each part of a question in several parts. */
const PART_POOL = 2;

/**
 * One question in, one cited answer (or an honest refusal) out. Personal data is redacted first, so nothing
 * after this line — search, model, logs, answer — ever sees it.
 */
export async function answerQuestion(deps: EngineDeps, rawQuestion: string, options: AskOptions = {}): Promise<AnswerResult> {
  const started = performance.now();
  const redacted = redact(rawQuestion);
  const searchText = cleanQuery(redacted.text.replace(REDACTION_LABEL, " "));
  // A follow-up ("what about Azure?") only makes sense with the question it follows: search with both.
  const previous = options.followUp ? cleanQuery(redact(options.followUp.previousQuestion).text.replace(REDACTION_LABEL, " ")) : "";
  const context = options.followUp ? redact(`Earlier question: ${options.followUp.previousQuestion}\nEarlier answer: ${options.followUp.previousAnswer}`).text : undefined;
  const request = recogniseFormalRequest(searchText);
  const limit = options.limit ?? 5;

  // The answer layer looks a little deeper than the passages shown first: the sentence that answers may sit in a
  // passage that search ranked sixth, on the right provider's page.
  const passages = searchText === "" ? [] : await deps.retriever.retrieve(previous ? `${searchText} ${previous}` : searchText, Math.max(limit, ANSWER_POOL));
  // A question in several parts gets the best passages for each part too, so every part can be answered.
  const parts = splitQuestionParts(searchText);
  for (const part of parts.length > 1 ? parts : []) {
    for (const passage of await deps.retriever.retrieve(part, PART_POOL)) if (!passages.some((p) => p.id === passage.id)) passages.push(passage);
  }
  // The pages may say it in other words ("staff" / "employees", "read" / "access"): a few passages found with the
  // vocabulary's synonyms join the pool. They never displace search's own top passages (measured: a query widened
  // with synonyms ranks worse overall, but it finds what the literal words miss).
  if (searchText !== "") {
    for (const passage of await deps.retriever.retrieve(searchText, PART_POOL, { synonyms: true })) if (!passages.some((p) => p.id === passage.id)) passages.push(passage);
  }
  const verdict = passages.length === 0 ? { refuse: true, reason: "nothing retrieved" } : deps.retriever.judge(previous ? `${searchText} ${previous}` : searchText, passages);
  if (request && !verdict.refuse) {
    // The passage naming the official channel may rank below the top few: fetch it and add it at the end.
    const channel = await deps.retriever.retrieve(`${request.searchHint} ${searchText}`, 3);
    for (const passage of channel) if (!passages.some((p) => p.id === passage.id) && passages.length < limit + 2) passages.push(passage);
  }
  const retrieved = performance.now();
  const base = { question: redacted.text, redacted: redacted.kinds, passages, mode: deps.answerer.mode };
  const notice = { personalDataNotice: redacted.kinds.length > 0 };

  if (verdict.refuse) {
    deps.logger?.info({ event: "refused", reason: verdict.reason, passages: passages.length }, "answer refused");
    return finish({ ...base, answer: renderRefusal(notice), refused: true, reason: verdict.reason, draft: null, citations: [] }, started, retrieved);
  }

  const termStats = deps.retriever.termStats?.();
  const input = { question: searchText, passages, request, ...(context ? { context } : {}), ...(termStats ? { termStats } : {}) };
  let draft: DraftAnswer;
  let fallbackReason: string | undefined;
  try {
    draft = await deps.answerer.answer(input);
  } catch (error) {
    if (!(error instanceof ChatFallback)) throw error;
    fallbackReason = error.reason;
    deps.logger?.warn({ event: "fallback", reason: fallbackReason }, "chat answer replaced by extractive answer");
    draft = await extractive.answer(input);
  }
  if (draft.bullets.length === 0 && draft.lead === "") {
    const reason = draft.refusalReason ?? "no answerable sentence in the passages";
    deps.logger?.info({ event: "refused", reason: "no-covering-sentence", passages: passages.length }, "answer refused");
    return finish({ ...base, answer: renderRefusal(notice), refused: true, reason, draft: null, citations: [] }, started, retrieved);
  }
  const cited = passages.filter((p) => draft.sources.some((s) => s.url === p.url));
  const allowance = collectAllowance(draft.sources.map((s) => s.url), cited.map((p) => p.text));
  // Guard every piece of text once; the rendering around them adds only fixed words and source URLs.
  draft = {
    ...draft,
    lead: sanitizeOutput(draft.lead, allowance),
    bullets: draft.bullets.map((b) => ({ ...b, text: sanitizeOutput(b.text, allowance) })),
    sources: draft.sources.map((source) => ({ ...source, title: sanitizeOutput(source.title, allowance) })),
  };
  const answer = renderAnswer(draft, notice);
  return finish(
    {
      ...base,
      mode: fallbackReason ? "extractive" : deps.answerer.mode,
      answer,
      refused: false,
      confidence: draft.confidence ?? "confident",
      ...(fallbackReason ? { fallbackReason } : {}),
      ...(request ? { reason: `formal request: ${request.kind}` } : {}),
      draft,
      citations: draft.citations,
    },
    started,
    retrieved,
  );
}

function finish(result: Omit<AnswerResult, "timings">, started: number, retrieved: number): AnswerResult {
  const done = performance.now();
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return { ...result, timings: { retrieveMs: round(retrieved - started), answerMs: round(done - retrieved), totalMs: round(done - started) } };
}
