import type { Logger } from "../../log.ts";
import { cleanQuery } from "../../retrieval/clean-query.ts";
import type { Passage } from "../../retrieval/passage.ts";
import type { RetrievalVerdict, Retriever } from "../../retrieval/retrieval-types.ts";
import type { Answerer, AnswerResult, DraftAnswer } from "../answer-types.ts";
import { createExtractiveAnswerer } from "../extractive/extractive-answerer.ts";
import { recogniseFormalRequest } from "./formal-requests.ts";
import { offTopicKind } from "../language/off-topic.ts";
import { isBroadQuestion, splitQuestionParts } from "../language/question-analysis.ts";
import { ChatFallback } from "../chat/chat-answerer.ts";
import { collectAllowance, sanitizeOutput } from "../guards/output-guards.ts";
import { redact, redactQuestion } from "../guards/redact.ts";
import { defaultVocabulary, type Vocabulary } from "../../retrieval/vocabulary.ts";
import { defaultScoringProfile, type ScoringProfile } from "../extractive/scoring-profile.ts";
import { describeMissing } from "../language/question-focus.ts";
import { findFocusIn, judgeAnswerability } from "./answerability.ts";
import { notMentionedText, OFF_TOPIC_TEXT, renderAnswer, renderRefusal } from "./render-answer.ts";

export interface EngineDeps {
  retriever: Retriever;
  answerer: Answerer;
  /** The offline answerer a failed chat answer falls back to (default: extractive with the shipped vocabulary). */
  fallback?: Answerer;
  logger?: Logger;
  /** The vocabulary and scoring profile of the answerability stage (default: the shipped ones). */
  vocabulary?: Vocabulary;
  profile?: ScoringProfile;
}

export interface AskOptions {
  /** Passages handed to the answerer (and returned, in rank order). */
  limit?: number;
  /** The earlier exchange a follow-up replies to, read from the referenced messages themselves. */
  followUp?: { previousQuestion: string; previousAnswer: string };
}

/** Passages the answer layer chooses sentences from; the first `limit` keep search's order for the reader. */
const ANSWER_POOL = 8;
/** Passages each wider search (a part of the question, its synonyms) may add. */
const WIDER_POOL = 2;

/**
 * One question in, one cited answer (or an honest refusal) out. Personal data is redacted first, so nothing
 * after this line — search, model, logs, answer — ever sees it.
 */
