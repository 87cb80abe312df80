import { CONTRACTION_PARTS, normaliseToken, STOP_WORDS, words } from "./text-terms.ts";
import { matchPhrases, type Vocabulary } from "./vocabulary.ts";

/**
 * The terms of a text as the answer engine and the refusal gate compare them: lemmatised, stemmed words, with the
 * vocabulary's synonym phrases folded into one key each ("kept" and "retention" both become `syn:keep`; "zero data
 * retention" and "ZDR" both `syn:zero-data-retention`). Stop words are dropped unless part of a phrase. Pure.
 */
export function termsOf(text: string, vocabulary: Vocabulary): string[] {
  const raw = words(text);
  const tokens = raw.map(normaliseToken);
  const out: string[] = [];
  const matches = matchPhrases(tokens, vocabulary.synonyms);
  let next = 0;
  for (let i = 0; i < tokens.length; i++) {
    const match = matches[next];
    if (match && match.start === i) {
      out.push(match.key);
      i = match.end - 1;
      next++;
      continue;
    }
    if (!STOP_WORDS.has(raw[i]!) && !CONTRACTION_PARTS.has(raw[i]!)) out.push(tokens[i]!);
  }
  return out;
}

/** Which keys of a phrase table (providers, audiences) a text mentions, with counts, in order of first mention. */
export function mentionsOf(text: string, table: Vocabulary["providers"]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const match of matchPhrases(words(text).map(normaliseToken), table)) counts.set(match.key, (counts.get(match.key) ?? 0) + 1);
  return counts;
}

/** The text followed by the other words of every synonym group it uses: a wider query for full-text search. */
export function withSynonyms(text: string, vocabulary: Vocabulary): string {
  const extra = [...new Set(termsOf(text, vocabulary))].flatMap((term) => vocabulary.synonymWords.get(term) ?? []);
  return extra.length === 0 ? text : `${text} ${extra.join(" ")}`;
}

/** The provider a page is about, from its title and web address (e.g. learn.microsoft.com → azure); null if none. */
export function providerOfPage(title: string, url: string, vocabulary: Vocabulary): string | null {
  let host = "";
  try {
    host = new URL(url).hostname.replace(/\./g, " ");
  } catch {
    // A page without a web address says nothing about its provider.
  }
  let best: string | null = null;
  let most = 0;
  for (const [key, count] of mentionsOf(`${title} ${host}`, vocabulary.providers)) if (count > most) [best, most] = [key, count];
  return best;
}
