import { CONTRACTION_PARTS, normaliseToken, STOP_WORDS, termWords } from "../../retrieval/text-terms.ts";
import { matchPhrases, type Vocabulary } from "../../retrieval/vocabulary.ts";
import type { ScoringProfile } from "../extractive/scoring-profile.ts";
import { sameWordFamily } from "./word-family.ts";
import { commonWordsNear, zipfFrequency } from "./word-frequency.ts";

/**
 * A question's focus: the words that carry its specific meaning — standards and product names, acronyms, versions,
 * rare nouns ("FedRAMP", "SOC 3", "uptime", "auditor") — told apart from the way it is asked ("ok long story short,
 * my boss read some article…"). A word is focus when everyday English rarely uses it (its Zipf frequency is below the
 * profile's `maxZipf`) or it joins a name and a version ("gpt4o"), and the pages do not use it everywhere (a word
 * in most passages, like "data", tells nothing). Provider names, question fillers and bare numbers are never focus:
 * the provider is judged apart, and a number is usually the asker's guess ("90 days?"). Pure.
 */
export interface FocusTerm {
  /** The term as the answer layer compares it (lemmatised; a synonym group's key). */
  term: string;
  /** The words as the asker wrote them, for saying what is missing in their own words. */
  surface: string;
  /** Whether any indexed passage uses the term (or a near spelling of it). */
  known: boolean;
}

export interface QuestionFocus {
  terms: FocusTerm[];
  /** Focus terms no page uses. */
  missing: FocusTerm[];
  /** Share of the focus terms that no page uses, 0 when there is no focus. */
  missingShare: number;
}

export interface FocusContext {
  vocabulary: Vocabulary;
  /** In how many passages of the index a term occurs. */
  documentFrequency: (term: string) => number;
  /** How many passages the index has. */
  passages: number;
  /** Every term of the index, for recognising a misspelt word as one the pages use. */
  indexTerms: () => Iterable<string>;
  profile: ScoringProfile["focus"];
}

export function findFocus(question: string, context: FocusContext): QuestionFocus {
  const { vocabulary, profile } = context;
  const raw = termWords(question);
  const tokens = raw.map(normaliseToken);
  const providerSpans = matchPhrases(tokens, vocabulary.providers);
  const synonymSpans = matchPhrases(tokens, vocabulary.synonyms);
  const inProvider = (i: number) => providerSpans.some((m) => i >= m.start && i < m.end);
  const candidates: Array<{ term: string; words: string[] }> = [];
  for (let i = 0; i < raw.length; i++) {
    if (inProvider(i)) continue;
    const phrase = synonymSpans.find((m) => m.start === i);
    if (phrase) {
      candidates.push({ term: phrase.key, words: raw.slice(phrase.start, phrase.end) });
      i = phrase.end - 1;
      continue;
    }
    const word = raw[i]!;
    if (STOP_WORDS.has(word) || CONTRACTION_PARTS.has(word) || vocabulary.questionFillers.has(tokens[i]!) || /^\p{N}+$/u.test(word)) continue;
    candidates.push({ term: tokens[i]!, words: [word] });
  }
  const seen = new Set<string>();
  const terms: FocusTerm[] = [];
  for (const { term, words } of candidates) {
    if (seen.has(term)) continue;
    seen.add(term);
    const specific = words.every((w) => /\p{L}\p{N}|\p{N}\p{L}/u.test(w) || (zipfFrequency(w) < profile.maxZipf && !isWayOfAsking(w)));
    if (!specific) continue;
    const df = context.documentFrequency(term);
    if (df > profile.maxIndexShare * context.passages) continue;
    terms.push({ term, surface: surfaceOf(question, words), known: df > 0 || nearKnownTerm(term, context) || words.some(isMisspelling) });
  }
  const missing = terms.filter((t) => !t.known);
  return { terms, missing, missingShare: terms.length === 0 ? 0 : missing.length / terms.length };
}

/**
 * Words that say how something is asked, not what: contractions typed without their apostrophe ("couldnt", "whats",
 * "havent" — a common word plus a clipped verb) and manner adverbs made from a common word ("genuinely",
 * "hypothetically", "quietly").
 */
function isWayOfAsking(word: string): boolean {
  const contraction = /^(\p{L}+?)(nt|s|ll|re|ve|d|m)$/u.exec(word);
  if (contraction && (STOP_WORDS.has(contraction[1]!) || STOP_WORDS.has(`${contraction[1]}n`) || zipfFrequency(`${contraction[1]}n't`) >= COMMON_ZIPF))
    return true;
  const adverb = /^(\p{L}{3,}?)(?:al)?ly$/u.exec(word);
  return adverb !== null && [adverb[1]!, `${adverb[1]}e`, `${adverb[1]}al`, word.replace(/ily$/u, "y")].some((base) => zipfFrequency(base) >= COMMON_ZIPF);
}

/** A word heard every few minutes of everyday speech: at least one use per million words. */
const COMMON_ZIPF = 3;

/**
 * A word neither the pages nor the word list know, one edit away from a common word ("locaton", "seperate"): a
 * misspelling, not a missing focus.
 */
function isMisspelling(word: string): boolean {
  if (word.length < 5 || zipfFrequency(word) > 0) return false;
  return commonWordsNear(word).some((other) => withinOneEdit(word, other));
}

/** "SOC 3", "FedRAMP" and "Okta" as the asker wrote them; the words found by tokenising, as a fallback. */
function surfaceOf(question: string, words: readonly string[]): string {
  // Words are letters and digits only, so they are safe in a pattern; a name and its version may stand apart.
  const pattern = words.map((w) => w.replace(/(\p{L})(?=\p{N})/gu, "$1[\\s-]?")).join("[\\s\\p{P}]+");
  const found = new RegExp(`(?<![\\p{L}\\p{N}])${pattern}(?![\\p{L}\\p{N}])`, "iu").exec(question.normalize("NFKD").replace(/[\u0300-\u036f]/g, ""));
  return found ? found[0] : words.join(" ");
}

/**
 * A misspelling of a word the pages use ("seperate", "retension") or another form of it ("competitor" where the
 * pages say "competing") is not a missing focus: a term one edit away from an indexed term of five or more letters,
 * or of the same word family, counts as known.
 */
function nearKnownTerm(term: string, context: FocusContext): boolean {
  if (term.length < 5 || term.includes(":")) return false;
  for (const other of context.indexTerms()) {
    if (Math.abs(other.length - term.length) <= 1 && other.length >= 5 && withinOneEdit(term, other)) return true;
    if (sameWordFamily(term, other)) return true;
  }
  return false;
}

/** One insertion, deletion, substitution or swap of neighbours turns `a` into `b`. */
function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (a.length === b.length) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true;
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
  }
  const [longer, shorter] = a.length > b.length ? [a, b] : [b, a];
  return longer.slice(i + 1) === shorter.slice(i);
}

/** The missing focus in the asker's words: "FedRAMP", "Okta and Entra", "HITRUST, CSF and ISO 42001". */
export function describeMissing(missing: readonly FocusTerm[]): string {
  const names = [...new Set(missing.map((t) => t.surface))];
  if (names.length <= 1) return names[0] ?? "";
  return `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}
