import { stemmer } from "stemmer";
import { lemmatizer } from "./lemmatizer.ts";

/** English words too common to carry meaning in a privacy question. */
export const STOP_WORDS = new Set(
  (
    "a about above after again against all am an and any are as at be because been before being below between both but by " +
    "can could did do does doing down during each few for from further had has have having he her here hers herself him " +
    "himself his how i if in into is it its itself just me more most my myself no nor not now of off on once only or other " +
    "our ours ourselves out over own same she should so some such than that the their theirs them themselves then there " +
    "these they this those through to too under until up very was we were what when where which while who whom why will " +
    "with would you your yours yourself yourselves"
  ).split(" "),
);

/** Leftovers of English contractions ("what's" → "what" + "s"): never meaningful on their own. */
export const CONTRACTION_PARTS = new Set(["s", "t", "ll", "re", "ve", "d", "m"]);

/** Lower-cased word tokens (letters and digits), keeping inner apostrophes and hyphens out. */
export function words(text: string): string[] {
  return (
    text
      .toLowerCase()
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .match(/[\p{L}\p{N}]+/gu) ?? []
  );
}

/**
 * Word tokens for matching a question against the pages, with the spellings of one name brought together: a short
 * name and the small number or version after it are one token however they are written ("SOC 2", "soc2", "SOC-2" →
 * `soc2`; "GPT-4o", "gpt 4o" → `gpt4o`), and a one-letter prefix joins its word ("e-mail" → `email`). Longer numbers
 * (27001, 2024) stay apart, even when typed joined ("iso27001"): they are telling on their own and pages write them
 * after varying names ("ISO/IEC 27001").
 */
export function termWords(text: string): string[] {
  const joined = text
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/(?<![\p{L}\p{N}])(\p{L})-(?=\p{L}{2})/gu, "$1")
    // …and a name glued to a long number comes apart, as the pages write it ("iso27001" → "iso 27001").
    .replace(/(?<![\p{L}\p{N}])(\p{L}{2,5})(?=\p{N}{3,}(?![\p{L}\p{N}]))/gu, "$1 ")
    .replace(/(?<![\p{L}\p{N}])(\p{L}{2,5})([\s-]?)(\p{N}{1,2}\p{L}{0,2})(?![\p{L}\p{N}])/gu, (whole, name: string, gap: string, number: string) =>
      // Apart by a space, only a version-like number joins ("soc 2", "gpt 4o"), not a count ("kept 30 days").
      STOP_WORDS.has(name) || (gap === " " && /^\p{N}{2}$/u.test(number)) ? whole : `${name}${number}`,
    );
  return joined.match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** The name part of a joined token ("soc2" → "soc"), or null for a plain word. */
export function compoundName(token: string): string | null {
  const match = /^(\p{L}{2,5})\p{N}{1,2}\p{L}{0,2}$/u.exec(token);
  return match ? match[1]! : null;
}

/** Content-word stems: the unit both the local embedder and the lexical scorers compare. */
export function contentStems(text: string): string[] {
  return words(text)
    .filter((w) => !STOP_WORDS.has(w))
    .map((w) => stemmer(w));
}

const normalised = new Map<string, string>();

/**
 * One word → the key both sides of a match share: its dictionary form (WordNet's irregular forms through
 * wink-lemmatizer: kept → keep, held → hold, bought → buy), then its Porter stem (retains → retain). Numbers and
 * two-letter words are kept as they are ("30", "eu"). Memoised: the same few thousand words recur.
 */
export function normaliseToken(word: string): string {
  const known = normalised.get(word);
  if (known !== undefined) return known;
  let key = word;
  if (word.length > 2 && !/\d/.test(word)) {
    const verb = lemmatizer.verb(word);
    const lemma = verb !== word ? verb : lemmatizer.noun(word) !== word ? lemmatizer.noun(word) : lemmatizer.adjective(word);
    key = stemmer(lemma);
  }
  if (normalised.size < 50_000) normalised.set(word, key);
  return key;
}
