import { mentionsOf, termsOf } from "../../retrieval/terms.ts";
import { normaliseToken, termWords } from "../../retrieval/text-terms.ts";
import { matchPhrases, type Vocabulary } from "../../retrieval/vocabulary.ts";

/**
 * What a question asks, as the answer layer needs it: the kind of answer that fits, its terms (whole and per
 * part), and which provider and audience it is about. Pure; the rules describe kinds of questions, not particular ones.
 */
export type QuestionKind = "yes-no" | "duration" | "channel" | "open";

export interface QuestionAnalysis {
  kind: QuestionKind;
  /** Distinct terms of the whole question (lemmatised, synonyms folded, fillers out). */
  terms: string[];
  /** The question's parts ("is it secure and is it stored?" has two), each with its own terms and kind. */
  parts: Array<{ text: string; terms: string[]; kind: QuestionKind }>;
  /** Providers the question names; when it names none, the vocabulary's default provider. */
  providers: string[];
  providersNamed: boolean;
  /** Terms that only name a provider ("mistral", "la plateforme"): provider fit is judged apart, so they weigh less. */
  providerTerms: string[];
  /** The audience the question names (business/consumer…), or the default one. */
  audience: string | null;
  audienceNamed: boolean;
  /** A broad question ("is my data safe with X?"): its words only voice a concern; it gets an overview answer. */
  broad: boolean;
}

const AUXILIARY = /^(?:is|are|was|were|do|does|did|can|could|will|would|should|shall|has|have|had|may|might|must|am)\b/i;
const DURATION =
  /\bhow long\b|\bhow many (?:days|weeks|months|years|hours)\b|\b(?:retention|storage|deletion) (?:period|time|window|schedule)\b|\bwhen (?:is|are|will|do|does)\b.{0,60}\b(?:delet|remov|eras|purg|wip)\w*/i;
const CHANNEL =
  /\bhow (?:do|can|could|should|would) (?:i|we|you|one|my|our)\b|\bhow to\b|\bwhere (?:do|can|could|should|would|is|are|to)\b|\bwho (?:do|should|can|could) (?:i|we)\b|\b(?:contact|reach out|get in touch)\b/i;
/** Where a question splits into parts: a new sentence, or "and/also" followed by a new clause. */
const PART_BOUNDARY =
  /[?;]+|\.\s+(?=\p{Lu})|\s(?:and|also|plus|as well as|or)\s+(?=(?:is|are|do|does|did|can|could|will|would|should|must|may|might|has|have|how|what|where|when|which|who|whether|if)\b)|,\s*(?=(?:and\s+)?(?:is|are|do|does|can|will|how|what|where|when|which|who)\b)/iu;

/**
 * `pageProviders` (pages per provider in the index) decides the provider a question naming none is about: the
 * vocabulary's default when the index has its pages, otherwise the provider most pages are about — so a knowledge
 * base about another provider needs no edit to the vocabulary.
 */
export function analyseQuestion(question: string, vocabulary: Vocabulary, pageProviders?: ReadonlyMap<string, number>): QuestionAnalysis {
  const termsOfText = (text: string) => termsOf(text, vocabulary).filter((t) => !vocabulary.questionFillers.has(t));
  const pieces = splitQuestionParts(question);
  const parts: QuestionAnalysis["parts"] = [];
  for (const text of pieces) {
    const terms = unique(termsOfText(text));
    // A part with a single term ("what about Azure?") belongs to the one before it.
    if (terms.length < 2 && parts.length > 0) {
      const last = parts[parts.length - 1]!;
      last.text = `${last.text} ${text}`;
      last.terms = unique([...last.terms, ...terms]);
      continue;
    }
    parts.push({ text, terms, kind: kindOf(text) });
  }
  const named = [...mentionsOf(question, vocabulary.providers).keys()];
  const audiences = mentionsOf(question, vocabulary.audiences);
  const audience = audiences.size === 1 ? [...audiences.keys()][0]! : null;
  return {
    kind: kindOf(question),
    terms: unique(termsOfText(question)),
    parts: parts.filter((p) => p.terms.length > 0),
    providers: named.length > 0 ? named : defaultProviders(vocabulary, pageProviders),
    providersNamed: named.length > 0,
    providerTerms: providerTermsOf(question, vocabulary),
    audience: audience ?? vocabulary.defaultAudience,
    audienceNamed: audience !== null,
    broad: isBroadQuestion(question, vocabulary),
  };
}

/**
 * Whether a question only voices a general concern about a provider ("is my data safe with OpenAI?", "can I trust
 * them with confidential documents?"): besides provider, audience and filler words it uses only the vocabulary's
 * overview concerns and the words such questions share, and at least one concern.
 */
export function isBroadQuestion(question: string, vocabulary: Vocabulary): boolean {
  const { concerns, about } = vocabulary.overview;
  if (concerns.size === 0) return false;
  const tokens = termWords(question).map(normaliseToken);
  const named = new Set(
    [...matchPhrases(tokens, vocabulary.providers), ...matchPhrases(tokens, vocabulary.audiences)].flatMap((m) => tokens.slice(m.start, m.end)),
  );
  const terms = termsOf(question, vocabulary).filter((t) => !vocabulary.questionFillers.has(t) && !named.has(t));
  return terms.some((t) => concerns.has(t)) && terms.every((t) => concerns.has(t) || about.has(t));
}

function defaultProviders(vocabulary: Vocabulary, pageProviders?: ReadonlyMap<string, number>): string[] {
  const fromVocabulary = vocabulary.defaultProvider;
  if (!pageProviders || pageProviders.size === 0) return fromVocabulary ? [fromVocabulary] : [];
  if (fromVocabulary && (pageProviders.get(fromVocabulary) ?? 0) > 0) return [fromVocabulary];
  const [most] = [...pageProviders.entries()].sort((a, b) => b[1] - a[1]);
  return most ? [most[0]] : [];
}

function providerTermsOf(question: string, vocabulary: Vocabulary): string[] {
  const tokens = termWords(question).map(normaliseToken);
  return unique(matchPhrases(tokens, vocabulary.providers).flatMap((m) => tokens.slice(m.start, m.end)));
}

/** The question's clauses as written ("is it secure", "is it stored"): searched one by one when there are several. */
export function splitQuestionParts(question: string): string[] {
  return question
    .split(PART_BOUNDARY)
    .map((text) => text?.trim() ?? "")
    .filter((text) => text.split(/\s+/).length >= 2);
}

/** The kind of answer a question (or a part of one) wants. */
export function kindOf(text: string): QuestionKind {
  if (DURATION.test(text)) return "duration";
  if (CHANNEL.test(text)) return "channel";
  const clauses = text.split(/[?.!;,]\s*|\s(?:and|but|so)\s/i).map((c) => c.trim().replace(/^(?:so|and|but|also|ok|okay|hey|hi|quick question:?)\s+/i, ""));
  if (clauses.some((clause) => AUXILIARY.test(clause))) return "yes-no";
  return "open";
}

function unique(items: readonly string[]): string[] {
  return [...new Set(items)];
}
