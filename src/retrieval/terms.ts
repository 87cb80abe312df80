import { getDomainWithoutSuffix } from "tldts";
import { CONTRACTION_PARTS, compoundName, normaliseToken, STOP_WORDS, termWords, words } from "./text-terms.ts";
import { matchPhrases, type Vocabulary } from "./vocabulary.ts";

/**
 * The terms of a text as the answer engine and the refusal gate compare them: lemmatised, stemmed words, with the
 * vocabulary's synonym phrases folded into one key each ("kept" and "retention" both become `syn:keep`; "zero data
 * retention" and "ZDR" both `syn:zero-data-retention`). Stop words are dropped unless part of a phrase. Pure.
 */
export function termsOf(text: string, vocabulary: Vocabulary): string[] {
  const raw = termWords(text);
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
    if (STOP_WORDS.has(raw[i]!) || CONTRACTION_PARTS.has(raw[i]!)) continue;
    out.push(tokens[i]!);
    // "soc2" also counts as "soc": a page about SOC 2 still talks about SOC reports.
    const name = compoundName(raw[i]!);
    if (name) out.push(normaliseToken(name));
  }
  return out;
}

/** Which keys of a phrase table (providers, audiences) a text mentions, with counts, in order of first mention. */
export function mentionsOf(text: string, table: Vocabulary["providers"]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const match of matchPhrases(termWords(text).map(normaliseToken), table)) counts.set(match.key, (counts.get(match.key) ?? 0) + 1);
  return counts;
}

/** The text followed by the other words of every synonym group it uses: a wider query for full-text search. */
export function withSynonyms(text: string, vocabulary: Vocabulary): string {
  const extra = [...new Set(termsOf(text, vocabulary))].flatMap((term) => vocabulary.synonymWords.get(term) ?? []);
  return extra.length === 0 ? text : `${text} ${extra.join(" ")}`;
}

/**
 * The provider a page is about. The page's own word comes first — its front matter's `provider` label, read as the
 * vocabulary's provider when it names one ("Azure OpenAI Service" → azure), as itself otherwise ("Acme AI" →
 * "acme ai") — then the vocabulary's providers in its title and web address (learn.microsoft.com → azure), then
 * the name of its site (docs.acme.ai → "acme"), so a knowledge base of providers the vocabulary does not list still
 * keeps each provider's pages apart. Null for a page with none of these.
 */
export function providerOfPage(title: string, url: string, vocabulary: Vocabulary, label?: string | null): string | null {
  if (label) return mostMentioned(label, vocabulary) ?? words(label).join(" ");
  let host = "";
  try {
    host = new URL(url).hostname;
  } catch {
    // A page without a web address says nothing about its provider.
  }
  return mostMentioned(`${title} ${host.replace(/\./g, " ")}`, vocabulary) ?? siteName(host);
}

/** The name of a site (docs.acme.ai → "acme"); null for no host and for the names reserved for examples and tests. */
function siteName(host: string): string | null {
  if (host === "" || /(?:^|\.)(?:example\.(?:com|net|org)|example|test|invalid|localhost)$/i.test(host)) return null;
  return getDomainWithoutSuffix(host) ?? null;
}

function mostMentioned(text: string, vocabulary: Vocabulary): string | null {
  let best: string | null = null;
  let most = 0;
  for (const [key, count] of mentionsOf(text, vocabulary.providers)) if (count > most) [best, most] = [key, count];
  return best;
}
