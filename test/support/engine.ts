import path from "node:path";
import OpenAI from "openai";
import type { EngineDeps } from "../../src/answer/engine/answer-question.ts";
import type { Answerer } from "../../src/answer/answer-types.ts";
import { createExtractiveAnswerer } from "../../src/answer/extractive/extractive-answerer.ts";
import { createChatAnswerer } from "../../src/answer/chat/chat-answerer.ts";
import { createOpenAIChatModel } from "../../src/answer/chat/openai-chat-model.ts";
import { runIngest } from "../../src/ingest/run-ingest.ts";
import { ChunkStore } from "../../src/retrieval/chunk-store.ts";
import { createLocalEmbedder } from "../../src/retrieval/local-embedder.ts";
import { createRetriever } from "../../src/retrieval/retriever.ts";
import { tempDir } from "./fixtures.ts";

/** A real LanceDB index in a temp folder built from the given sources, and an engine over it. */
export async function buildTestEngine(sources: string[], answerer: Answerer = createExtractiveAnswerer()) {
  const work = await tempDir("docent-engine-");
  const dbUri = path.join(work.dir, "db");
  const embedder = createLocalEmbedder();
  const store = await ChunkStore.open(dbUri);
  await runIngest({ store, embedder }, { sources, maxBytes: 5_000_000 });
  const retriever = await createRetriever(store, embedder, { mode: "fts", vectorWeight: 0.3 });
  const engine: EngineDeps & { store: ChunkStore; dbUri: string } = { store, retriever, answerer, dbUri };
  return {
    engine,
    withAnswerer: (other: Answerer): EngineDeps => ({ retriever, answerer: other }),
    close: async () => {
      store.close();
      await work.cleanup();
    },
  };
}

export function openAIAnswererFor(baseURL: string, options: { timeout?: number; maxRetries?: number; deadlineMs?: number } = {}): Answerer {
  const client = new OpenAI({ apiKey: "sk-test", baseURL, timeout: options.timeout ?? 2_000, maxRetries: options.maxRetries ?? 2 });
  return createChatAnswerer({
    model: createOpenAIChatModel({ client, model: "test-chat" }),
    ...(options.deadlineMs !== undefined ? { deadlineMs: options.deadlineMs } : {}),
  });
}
