import type { Passage } from "../../retrieval/passage.ts";
import type { Confidence } from "../answer-types.ts";
import { mentionsOf, providerOfPage, termsOf } from "../../retrieval/terms.ts";
import type { Vocabulary } from "../../retrieval/vocabulary.ts";
import type { QuestionAnalysis, QuestionKind } from "../language/question-analysis.ts";
import { sameWordFamily } from "../language/word-family.ts";
import { type QuotableUnit, quotableUnits } from "./quotable-units.ts";
import { unsafeReason } from "../guards/unsafe-passages.ts";
import type { ScoringProfile } from "./scoring-profile.ts";

/**
 * Sentence choice for the extractive answer. Pure. Every quotable unit of the retrieved passages is scored by how
 * much of the question's weight it covers (rare terms weigh more: the focus of "is there an uptime SLA?" is "SLA",
 * not "is"), whether it is the kind of sentence the question wants (a duration for "how long"), and whether it is
 * about the provider and audience asked about. The best unit leads; each further part of the question gets its
 * own point; then a few supporting units that add something new. Too little coverage means refusal, a middling
 * one an answer marked uncertain.
 */
export interface ScoredUnit {
  unit: QuotableUnit;
  passage: Passage;
  rank: number;
  terms: ReadonlySet<string>;
  /**
   * Share of the question's term weight the unit covers (its own words, or weakly its section heading), discounted
   * when the unit is about another provider or audience: such a unit cannot make an answer confident.
   */
  coverage: number;
  /** Whether the unit's page is about the provider asked about (or a related one) and its audience fits. */
  aboutAsked: boolean;
  /** Share of the question's focus weight the unit (or its heading) covers; 1 when the question has no focus. */
  focusCover: number;
  /** Provider, audience and form fit, 0..1. */
  factor: number;
  score: number;
}

export type Choice = { kind: "answer"; confidence: Confidence; lead: ScoredUnit; points: ScoredUnit[] } | { kind: "refuse"; reason: string };

export interface ChoiceInput {
  analysis: QuestionAnalysis;
  passages: readonly Passage[];
  vocabulary: Vocabulary;
  /** How telling a term is (inverse document frequency over the index); unknown terms weigh the most. */
  weightOf: (term: string) => number;
  /** Whether any indexed passage uses the term; unknown terms cannot be covered, so coverage leaves them out. */
  isKnown?: (term: string) => boolean;
  /** A recognised formal request: sentences naming a channel (email, portal, address) are what it needs. */
  wantsChannel?: boolean;
  /**
   * The question's focus terms that the pages mention (see language/question-focus.ts): a confident lead covers
   * them; and the share of its focus the pages never mention, which must be small for a confident answer.
   */
  focus?: { terms: readonly string[]; missingShare: number };
  profile: ScoringProfile;
}

const DURATION_IN_TEXT =
  /\b\d+\s*(?:-\s*)?(?:days?|weeks?|months?|years?|hours?|minutes?)\b|\b(?:indefinitely|immediately|permanently|until (?:you|the customer|it is|they are|deleted|removed))\b/i;
const CHANNEL_IN_TEXT =
  /[\w.+-]+@[\w-]+\.[\w.]+|https?:\/\/\S+|\b(?:portal|settings|dashboard|form|support team|contact us|help center|privacy center|account team|sales team|bug bounty|bugcrowd)\b/i;
