import type { Passage } from "../../retrieval/passage.ts";
import type { Confidence } from "../answer-types.ts";
import { mentionsOf, providerOfPage, termsOf } from "../../retrieval/terms.ts";
import type { Vocabulary } from "../../retrieval/vocabulary.ts";
import type { QuestionAnalysis, QuestionKind } from "../language/question-analysis.ts";
import { type QuotableUnit, quotableUnits } from "./quotable-units.ts";
import { unsafeReason } from "../guards/unsafe-passages.ts";

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
}

export const CHOICE_LIMITS = {
  /** Below this coverage by the best unit, the pages don't answer the question: refuse. */
  refuseBelow: 0.12,
  /** Below this, answer but say the answer is uncertain and show the closest passages. */
  uncertainBelow: 0.2,
  /** A supporting point must score, and cover, at least this share of what the lead does. */
  supportShare: 0.45,
  maxPoints: 4,
} as const;

/** Weights of the score's parts, measured on the dev questions (scripts/bench/retrieval.ts prints the result). */
export const SCORING = {
  /** A question term found only in the unit's page title or section heading counts this much. */
  headingShare: 0.4,
  /**
   * ... and this much for the first sentence under the heading: well-written pages answer their heading first, so
   * that sentence carries the heading's topic ("Can I use OpenAI in a private cloud?" → "Azure OpenAI runs…").
   */
  openingHeadingShare: 0.8,
  /** Bonus for the kind of sentence the question wants: a duration for "how long", a channel for "how do I". */
  durationFit: 0.4,
  channelFit: 0.15,
  /** …and a sentence that says yes or no (not, only, by default, may) for a yes/no question. */
  yesNoFit: 0.05,
  /** Search's rank: the first passage gets this much, the second half, the third a third… */
  rankPrior: 0.3,
  /** Unknown terms (in no indexed passage) weigh like terms found in this many passages. */
  unknownAsDf: 1,
  /** A sentence for another audience than the one a question names / defaults to scores this share. */
  audienceNamedMismatch: 0.45,
  audienceDefaultMismatch: 0.75,
  /** A word that names a provider counts this share of its weight (the provider factor already judges the page). */
  providerTermShare: 0.3,
  /** A question word that only shares a long prefix with a sentence's word ("seriously"/"serious") counts this share. */
  prefixShare: 0.7,
  /** How much an unknown question word weighs in the coverage a sentence must reach, as a share of its weight. */
  unknownShare: 0.2,
  /** A table row scores this share of a sentence (it rarely reads as an answer). */
  tableRow: 0.8,
};

const DURATION_IN_TEXT =
  /\b\d+\s*(?:-\s*)?(?:days?|weeks?|months?|years?|hours?|minutes?)\b|\b(?:indefinitely|immediately|permanently|until (?:you|the customer|it is|they are|deleted|removed))\b/i;
const CHANNEL_IN_TEXT =
  /[\w.+-]+@[\w-]+\.[\w.]+|https?:\/\/\S+|\b(?:portal|settings|dashboard|form|support team|contact us|help center|privacy center|account team|sales team|bug bounty|bugcrowd)\b/i;
