import { createHash } from "node:crypto";
import { buildTermStats, type TermStats } from "./relevance.ts";
import { providerOfPage, termsOf } from "./terms.ts";
import type { Vocabulary } from "./vocabulary.ts";

/**
 * The index's term statistics (how many passages use each term, pages per provider), computed once when an ingest
 * writes the index and stored beside it, so a starting `ask` or bot reads them instead of lemmatising every passage.
 * They are stored under a key made of the rows' content hashes and the vocabulary they were counted with: whatever
 * version is live (after an ingest, a rollback or a restore), a reader finds the statistics that match it, or
 * counts them itself when there are none. Pure.
 */
export interface StatsRow {
  search_text: string;
  url: string;
  title: string;
  provider?: string | null;
}

export function buildIndexStats(rows: readonly StatsRow[], vocabulary: Vocabulary): TermStats {
  return {
    ...buildTermStats(
      rows.map((row) => row.search_text),
      (text) => termsOf(text, vocabulary),
    ),
    pageProviders: countPageProviders(rows, vocabulary),
  };
}

/** The key statistics are stored under: the content hashes of the rows (in any order) and the vocabulary's. */
export function indexStatsKey(contentHashes: readonly string[], vocabulary: Vocabulary): string {
  const hash = createHash("sha256").update(vocabulary.fingerprint);
  for (const contentHash of [...contentHashes].sort()) hash.update(`\n${contentHash}`);
  return hash.digest("hex");
}

export function serialiseIndexStats(stats: TermStats): string {
  return JSON.stringify({ passages: stats.passages, documentFrequency: [...stats.documentFrequency], pageProviders: [...(stats.pageProviders ?? [])] });
}

/** Statistics read back; null when the stored text is not what {@link serialiseIndexStats} writes. */
export function parseIndexStats(text: string): TermStats | null {
  try {
    const data = JSON.parse(text) as { passages: unknown; documentFrequency: unknown; pageProviders: unknown };
    if (typeof data.passages !== "number" || !Array.isArray(data.documentFrequency) || !Array.isArray(data.pageProviders)) return null;
    return {
      passages: data.passages,
      documentFrequency: new Map(data.documentFrequency as Array<[string, number]>),
      pageProviders: new Map(data.pageProviders as Array<[string, number]>),
    };
  } catch {
    return null;
  }
}

/** Pages per provider, each page (url) counted once. */
function countPageProviders(rows: readonly StatsRow[], vocabulary: Vocabulary): Map<string, number> {
  const providerOfUrl = new Map<string, string | null>();
  for (const row of rows) if (!providerOfUrl.has(row.url)) providerOfUrl.set(row.url, providerOfPage(row.title, row.url, vocabulary, row.provider));
  const counts = new Map<string, number>();
  for (const provider of providerOfUrl.values()) if (provider) counts.set(provider, (counts.get(provider) ?? 0) + 1);
  return counts;
}
