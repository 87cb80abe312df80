import type { Table } from "@lancedb/lancedb";
import type { Retriever } from "../answer/answer-question.ts";
import type { ChunkStore } from "./chunk-store.ts";
import type { Embedder } from "./embedder.ts";
import type { Passage } from "./passage.ts";
import { type RetrievalMode, search } from "./search.ts";

export interface RetrieverOptions {
  mode: RetrievalMode;
  vectorWeight: number;
}

/**
 * Retrieval over the live index. Before each search it moves to the table's latest version (a cheap
 * manifest check), so a long-running bot sees a re-ingest without a restart.
 */
export async function createRetriever(store: ChunkStore, embedder: Embedder, options: RetrieverOptions): Promise<Retriever & { refresh(): Promise<void> }> {
  const table: Table = store.requireTable();
  await store.assertEmbedder(embedder, "search");
  return {
    async refresh() {
      await table.checkoutLatest();
    },
    async retrieve(query, limit) {
      await table.checkoutLatest();
      return search({ table, embedder }, query, { mode: options.mode, limit, vectorWeight: options.vectorWeight });
    },
    judge(_query, passages: readonly Passage[]) {
      return passages.length === 0 ? { refuse: true, reason: "nothing retrieved" } : { refuse: false, reason: "" };
    },
  };
}