const POLARITY_IN_TEXT = /\b(?:not|no|never|only|unless|by default|does|do|may|can|will|cannot|won't|don't|doesn't)\b/i;
const NOT_A_CLAIM = /\?\s*$|\b(?:learn more|read more|click here|see here|this article|this page|in this section|below)\b/i;

export function chooseSentences(input: ChoiceInput): Choice {
  const { analysis, vocabulary } = input;
  const providerTerms = new Set(analysis.providerTerms);
  const weightOf = (term: string) => input.weightOf(term) * (providerTerms.has(term) ? SCORING.providerTermShare : 1);
  const known = input.isKnown ? analysis.terms.filter(input.isKnown) : analysis.terms;
  const unknown = analysis.terms.filter((t) => !known.includes(t));
  // Words no page uses cannot be covered by any sentence; they still weigh a little, since an unknown focus
  // ("uptime SLA", "FedRAMP") is what an unanswerable question often hinges on, but chatty words are unknown too.
  const questionWeight = sum(known.map(weightOf)) + SCORING.unknownShare * sum(unknown.map(weightOf));
  if (known.length === 0 || questionWeight === 0) return { kind: "refuse", reason: "none of the question's words occurs in the pages" };

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
    const headingTerms = new Set(termsOf(`${passage.title} ${passage.heading}`, vocabulary));
    const providerFactor = providerFit(providers[rank]!, analysis, vocabulary);
    const passageAudience = dominantAudience(`${passage.heading}\n${passage.text}`, vocabulary, 2);
    unitsOf(passage, vocabulary).forEach(({ unit, terms, unsafe }, index) => {
      // A sentence asking readers to send keys or personal data somewhere, a masked link or an invite is never quoted.
      if (unsafe) return;
      const headingShare = index === 0 && unit.form === "prose" ? SCORING.openingHeadingShare : SCORING.headingShare;
      const coverage = coverageOf(known, terms, headingTerms, weightOf, headingShare) / questionWeight;
      // A lone "ChatGPT" in a page about ChatGPT Enterprise is still about Enterprise: the passage decides unless the
      // sentence itself says clearly (twice) which audience it is about.
      const audience = dominantAudience(unit.text, vocabulary, 2, 2) ?? passageAudience ?? dominantAudience(unit.text, vocabulary, 1);
      const factor =
        providerFactor *
        audienceFit(audience, analysis) *
        (NOT_A_CLAIM.test(unit.claim) ? 0.4 : 1) *
        (unit.form === "table-row" ? SCORING.tableRow : 1) *
        (unit.text.length > 320 ? 0.9 : 1);
      const fit = kindFit(analysis.kind, unit.text) + (input.wantsChannel && CHANNEL_IN_TEXT.test(unit.text) ? 0.3 : 0);
      // Search's rank, not its raw score: passages added for a part or with synonyms come from other searches,
      // whose scores are on other scales.
      const prior = SCORING.rankPrior / (rank + 1);
      const score = (coverage + fit + prior) * factor;
      scored.push({ unit, passage, rank, terms, coverage: coverage * Math.min(1, factor / 0.85), factor, score });
    });
  });
  if (scored.length === 0) return { kind: "refuse", reason: "no quotable sentence in the passages" };

  const ranked = [...scored].sort((a, b) => b.score - a.score);
  const lead = ranked[0]!;
  const best = Math.max(...scored.map((s) => s.coverage));
  if (best < CHOICE_LIMITS.refuseBelow) {
    return { kind: "refuse", reason: "no sentence in the passages covers the question's focus" };
  }

  const chosen: ScoredUnit[] = [lead];
  // Each further part of the question gets the unit that covers that part best.
  for (const part of analysis.parts.length > 1 ? analysis.parts : []) {
    const partWeight = sum(part.terms.map(weightOf));
    if (partWeight === 0) continue;
    const partCoverage = (s: ScoredUnit) => coverageOf(part.terms, s.terms, new Set(), weightOf) / partWeight;
    if (Math.max(...chosen.map(partCoverage)) >= 0.6) continue;
    const pick = bestBy(
      scored.filter((s) => !chosen.includes(s) && !isRepeat(s, chosen)),
      (s) => (partCoverage(s) + kindFit(part.kind, s.unit.text)) * s.factor,
    );
    if (pick && partCoverage(pick) >= 0.4) chosen.push(pick);
  }
  // Then supporting units that add something new and still answer the question well.
  for (const candidate of ranked) {
    if (chosen.length >= CHOICE_LIMITS.maxPoints + 1) break;
    const weak = candidate.score < CHOICE_LIMITS.supportShare * lead.score || candidate.coverage < CHOICE_LIMITS.supportShare * lead.coverage;
    if (chosen.includes(candidate) || weak || isRepeat(candidate, chosen)) continue;
    chosen.push(candidate);
  }
  // A lead from another provider's page (or for another audience than the one named) is never a confident answer.
  const confidence: Confidence = lead.coverage >= CHOICE_LIMITS.uncertainBelow && lead.factor >= 0.5 ? "confident" : "uncertain";
  return { kind: "answer", confidence, lead, points: chosen.slice(1) };
}

/**
 * A passage's quotable units with their terms, remembered per passage text: the same passages come back for many
 * questions, and lemmatising their sentences is most of an answer's work. Bounded; oldest entries go first.
 */