const POLARITY_IN_TEXT = /\b(?:not|no|never|only|unless|by default|does|do|may|can|will|cannot|won't|don't|doesn't)\b/i;
const NOT_A_CLAIM = /\?\s*$|\b(?:learn more|read more|click here|see here|this article|this page|in this section|below)\b/i;

export function chooseSentences(input: ChoiceInput): Choice {
  const { analysis, vocabulary } = input;
  const { weights, limits } = input.profile;
  const providerTerms = new Set(analysis.providerTerms);
  const weightOf = (term: string) => input.weightOf(term) * (providerTerms.has(term) ? weights.providerTermShare : 1);
  const known = input.isKnown ? analysis.terms.filter(input.isKnown) : analysis.terms;
  const unknown = analysis.terms.filter((t) => !known.includes(t));
  // Words no page uses cannot be covered by any sentence; they still weigh a little, since an unknown focus
  // ("uptime SLA", "FedRAMP") is what an unanswerable question often hinges on, but chatty words are unknown too.
  const questionWeight = sum(known.map(weightOf)) + weights.unknownShare * sum(unknown.map(weightOf));
  if (known.length === 0 || questionWeight === 0) return { kind: "refuse", reason: "none of the question's words occurs in the pages" };
  const focusTerms = input.focus?.terms ?? [];

  // A question that names a provider none of the pages is about ("does Anthropic train on my prompts?" on pages
  // from OpenAI and Azure only) has no answer here, however well other providers' sentences match its words.
  const providers = input.passages.map((p) => pageProvider(p, vocabulary));
  if (analysis.providersNamed) {
    const aboutAsked = (provider: string) =>
      analysis.providers.includes(provider) || (vocabulary.relatedProviders.get(provider) ?? []).some((p) => analysis.providers.includes(p));
    if (providers.length > 0 && providers.every((p) => p !== null && !aboutAsked(p))) {
      return { kind: "refuse", reason: "none of the pages found is about the provider the question names" };
    }
  }
  const scored: ScoredUnit[] = [];
  input.passages.forEach((passage, rank) => {
    const providerFactor = providerFit(providers[rank]!, analysis, vocabulary, weights);
    const { headingTerms, units } = analysedPassage(passage, vocabulary);
    units.forEach(({ unit, terms, unsafe, audience }, index) => {
      // A sentence asking readers to send keys or personal data somewhere, a masked link or an invite is never quoted.
      if (unsafe) return;
      const headingShare = index === 0 && unit.form === "prose" ? weights.openingHeadingShare : weights.headingShare;
      const coverage = coverageOf(known, terms, headingTerms, weightOf, headingShare, weights.prefixShare) / questionWeight;
      const factor =
        providerFactor *
        audienceFit(audience, analysis, weights) *
        (NOT_A_CLAIM.test(unit.claim) ? weights.notAClaim : 1) *
        (unit.form === "table-row" ? weights.tableRow : 1) *
        (unit.text.length > weights.longUnitChars ? weights.longUnit : 1);
      const fit = kindFit(analysis.kind, unit.text, weights) + (input.wantsChannel && CHANNEL_IN_TEXT.test(unit.text) ? weights.requestChannelFit : 0);
      // Search's rank, not its raw score: passages added for a part or with synonyms come from other searches,
      // whose scores are on other scales.
      const prior = weights.rankPrior / (rank + 1);
      const score = (coverage + fit + prior) * factor;
      // A related provider's page (Azure for OpenAI) covers fully; another provider's page or audience only partly.
      const focusCover = focusCoverOf(focusTerms, terms, headingTerms, weightOf, weights.prefixShare);
      const aboutAsked = providerFactor === 1 && audienceFit(audience, analysis, weights) === 1;
      scored.push({ unit, passage, rank, terms, coverage: coverage * Math.min(1, factor / weights.relatedProvider), aboutAsked, focusCover, factor, score });
    });
  });
  if (scored.length === 0) return { kind: "refuse", reason: "no quotable sentence in the passages" };

  const ranked = [...scored].sort((a, b) => b.score - a.score);
  const lead = ranked[0]!;
  const best = Math.max(...scored.map((s) => s.coverage));
  if (best < limits.refuseBelow) {
    return { kind: "refuse", reason: "no sentence in the passages covers the question's focus" };
  }

  if (analysis.broad) return overview(input, lead, scored);
  const chosen: ScoredUnit[] = [lead];
  // Each further part of the question gets the unit that covers that part best, from the provider and plan asked
  // about when the lead is (as for the supporting units below).
  const offSubject = (s: ScoredUnit) => lead.aboutAsked && !s.aboutAsked;
  for (const part of analysis.parts.length > 1 ? analysis.parts : []) {
    const partWeight = sum(part.terms.map(weightOf));
    if (partWeight === 0) continue;
    const partCoverage = (s: ScoredUnit) => coverageOf(part.terms, s.terms, new Set(), weightOf, 0, weights.prefixShare) / partWeight;
    if (Math.max(...chosen.map(partCoverage)) >= limits.partCovered) continue;
    const pick = bestBy(
      scored.filter((s) => !chosen.includes(s) && !offSubject(s) && !isRepeat(s, chosen, limits.repeatOverlap)),
      (s) => (partCoverage(s) + kindFit(part.kind, s.unit.text, weights)) * s.factor,
    );
    if (pick && partCoverage(pick) >= limits.partPickMin) chosen.push(pick);
  }
  // Then supporting units that add something new and still answer the question well.
  for (const candidate of ranked) {
    if (chosen.length >= limits.maxPoints + 1) break;
    const weak = candidate.score < limits.supportShare * lead.score || candidate.coverage < limits.supportShare * lead.coverage;
    // No filler from another provider's page or another plan's when the lead is about the one asked about.
    if (chosen.includes(candidate) || weak || offSubject(candidate) || isRepeat(candidate, chosen, limits.repeatOverlap)) continue;
    chosen.push(candidate);
  }
  // Confident only when the lead covers the question and its focus, is about the provider and audience asked about,
  // and is the kind of sentence asked for (a duration for "how long"); and no focus word is missing from the pages.
  const confident =
    lead.coverage >= limits.uncertainBelow &&
    lead.factor >= limits.confidentMinFactor &&
    lead.focusCover >= input.profile.focus.confidentFocusCover &&
    (input.focus?.missingShare ?? 0) < input.profile.focus.confidentMaxMissing &&
    answersKind(analysis.kind, lead.unit.text);
  const confidence: Confidence = confident ? "confident" : "uncertain";
  return { kind: "answer", confidence, lead, points: chosen.slice(1) };
}

/**
 * The answer to a broad question: the lead that best sums it up, then one point for each main aspect the pages cover
 * (the vocabulary's overview aspects: training, retention, encryption, access, certifications), each the best-scoring
 * unit that speaks of that aspect, from a page about the provider and audience asked about. Nothing else is added.
 */
function overview(input: ChoiceInput, best: ScoredUnit, scored: readonly ScoredUnit[]): Choice {
  const { limits } = input.profile;
  const { aspects } = input.vocabulary.overview;
  const aspectsOf = (s: ScoredUnit) => aspects.filter((aspect) => [...aspect.terms].some((t) => s.terms.has(t))).length;
  // The sentence that sums it up is the one that speaks of the most aspects; the best-scoring one breaks ties.
  const lead =
    bestBy(
      scored.filter((s) => s.aboutAsked && s.coverage >= limits.refuseBelow),
      (s) => aspectsOf(s) + s.score / (best.score || 1),
    ) ?? best;
  const chosen: ScoredUnit[] = [lead];
  const aboutAsked = (s: ScoredUnit) => s.factor >= lead.factor * limits.supportShare && s.aboutAsked;
  for (const aspect of aspects) {
    if (chosen.some((s) => [...aspect.terms].some((t) => s.terms.has(t)))) continue;
    const pick = bestBy(
      scored.filter((s) => !chosen.includes(s) && aboutAsked(s) && [...aspect.terms].some((t) => s.terms.has(t)) && !isRepeat(s, chosen, limits.repeatOverlap)),
      (s) => s.score,
    );
    if (pick) chosen.push(pick);
  }
  const confident = lead.coverage >= limits.uncertainBelow && lead.factor >= limits.confidentMinFactor;
  return { kind: "answer", confidence: confident ? "confident" : "uncertain", lead, points: chosen.slice(1) };
}

/** What sentence choice needs of a passage whatever the question: its heading's terms and its quotable units. */
interface AnalysedPassage {
  headingTerms: ReadonlySet<string>;
  units: Array<{ unit: QuotableUnit; terms: ReadonlySet<string>; unsafe: boolean; audience: string | null }>;
}

/**
 * A passage's analysis, remembered per passage: the same passages come back for many questions, and lemmatising
 * their sentences is most of an answer's work. Bounded; oldest entries go first.
 */
const passageCache = new Map<string, { vocabulary: Vocabulary; analysed: AnalysedPassage }>();
const PASSAGE_CACHE_SIZE = 2_000;

function analysedPassage(passage: Passage, vocabulary: Vocabulary): AnalysedPassage {
  const key = `${passage.title}\u0000${passage.heading}\u0000${passage.text}`;
  const cached = passageCache.get(key);
  if (cached && cached.vocabulary === vocabulary) return cached.analysed;
  const passageAudience = dominantAudience(`${passage.heading}\n${passage.text}`, vocabulary, 2);
  const analysed: AnalysedPassage = {
    headingTerms: new Set(termsOf(`${passage.title} ${passage.heading}`, vocabulary)),
    units: quotableUnits(passage.text).map((unit) => ({
      unit,
      terms: new Set(termsOf(unit.text, vocabulary)),
      unsafe: unsafeReason(unit.text) !== null,
      // A lone "ChatGPT" in a page about ChatGPT Enterprise is still about Enterprise: the passage decides unless the
      // sentence itself says clearly (twice) which audience it is about.
      audience: dominantAudience(unit.text, vocabulary, 2, 2) ?? passageAudience ?? dominantAudience(unit.text, vocabulary, 1),
    })),
  };
  if (passageCache.size >= PASSAGE_CACHE_SIZE) passageCache.delete(passageCache.keys().next().value!);
  passageCache.set(key, { vocabulary, analysed });
  return analysed;
}

function coverageOf(
  questionTerms: readonly string[],
  unitTerms: ReadonlySet<string>,
  headingTerms: ReadonlySet<string>,
  weightOf: (t: string) => number,
  headingShare: number,
  prefixShare: number,
): number {
  let covered = 0;
  for (const term of questionTerms) {
    if (unitTerms.has(term)) covered += weightOf(term);
    else if (headingTerms.has(term)) covered += headingShare * weightOf(term);
    else if (sharesPrefix(term, unitTerms)) covered += prefixShare * weightOf(term);
  }
  return covered;
}

/** Share of the focus weight a unit covers, its heading counting in full: the focus is what the unit must be about. */
function focusCoverOf(
  focusTerms: readonly string[],
  unitTerms: ReadonlySet<string>,
  headingTerms: ReadonlySet<string>,
  weightOf: (t: string) => number,
  prefixShare: number,
): number {
  const total = sum(focusTerms.map(weightOf));
  return total === 0 ? 1 : coverageOf(focusTerms, unitTerms, headingTerms, weightOf, 1, prefixShare) / total;
}

/** A lead for a "how long" question states a duration; a "how do I / where" one names a channel. */
function answersKind(kind: QuestionKind, text: string): boolean {
  if (kind === "duration") return DURATION_IN_TEXT.test(text);
  if (kind === "channel") return CHANNEL_IN_TEXT.test(text);
  return true;
}

/** A unit term of the same word family as `term` (see sameWordFamily): "automate" and "automatic". */
function sharesPrefix(term: string, unitTerms: ReadonlySet<string>): boolean {
  for (const other of unitTerms) if (sameWordFamily(term, other)) return true;
  return false;
}

function kindFit(kind: QuestionKind, text: string, weights: ScoringProfile["weights"]): number {
  if (kind === "duration") return DURATION_IN_TEXT.test(text) ? weights.durationFit : 0;
  if (kind === "channel") return CHANNEL_IN_TEXT.test(text) ? weights.channelFit : 0;
  if (kind === "yes-no") return POLARITY_IN_TEXT.test(text) ? weights.yesNoFit : 0;
  return 0;
}

/** The provider a passage's page is about. */
export function pageProvider(passage: Passage, vocabulary: Vocabulary): string | null {
  return providerOfPage(passage.title, passage.url, vocabulary, passage.provider);
}

function providerFit(provider: string | null, analysis: QuestionAnalysis, vocabulary: Vocabulary, weights: ScoringProfile["weights"]): number {
  if (analysis.providers.length === 0 || provider === null) return 1;
  if (analysis.providers.includes(provider)) return 1;
  if ((vocabulary.relatedProviders.get(provider) ?? []).some((p) => analysis.providers.includes(p))) return weights.relatedProvider;
  return analysis.providersNamed ? weights.otherProviderNamed : weights.otherProviderDefault;
}

function audienceFit(audience: string | null, analysis: QuestionAnalysis, weights: ScoringProfile["weights"]): number {
  if (audience === null || analysis.audience === null || audience === analysis.audience) return 1;
  return analysis.audienceNamed ? weights.audienceNamedMismatch : weights.audienceDefaultMismatch;
}

/** The audience a text is about, when one clearly dominates (at least `margin` times the other mentions). */
function dominantAudience(text: string, vocabulary: Vocabulary, margin: number, minMentions = 1): string | null {
  const counts = [...mentionsOf(text, vocabulary.audiences).entries()].sort((a, b) => b[1] - a[1]);
  if (counts.length === 0 || counts[0]![1] < minMentions) return null;
  if (counts.length > 1 && counts[0]![1] < margin * counts[1]![1] + (margin > 1 ? 0 : 1)) return null;
  return counts[0]![0];
}

/** Overlapping chunks and mirrored pages repeat sentences: a unit mostly made of another's terms adds nothing. */
function isRepeat(candidate: ScoredUnit, chosen: readonly ScoredUnit[], maxOverlap: number): boolean {
  return chosen.some((c) => c.unit.claim === candidate.unit.claim || overlap(c.terms, candidate.terms) > maxOverlap);
}

export function overlap(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let shared = 0;
  for (const x of a) if (b.has(x)) shared++;
  return shared / Math.min(a.size, b.size);
}

function bestBy<T>(items: readonly T[], score: (item: T) => number): T | undefined {
  let best: T | undefined;
  let bestScore = -Infinity;
  for (const item of items) {
    const s = score(item);
    if (s > bestScore) [best, bestScore] = [item, s];
  }
  return best;
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
