import type OpenAI from "openai";
import type { EngineDeps } from "../answer/engine/answer-question.ts";
import { type Config, knowledgeDirs } from "../config.ts";
import type { Logger } from "../log.ts";
import type { ChunkStore } from "../retrieval/chunk-store.ts";
import type { Embedder } from "../retrieval/embedder.ts";
import { createRetriever } from "../retrieval/retriever.ts";
import { defaultVocabulary, loadVocabulary } from "../retrieval/vocabulary.ts";
import { createAnswerers } from "./answerers.ts";
import { createEmbedder, createOpenAIClient, openStore } from "./clients.ts";

/**
 * What a command that answers questions opens once: the store (LANCEDB_URI or `--db`), the one OpenAI client and
 * the embedder. Its entry point then builds the index if it wants to ({@link buildIndexIfMissing}), creates the
 * engine, and closes the app when it is done.
 */
export interface App {
  readonly config: Config;
  readonly store: ChunkStore;
  readonly embedder: Embedder;
  /** The process's OpenAI client, shared by the embedder and the chat answerer; null when neither uses OpenAI. */
  readonly openai: OpenAI | null;
  close(): void;
}

export interface Engine extends EngineDeps {
  store: ChunkStore;
}

export async function openApp(config: Config, options: { dbUri?: string | undefined } = {}): Promise<App> {
  const store = await openStore(config, options.dbUri);
  try {
    const openai = await createOpenAIClient(config);
    const embedder = await createEmbedder(config, openai);
    return { config, store, embedder, openai, close: () => store.close() };
  } catch (error) {
    store.close();
    throw error;
  }
}

/**
 * Builds the index from KNOWLEDGE_DIRS (or KNOWLEDGE_DIR) when there is none yet, so a fresh clone answers at once. An explicit step of
 * the entry points that want it (ask, the bot, the playground; the sharding manager once before any shard starts).
 * Returns whether it ingested.
 */
export async function buildIndexIfMissing(app: App, onNotice: (text: string) => void): Promise<boolean> {
  if (app.store.exists) return false;
  onNotice(`No index at ${app.store.uri} yet: ingesting ${knowledgeDirs(app.config).join(", ")} first…`);
  const { config } = app;
  // Loaded only here: the ingest pipeline (HTML parsing, Readability, Turndown) is not needed to answer.
  const { runIngest } = await import("../ingest/run-ingest.ts");
  await runIngest(
    { store: app.store, embedder: app.embedder },
    {
      sources: knowledgeDirs(config),
      maxBytes: config.INGEST_MAX_FILE_BYTES,
      maxChunksPerPage: config.INGEST_MAX_CHUNKS_PER_PAGE,
      ...(config.VOCABULARY_FILE ? { vocabulary: loadVocabulary(config.VOCABULARY_FILE) } : {}),
    },
  );
  return true;
}

/** The answer engine over the app's index: retriever, answerer and fallback, sharing one vocabulary. */
export async function createEngine(app: App, options: { logger?: Logger } = {}): Promise<Engine> {
  const { config } = app;
  // One vocabulary for the refusal gate, the wider searches and the extractive answerer.
  const vocabulary = config.VOCABULARY_FILE ? loadVocabulary(config.VOCABULARY_FILE) : defaultVocabulary();
  const retriever = await createRetriever(app.store, app.embedder, {
    mode: config.RETRIEVAL_MODE,
    vectorWeight: config.HYBRID_VECTOR_WEIGHT,
    refreshMs: config.INDEX_REFRESH_MS,
    vocabulary,
  });
  const { answerer, fallback } = await createAnswerers(config, app.openai, vocabulary);
  return { store: app.store, retriever, answerer, fallback, vocabulary, ...(options.logger ? { logger: options.logger } : {}) };
}
