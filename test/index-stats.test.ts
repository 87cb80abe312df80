import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runIngest } from "../src/ingest/run-ingest.ts";
import { ChunkStore } from "../src/retrieval/chunk-store.ts";
import { buildIndexStats, indexStatsKey, parseIndexStats, serialiseIndexStats } from "../src/retrieval/index-stats.ts";
import { createLocalEmbedder } from "../src/retrieval/local-embedder.ts";
import { createRetriever } from "../src/retrieval/retriever.ts";
import { defaultVocabulary, EMPTY_VOCABULARY } from "../src/retrieval/vocabulary.ts";
import { KNOWLEDGE_DIR, tempDir } from "./support/fixtures.ts";

describe("term statistics stored with the index", () => {
  let work: Awaited<ReturnType<typeof tempDir>>;
  let store: ChunkStore;
  beforeAll(async () => {
    work = await tempDir("docent-stats-");
    store = await ChunkStore.open(path.join(work.dir, "db"));
    await runIngest({ store, embedder: createLocalEmbedder() }, { sources: [KNOWLEDGE_DIR], maxBytes: 5_000_000 });
  }, 120_000);
  afterAll(async () => {
    store.close();
    await work.cleanup();
  });

  it("are written by the ingest under the rows' and the vocabulary's key, equal to counting them afresh", async () => {
    const rows = await store.readAll();
    const vocabulary = defaultVocabulary();
    const stored = await store.readIndexStats(indexStatsKey(rows.map((r) => r.contentHash).reverse(), vocabulary));
    expect(stored).not.toBeNull();
    const counted = buildIndexStats(
      rows.map((r) => ({ search_text: r.searchText, url: r.url, title: r.title, provider: r.provider })),
      vocabulary,
    );
    expect(parseIndexStats(stored!)).toEqual(counted);
    expect(parseIndexStats(serialiseIndexStats(counted))).toEqual(counted);
  });

  it("are not reused with another vocabulary: the retriever counts them itself", async () => {
    const rows = await store.readAll();
    expect(
      await store.readIndexStats(
        indexStatsKey(
          rows.map((r) => r.contentHash),
          EMPTY_VOCABULARY,
        ),
      ),
    ).toBeNull();
    const retriever = await createRetriever(store, createLocalEmbedder(), { mode: "fts", vectorWeight: 0, vocabulary: EMPTY_VOCABULARY });
    expect(retriever.termStats?.().documentFrequency.has("syn:keep")).toBe(false);
    expect(retriever.termStats?.().passages).toBe(rows.length);
  });

  it("ignore text that is not what the ingest writes", () => {
    expect(parseIndexStats("not json")).toBeNull();
    expect(parseIndexStats(JSON.stringify({ passages: "3" }))).toBeNull();
  });
});