const unitCache = new Map<string, { vocabulary: Vocabulary; units: Array<{ unit: QuotableUnit; terms: ReadonlySet<string>; unsafe: boolean }> }>();
const UNIT_CACHE_SIZE = 2_000;

function unitsOf(passage: Passage, vocabulary: Vocabulary) {
  const cached = unitCache.get(passage.text);
  if (cached && cached.vocabulary === vocabulary) return cached.units;
  const units = quotableUnits(passage.text).map((unit) => ({ unit, terms: new Set(termsOf(unit.text, vocabulary)), unsafe: unsafeReason(unit.text) !== null }));
  if (unitCache.size >= UNIT_CACHE_SIZE) unitCache.delete(unitCache.keys().next().value!);
  unitCache.set(passage.text, { vocabulary, units });
  return units;
}

function coverageOf(
  questionTerms: readonly string[],
  unitTerms: ReadonlySet<string>,
  headingTerms: ReadonlySet<string>,
  weightOf: (t: string) => number,
  headingShare = SCORING.headingShare,
): number {
  let covered = 0;
  for (const term of questionTerms) {
    if (unitTerms.has(term)) covered += weightOf(term);
    else if (headingTerms.has(term)) covered += headingShare * weightOf(term);
    else if (sharesPrefix(term, unitTerms)) covered += SCORING.prefixShare * weightOf(term);
  }
  return covered;
}

/** Forms the lemmatizer and stemmer leave apart ("automate"/"auto-provision" no, "seriously"/"serious" yes). */
function sharesPrefix(term: string, unitTerms: ReadonlySet<string>): boolean {
  if (term.length < 5 || term.includes(":")) return false;
  for (const other of unitTerms) {
    if (other.includes(":") || other.length < 5) continue;
    const shorter = Math.min(term.length, other.length);
    let common = 0;
    while (common < shorter && term[common] === other[common]) common++;
    if (common >= 5 && common >= 0.8 * shorter) return true;
  }
  return false;
}

function kindFit(kind: QuestionKind, text: string): number {
  if (kind === "duration") return DURATION_IN_TEXT.test(text) ? SCORING.durationFit : 0;
  if (kind === "channel") return CHANNEL_IN_TEXT.test(text) ? SCORING.channelFit : 0;
  if (kind === "yes-no") return POLARITY_IN_TEXT.test(text) ? SCORING.yesNoFit : 0;
  return 0;
}

/** The provider a passage's page is about. */
export function pageProvider(passage: Passage, vocabulary: Vocabulary): string | null {
  return providerOfPage(passage.title, passage.url, vocabulary);
}

function providerFit(provider: string | null, analysis: QuestionAnalysis, vocabulary: Vocabulary): number {
  if (analysis.providers.length === 0 || provider === null) return 1;
  if (analysis.providers.includes(provider)) return 1;
  if ((vocabulary.relatedProviders.get(provider) ?? []).some((p) => analysis.providers.includes(p))) return 0.85;
  return analysis.providersNamed ? 0.25 : 0.5;
}

function audienceFit(audience: string | null, analysis: QuestionAnalysis): number {
  if (audience === null || analysis.audience === null || audience === analysis.audience) return 1;
  return analysis.audienceNamed ? SCORING.audienceNamedMismatch : SCORING.audienceDefaultMismatch;
}

/** The audience a text is about, when one clearly dominates (at least `margin` times the other mentions). */
function dominantAudience(text: string, vocabulary: Vocabulary, margin: number, minMentions = 1): string | null {
  const counts = [...mentionsOf(text, vocabulary.audiences).entries()].sort((a, b) => b[1] - a[1]);
  if (counts.length === 0 || counts[0]![1] < minMentions) return null;
  if (counts.length > 1 && counts[0]![1] < margin * counts[1]![1] + (margin > 1 ? 0 : 1)) return null;
  return counts[0]![0];
}

/** Overlapping chunks and mirrored pages repeat sentences: a unit mostly made of another's terms adds nothing. */
function isRepeat(candidate: ScoredUnit, chosen: readonly ScoredUnit[]): boolean {
  return chosen.some((c) => c.unit.claim === candidate.unit.claim || overlap(c.terms, candidate.terms) > 0.6);
}

function overlap(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
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
