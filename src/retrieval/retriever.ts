import type { Table } from "@lancedb/lancedb";
import type { Retriever } from "../answer/answer-question.ts";
import type { ChunkStore } from "./chunk-store.ts";
import type { Embedder } from "./embedder.ts";
import { buildVocabulary, judgeRelevance } from "./relevance.ts";
import { type RetrievalMode, search } from "./search.ts";

export interface RetrieverOptions {
  mode: RetrievalMode;
  vectorWeight: number;
}

/**
 * Retrieval over the live index. Before each search it moves to the table's latest version (a cheap
 * manifest check), so a long-running bot sees a re-ingest without a restart; the vocabulary the refusal gate
 * uses is rebuilt only when that version changes.
 */
export async function createRetriever(store: ChunkStore, embedder: Embedder, options: RetrieverOptions): Promise<Retriever> {
  const table: Table = store.requireTable();
  await store.assertEmbedder(embedder, "search");
  let vocabularyVersion = -1;
  let vocabulary = new Set<string>();
  const refresh = async () => {
    await table.checkoutLatest();
    const version = await table.version();
    if (version === vocabularyVersion) return;
    const rows = await table.query().select(["search_text"]).toArray();
    vocabulary = buildVocabulary(rows.map((row) => row.search_text as string));
    vocabularyVersion = version;
  };
  await refresh();
  return {
    async retrieve(query, limit) {
      await refresh();
      return search({ table, embedder }, query, { mode: options.mode, limit, vectorWeight: options.vectorWeight });
    },
    judge(query, passages) {
      const verdict = judgeRelevance(query, passages.length, vocabulary);
      return { refuse: verdict.refuse, reason: verdict.reason };
    },
  };
}
