import type { Passage } from "../../retrieval/passage.ts";
import { buildTermStats, type TermStats } from "../../retrieval/relevance.ts";
import { termsOf } from "../../retrieval/terms.ts";
import { defaultVocabulary, type Vocabulary } from "../../retrieval/vocabulary.ts";
import type { Answerer, AnswerInput, Citation, DraftAnswer, Source } from "../answer-types.ts";
import { analyseQuestion } from "../language/question-analysis.ts";
import { defaultScoringProfile, type ScoringProfile } from "./scoring-profile.ts";
import { chooseSentences, overlap, pageProvider, type ScoredUnit } from "./sentence-choice.ts";

export const UNCERTAIN_LEAD = "I'm not sure the policy pages answer this exactly. These passages come closest:";

/**
 * The offline answerer: leads with the one sentence that best answers the question, then a point for each further
 * part of it and a few supporting quotes, every one verbatim with its source marker. It cannot paraphrase, so it
 * never says anything a source doesn't; when no sentence covers the question it declines instead of quoting
 * something loosely related.
 */
export function createExtractiveAnswerer(options: { vocabulary?: Vocabulary; profile?: ScoringProfile } = {}): Answerer {
  const vocabulary = options.vocabulary ?? defaultVocabulary();
  const profile = options.profile ?? defaultScoringProfile();
  return { mode: "extractive", answer: async (input) => answerExtractively(input, vocabulary, profile) };
}

export function answerExtractively(
  input: AnswerInput,
  vocabulary: Vocabulary = defaultVocabulary(),
  profile: ScoringProfile = defaultScoringProfile(),
): DraftAnswer {
  const analysis = analyseQuestion(input.question, vocabulary, input.termStats?.pageProviders);
  const stats =
    input.termStats ??
    buildTermStats(
      input.passages.map((p) => p.text),
      (text) => termsOf(text, vocabulary),
    );
  const choice = chooseSentences({
    analysis,
    passages: input.passages,
    vocabulary,
    weightOf: termWeights(stats, profile.weights.unknownAsDf),
    isKnown: (term) => stats.documentFrequency.has(term),
    wantsChannel: input.request !== null,
    ...(input.focus ? { focus: { terms: input.focus.terms, missingShare: input.focus.missingShare } } : {}),
    profile,
  });
  if (choice.kind === "refuse") return { lead: "", bullets: [], sources: [], citations: [], refusalReason: choice.reason };

  const { sources, numberOf } = sourceList();
  // Display order is answer order: the lead's page is source [1], and citations follow what the reader sees.
  const shown = [choice.lead, ...choice.points];
  const citations: Citation[] = [];
  const quoted = shown.map((scored) => {
    const n = numberOf(scored.passage);
    for (const quote of scored.unit.quotes) citations.push({ n, title: scored.passage.title, url: scored.passage.url, quote });
    return { text: scored.unit.text, n: [n] };
  });
  const [first, ...rest] = quoted;
  const confident = choice.confidence === "confident";
  const hedge = input.focus?.missing ? `The pages I have don't mention ${input.focus.missing}. These passages come closest:` : UNCERTAIN_LEAD;
  const lead = !confident ? hedge : `${input.request ? `${input.request.lead} ` : ""}${first!.text} [${first!.n[0]}]`;
  const bullets = confident ? rest : quoted;
  const note = datedNote(sources, shown, vocabulary);
  return { lead, bullets, sources, citations, confidence: choice.confidence, ...(note ? { note } : {}) };
}

/** Sources numbered in the order pages are first cited: one number per page, however many quotes it gives. */
export function sourceList(): { sources: Source[]; numberOf: (passage: Passage) => number } {
  const sources: Source[] = [];
  const numberOf = (passage: Passage): number => {
    const existing = sources.find((s) => s.url === passage.url);
    if (existing) return existing.n;
    sources.push({ n: sources.length + 1, title: passage.title, url: passage.url, pageDate: passage.pageDate });
    return sources.length;
  };
  return { sources, numberOf };
}

/** Inverse document frequency: a term in few passages tells more than one in most; unknown terms tell the most. */
export function termWeights(stats: TermStats, unknownAsDf: number): (term: string) => number {
  const n = Math.max(stats.passages, 1);
  return (term) => Math.log((n + 1) / Math.max(stats.documentFrequency.get(term) ?? 0, unknownAsDf) + 0.5);
}

/**
 * When the cited pages of one provider carry different dates, say so: an older page may be superseded. Pages of
 * different providers are not versions of each other, so no date comparison is drawn between them.
 */
export function datedNote(sources: readonly Source[], shown: readonly ScoredUnit[] = [], vocabulary?: Vocabulary): string | undefined {
  const providerOf = (url: string) => {
    const unit = shown.find((s) => s.passage.url === url);
    return unit && vocabulary ? pageProvider(unit.passage, vocabulary) : null;
  };
  const dated = sources.filter((s) => s.pageDate);
  if (dated.length < 2 || new Set(dated.map((s) => s.pageDate)).size < 2) return undefined;
  if (new Set(dated.map((s) => providerOf(s.url))).size > 1) return undefined;
  // Dates alone are no conflict: only quotes from differently dated pages that speak of the same thing may differ.
  const datedUnits = shown.filter((s) => dated.some((d) => d.url === s.passage.url));
  const sameTopic = datedUnits.some((a, i) =>
    datedUnits.slice(i + 1).some((b) => a.passage.url !== b.passage.url && a.passage.pageDate !== b.passage.pageDate && overlap(a.terms, b.terms) >= 0.5),
  );
  if (shown.length > 0 && !sameTopic) return undefined;
  const newest = [...dated].sort((a, b) => (b.pageDate! > a.pageDate! ? 1 : -1))[0]!;
  return `These pages carry different dates (${dated.map((s) => `[${s.n}] ${s.pageDate}`).join(", ")}); if they seem to differ, check [${newest.n}], the most recent, for the current wording.`;
}
