import type { Table } from "@lancedb/lancedb";
import type { Retriever } from "./retrieval-types.ts";
import type { ChunkStore } from "./chunk-store.ts";
import type { Embedder } from "./embedder.ts";
import { buildIndexStats, indexStatsKey, parseIndexStats, type StatsRow } from "./index-stats.ts";
import { judgeRelevance, type TermStats } from "./relevance.ts";
import { passageColumns, type RetrievalMode, scoreWithin, search } from "./search.ts";
import { termsOf, withSynonyms } from "./terms.ts";
import { defaultVocabulary, type Vocabulary } from "./vocabulary.ts";

export interface RetrieverOptions {
  mode: RetrievalMode;
  vectorWeight: number;
  /**
   * How stale the index may be, in ms: 0 (default) checks for a newer version before every search; more checks at
   * most once per that many ms (a list request on object storage is saved on the other searches).
   */
  refreshMs?: number;
  now?: () => number;
  /** How words are matched (lemmas, synonyms); default: the shipped privacy vocabulary. */
  vocabulary?: Vocabulary;
}

/**
 * Retrieval over the live index. Before a search it moves to the table's latest version (a manifest listing:
 * ~1 ms on disk, a few ms on object storage), at most once per `refreshMs`, so a long-running bot sees a re-ingest
 * without a restart; the term statistics the refusal gate uses are rebuilt only when that version changes.
 */
export async function createRetriever(store: ChunkStore, embedder: Embedder, options: RetrieverOptions): Promise<Retriever> {
  const table: Table = store.requireTable();
  await store.assertEmbedder(embedder, "search");
  const vocabulary = options.vocabulary ?? defaultVocabulary();
  const keysOf = (text: string) => termsOf(text, vocabulary);
  let statsVersion = -1;
  let termStats: TermStats = { passages: 0, documentFrequency: new Map() };
  let columns: string[] | undefined;
  const refreshMs = options.refreshMs ?? 0;
  const now = options.now ?? Date.now;
  let checkedAt = -Infinity;
  const refresh = async () => {
    if (refreshMs > 0 && now() - checkedAt < refreshMs) return;
    checkedAt = now();
    await table.checkoutLatest();
    const version = await table.version();
    if (version === statsVersion) return;
    columns = await passageColumns(table);
    // The statistics the ingest stored for exactly these rows and this vocabulary, or counted here when there are none.
    const hashes = await table.query().select(["content_hash"]).toArray();
    const stored = await store.readIndexStats(
      indexStatsKey(
        hashes.map((row) => row.content_hash as string),
        vocabulary,
      ),
    );
    termStats =
      (stored !== null ? parseIndexStats(stored) : null) ??
      buildIndexStats(
        (await table
          .query()
          .select(["search_text", "url", "title", ...(columns.includes("provider") ? ["provider"] : [])])
          .toArray()) as StatsRow[],
        vocabulary,
      );
    statsVersion = version;
  };
  await refresh();
  return {
    async retrieve(query, limit, retrieveOptions = {}) {
      await refresh();
      const deps = { table, embedder, ...(columns ? { columns } : {}) };
      // Wider searches (the question's parts, its synonyms, a formal request's channel words) may find passages the
      // query's own words miss. They run beside the main search and join after its ranked passages, scored on the
      // query's own scale, so the list stays in rank order and search's top passages are never displaced.
      const widened = retrieveOptions.synonyms ? withSynonyms(query, vocabulary) : query;
      const wider = options.mode === "hybrid" ? [] : [...(retrieveOptions.alsoSearch ?? []), ...(widened !== query ? [widened] : [])];
      const [ranked, ...results] = await Promise.all(
        [query, ...wider].map((text, i) =>
          search(deps, text, { mode: options.mode, limit: i === 0 ? limit : (retrieveOptions.widerLimit ?? 2), vectorWeight: options.vectorWeight }),
        ),
      );
      if (wider.length === 0) return ranked!;
      const found = new Set(ranked!.map((p) => p.id));
      const extra: string[] = [];
      for (const passage of results.flat()) {
        if (found.has(passage.id)) continue;
        extra.push(passage.id);
        found.add(passage.id);
      }
      if (extra.length === 0) return ranked!;
      const rescored = await scoreWithin(deps, query, extra, options.mode);
      return [...ranked!, ...rescored.sort((a, b) => b.score - a.score)];
    },
    judge(query, passages) {
      const { refuse, reason, code, words, unknownWords } = judgeRelevance(query, passages.length, termStats, keysOf);
      return { refuse, reason, code, words, unknownWords };
    },
    termStats: () => termStats,
  };
}
