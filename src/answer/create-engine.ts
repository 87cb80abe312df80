import type { Config } from "../config.ts";
import type { Logger } from "../log.ts";
import { ChunkStore } from "../retrieval/chunk-store.ts";
import { createEmbedder, createOpenAIClient } from "../retrieval/create-embedder.ts";
import { createRetriever } from "../retrieval/retriever.ts";
import { storageOptionsFor } from "../retrieval/storage-options.ts";
import { defaultVocabulary, loadVocabulary } from "../retrieval/vocabulary.ts";
import type { EngineDeps } from "./answer-question.ts";
import type { Answerer } from "./answer-types.ts";
import { createExtractiveAnswerer } from "./extractive-answerer.ts";

export interface Engine extends EngineDeps {
  store: ChunkStore;
  close(): void;
}

/**
 * Builds the answer engine from configuration: the store, the embedder the index was built with, the
 * retriever and the answerer. Shared by the entry points that answer questions (ask, eval, the bot).
 * With `ingestIfMissing`, an absent index is first built from KNOWLEDGE_DIR, so a fresh clone answers at once.
 */
export async function createEngine(config: Config, options: { dbUri?: string; logger?: Logger; ingestIfMissing?: boolean; onNotice?: (text: string) => void } = {}): Promise<Engine> {
  const uri = options.dbUri ?? config.LANCEDB_URI;
  const store = await ChunkStore.open(uri, { storageOptions: storageOptionsFor(uri, config) });
  try {
    const embedder = await createEmbedder(config);
    if (!store.exists && options.ingestIfMissing) {
      options.onNotice?.(`No index at ${store.uri} yet: ingesting ${config.KNOWLEDGE_DIR} first…`);
      // Loaded only here: the ingest pipeline (HTML parsing, Readability, Turndown) is not needed to answer.
      const { runIngest } = await import("../ingest/run-ingest.ts");
      await runIngest({ store, embedder }, { sources: [config.KNOWLEDGE_DIR], maxBytes: config.INGEST_MAX_FILE_BYTES, maxChunksPerPage: config.INGEST_MAX_CHUNKS_PER_PAGE });
    }
    // One vocabulary for the refusal gate, the wider searches and the extractive answerer.
    const vocabulary = config.VOCABULARY_FILE ? loadVocabulary(config.VOCABULARY_FILE) : defaultVocabulary();
    const retriever = await createRetriever(store, embedder, { mode: config.RETRIEVAL_MODE, vectorWeight: config.HYBRID_VECTOR_WEIGHT, refreshMs: config.INDEX_REFRESH_MS, vocabulary });
    const extractive = createExtractiveAnswerer({ vocabulary });
    const answerer: Answerer = config.LLM_PROVIDER === "openai" ? await createChatAnswerer(config) : extractive;
    return { store, retriever, answerer, fallback: extractive, ...(options.logger ? { logger: options.logger } : {}), close: () => store.close() };
  } catch (error) {
    store.close();
    throw error;
  }
}

/** The chat answerer, with the OpenAI SDK loaded only when it is configured. */
async function createChatAnswerer(config: Config): Promise<Answerer> {
  const { createOpenAIAnswerer } = await import("./openai-answerer.ts");
  return createOpenAIAnswerer({ client: await createOpenAIClient(config), model: config.OPENAI_CHAT_MODEL, deadlineMs: config.ANSWER_TIMEOUT_MS });
}
