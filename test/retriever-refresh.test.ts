import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { runIngest } from "../src/ingest/run-ingest.ts";
import { ChunkStore } from "../src/retrieval/chunk-store.ts";
import { createLocalEmbedder } from "../src/retrieval/local-embedder.ts";
import { createRetriever } from "../src/retrieval/retriever.ts";
import { KNOWLEDGE_DIR, tempDir } from "./support/fixtures.ts";

let work: Awaited<ReturnType<typeof tempDir>>;
let store: ChunkStore;
const embedder = createLocalEmbedder();

beforeAll(async () => {
  work = await tempDir("docent-refresh-");
  store = await ChunkStore.open(path.join(work.dir, "db"));
  await runIngest({ store, embedder }, { sources: [KNOWLEDGE_DIR], maxBytes: 1_000_000 });
});
afterAll(async () => {
  store.close();
  await work.cleanup();
});

describe("INDEX_REFRESH_MS", () => {
  it("checks for a new version before every search by default", async () => {
    const checkout = vi.spyOn(store.requireTable(), "checkoutLatest");
    const retriever = await createRetriever(store, embedder, { mode: "fts", vectorWeight: 0.3 });
    checkout.mockClear();
    for (let i = 0; i < 3; i++) await retriever.retrieve("encryption at rest", 5);
    expect(checkout).toHaveBeenCalledTimes(3);
    checkout.mockRestore();
  });

  it("checks at most once per refresh interval when one is set", async () => {
    let now = 1_000_000;
    const checkout = vi.spyOn(store.requireTable(), "checkoutLatest");
    const retriever = await createRetriever(store, embedder, { mode: "fts", vectorWeight: 0.3, refreshMs: 5_000, now: () => now });
    checkout.mockClear();
    for (let i = 0; i < 3; i++) await retriever.retrieve("encryption at rest", 5);
    expect(checkout).toHaveBeenCalledTimes(0);
    now += 5_001;
    await retriever.retrieve("encryption at rest", 5);
    await retriever.retrieve("encryption at rest", 5);
    expect(checkout).toHaveBeenCalledTimes(1);
    checkout.mockRestore();
  });
});
