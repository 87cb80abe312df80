import type OpenAI from "openai";
import type { Config } from "../config.ts";
import { ChunkStore } from "../retrieval/chunk-store.ts";
import type { Embedder } from "../retrieval/embedder.ts";
import { createLocalEmbedder } from "../retrieval/local-embedder.ts";
import { storageOptionsFor } from "../retrieval/storage-options.ts";

/** The index at LANCEDB_URI (or `--db`), with the object-storage settings it needs. */
export async function openStore(config: Config, dbUri?: string): Promise<ChunkStore> {
  const uri = dbUri ?? config.LANCEDB_URI;
  return ChunkStore.open(uri, { storageOptions: storageOptionsFor(uri, config) });
}

/**
 * The OpenAI client a process uses, built once by its entry point and handed to the embedder and the chat answerer
 * alike; null when neither EMBEDDING_PROVIDER nor LLM_PROVIDER is `openai`. The SDK is loaded only then, so the
 * offline configuration never pays for it.
 */
export async function createOpenAIClient(config: Config): Promise<OpenAI | null> {
  if (config.EMBEDDING_PROVIDER !== "openai" && config.LLM_PROVIDER !== "openai") return null;
  const { default: OpenAI } = await import("openai");
  return new OpenAI({
    // Local OpenAI-compatible servers (Ollama, vLLM) take any key; the SDK insists on one.
    apiKey: config.OPENAI_API_KEY ?? "not-needed-for-local-servers",
    baseURL: config.OPENAI_BASE_URL,
    timeout: config.OPENAI_TIMEOUT_MS,
    maxRetries: config.OPENAI_MAX_RETRIES,
  });
}

/** The embedder EMBEDDING_PROVIDER names. An OpenAI model whose size is not known is probed with one request. */
export async function createEmbedder(config: Config, openai: OpenAI | null): Promise<Embedder> {
  if (config.EMBEDDING_PROVIDER === "local") return createLocalEmbedder();
  const { createOpenAIEmbedder } = await import("../retrieval/openai-embedder.ts");
  return createOpenAIEmbedder({ client: requireClient(openai, "EMBEDDING_PROVIDER"), model: config.OPENAI_EMBEDDING_MODEL });
}

/** The client createOpenAIClient built for a provider set to `openai`; null there is a wiring mistake. */
export function requireClient(openai: OpenAI | null, setting: string): OpenAI {
  if (openai === null) throw new Error(`${setting}=openai, but no OpenAI client was passed`);
  return openai;
}