export async function answerQuestion(deps: EngineDeps, rawQuestion: string, options: AskOptions = {}): Promise<AnswerResult> {
  const started = performance.now();
  const redacted = redactQuestion(rawQuestion);
  const searchText = cleanQuery(redacted.searchText);
  // A follow-up ("what about Azure?") only makes sense with the question it follows: search with both.
  const previous = options.followUp ? cleanQuery(redactQuestion(options.followUp.previousQuestion).searchText) : "";
  const context = options.followUp
    ? redact(`Earlier question: ${options.followUp.previousQuestion}\nEarlier answer: ${options.followUp.previousAnswer}`).text
    : undefined;
  const request = recogniseFormalRequest(searchText);
  const limit = options.limit ?? 5;
  const notice = { personalDataNotice: redacted.kinds.length > 0 };
  // Code, recipes or someone's own account: not a question for the policy pages, whatever words it shares with them.
  // Every refusal has one shape: the general words, or the refusal's own (off-topic, what the pages don't mention).
  const refusal = (passages: Passage[], reason: string, text: string | undefined, retrieved: number): AnswerResult =>
    finish(
      {
        question: redacted.text,
        redacted: redacted.kinds,
        passages,
        mode: deps.answerer.mode,
        answer: renderRefusal({ ...notice, ...(text ? { text } : {}) }),
        refused: true,
        reason,
        ...(text ? { refusalText: text } : {}),
        draft: null,
        citations: [],
      },
      started,
      retrieved,
    );
  const offTopic = offTopicKind(searchText);
  if (offTopic) {
    deps.logger?.info({ event: "refused", code: "off-topic", redacted: redacted.kinds, passages: 0 }, "answer refused");
    return refusal([], `off-topic request (${offTopic})`, OFF_TOPIC_TEXT, performance.now());
  }

  // The answer layer looks a little deeper than the passages shown first: the sentence that answers may sit in a
  // passage that search ranked sixth, or one only a part of the question or its synonyms find ("staff" / "employees").
  // Measured: a query widened with synonyms ranks worse overall, so wider searches only add passages after the ranked ones.
  const query = previous ? `${searchText} ${previous}` : searchText;
  const parts = splitQuestionParts(searchText);
  // A broad question ("is my data safe with X?") is answered with an overview: each main aspect is searched for too.
  const vocabulary = deps.vocabulary ?? defaultVocabulary();
  const aspects = isBroadQuestion(searchText, vocabulary) ? vocabulary.overview.aspects.map((aspect) => `${searchText} ${aspect.query}`) : [];
  const passages =
    searchText === ""
      ? []
      : await deps.retriever.retrieve(query, Math.max(limit, ANSWER_POOL), {
          alsoSearch: [...(parts.length > 1 ? parts : []), ...aspects],
          synonyms: true,
          widerLimit: WIDER_POOL,
        });
  const verdict: RetrievalVerdict =
    passages.length === 0 ? { refuse: true, reason: "nothing retrieved", code: "nothing-retrieved" } : deps.retriever.judge(query, passages);
  if (request && !verdict.refuse) {
    // The passage naming the official channel may rank below the top few: search for it too.
    const withChannel = await deps.retriever.retrieve(query, passages.length, { alsoSearch: [`${request.searchHint} ${searchText}`], widerLimit: 3 });
    for (const passage of withChannel) if (!passages.some((p) => p.id === passage.id)) passages.push(passage);
    // Every score is on the query's own scale: keep the pool in rank order.
    passages.sort((a, b) => b.score - a.score);
  }
  const retrieved = performance.now();
  const termStats = deps.retriever.termStats?.();
  const profile = deps.profile ?? defaultScoringProfile();

  if (verdict.refuse) {
    deps.logger?.info(
      {
        event: "refused",
        code: verdict.code ?? "refused",
        words: verdict.words,
        unknownWords: verdict.unknownWords,
        redacted: redacted.kinds,
        passages: passages.length,
      },
      "answer refused",
    );
    // Say what the pages lack in the asker's words when the question's focus is what they never mention.
    const missing = termStats ? describeMissing(findFocusIn(searchText, termStats, vocabulary, profile).missing) : "";
    return refusal(passages, missing ? `${verdict.reason}; not covered: ${missing}` : verdict.reason, missing ? notMentioned(missing) : undefined, retrieved);
  }

  // Answerability: a focus no page mentions ("FedRAMP") is refused before any answer is drafted, naming what is
  // missing; a partly missing focus is answered, never confidently.
  const answerability = termStats ? judgeAnswerability(searchText, termStats, vocabulary, profile) : null;
  if (answerability?.kind === "refuse") {
    deps.logger?.info({ event: "refused", code: answerability.code, redacted: redacted.kinds, passages: passages.length }, "answer refused");
    return refusal(passages, answerability.reason, notMentioned(answerability.missing), retrieved);
  }
  const focus = answerability
    ? {
        terms: answerability.focus.terms.filter((t) => t.known).map((t) => t.term),
        missing: answerability.missing,
        missingShare: answerability.focus.missingShare,
      }
    : undefined;
  // A chat model reads every passage it is given: it keeps the few best, as before; the extractive answerer (and a
  // fallback to it) chooses from the whole pool.
  const chatInput = { question: searchText, passages: passages.slice(0, limit + 2), request, ...(context ? { context } : {}) };
  const input = { question: searchText, passages, request, ...(context ? { context } : {}), ...(termStats ? { termStats } : {}), ...(focus ? { focus } : {}) };
  let draft: DraftAnswer;
  let fallbackReason: string | undefined;
  try {
    draft = await deps.answerer.answer(deps.answerer.mode === "extractive" ? input : chatInput);
  } catch (error) {
    if (!(error instanceof ChatFallback)) throw error;
    fallbackReason = error.reason;
    deps.logger?.warn({ event: "fallback", reason: fallbackReason }, "chat answer replaced by extractive answer");
    // Built only when needed: the composition root passes its own fallback; a bare engine in a test need not.
    draft = await (deps.fallback ?? createExtractiveAnswerer()).answer(input);
  }
  if (draft.bullets.length === 0 && draft.lead === "") {
    const reason = draft.refusalReason ?? "no answerable sentence in the passages";
    deps.logger?.info({ event: "refused", code: "no-covering-sentence", passages: passages.length }, "answer refused");
    return refusal(passages, reason, undefined, retrieved);
  }
  const cited = passages.filter((p) => draft.sources.some((s) => s.url === p.url));
  const allowance = collectAllowance(
    draft.sources.map((s) => s.url),
    cited.map((p) => p.text),
  );
  // Guard every piece of text once; the rendering around them adds only fixed words and source URLs.
  draft = {
    ...draft,
    lead: sanitizeOutput(draft.lead, allowance),
    bullets: draft.bullets.map((b) => ({ ...b, text: sanitizeOutput(b.text, allowance) })),
    sources: draft.sources.map((source) => ({ ...source, title: sanitizeOutput(source.title, allowance) })),
    citations: draft.citations.map((c) => ({ ...c, title: sanitizeOutput(c.title, allowance), quote: sanitizeOutput(c.quote, allowance) })),
  };
  const answer = renderAnswer(draft, notice);
  return finish(
    {
      question: redacted.text,
      redacted: redacted.kinds,
      passages,
      mode: fallbackReason ? "extractive" : deps.answerer.mode,
      answer,
      refused: false,
      // The extractive answerer judges its own confidence (focus included); a chat answer to a question whose focus the
      // pages only partly mention is never confident.
      confidence: draft.confidence ?? (answerability?.missing ? "uncertain" : "confident"),
      ...(fallbackReason ? { fallbackReason } : {}),
      ...(request ? { reason: `formal request: ${request.kind}` } : answerability?.missing ? { reason: `not covered: ${answerability.missing}` } : {}),
      draft,
      citations: draft.citations,
    },
    started,
    retrieved,
  );
}

/** The refusal naming what the pages never mention; the asker's words pass the output guard like any answer text. */
function notMentioned(missing: string): string {
  return sanitizeOutput(notMentionedText(missing), collectAllowance([], []));
}

function finish(result: Omit<AnswerResult, "timings">, started: number, retrieved: number): AnswerResult {
  const done = performance.now();
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return { ...result, timings: { retrieveMs: round(retrieved - started), answerMs: round(done - retrieved), totalMs: round(done - started) } };
}
