import type { Table } from "@lancedb/lancedb";
import type { Retriever } from "../answer/answer-question.ts";
import type { ChunkStore } from "./chunk-store.ts";
import type { Embedder } from "./embedder.ts";
import { buildTermStats, judgeRelevance, type TermStats } from "./relevance.ts";
import { type RetrievalMode, search } from "./search.ts";

export interface RetrieverOptions {
  mode: RetrievalMode;
  vectorWeight: number;
  /**
   * How stale the index may be, in ms: 0 (default) checks for a newer version before every search; more checks at
   * most once per that many ms (a list request on object storage is saved on the other searches).
   */
  refreshMs?: number;
  now?: () => number;
}

/**
 * Retrieval over the live index. Before a search it moves to the table's latest version (a manifest listing:
 * ~1 ms on disk, a few ms on object storage), at most once per `refreshMs`, so a long-running bot sees a re-ingest
 * without a restart; the term statistics the refusal gate uses are rebuilt only when that version changes.
 */
export async function createRetriever(store: ChunkStore, embedder: Embedder, options: RetrieverOptions): Promise<Retriever> {
  const table: Table = store.requireTable();
  await store.assertEmbedder(embedder, "search");
  let statsVersion = -1;
  let termStats: TermStats = { passages: 0, documentFrequency: new Map() };
  const refreshMs = options.refreshMs ?? 0;
  const now = options.now ?? Date.now;
  let checkedAt = -Infinity;
  const refresh = async () => {
    if (refreshMs > 0 && now() - checkedAt < refreshMs) return;
    checkedAt = now();
    await table.checkoutLatest();
    const version = await table.version();
    if (version === statsVersion) return;
    const rows = await table.query().select(["search_text"]).toArray();
    termStats = buildTermStats(rows.map((row) => row.search_text as string));
    statsVersion = version;
  };
  await refresh();
  return {
    async retrieve(query, limit) {
      await refresh();
      return search({ table, embedder }, query, { mode: options.mode, limit, vectorWeight: options.vectorWeight });
    },
    judge(query, passages) {
      const { refuse, reason, code, words, unknownWords } = judgeRelevance(query, passages.length, termStats);
      return { refuse, reason, code, words, unknownWords };
    },
  };
}
