import type OpenAI from "openai";
// The error classes alone: the SDK itself is loaded only by a process that talks to an endpoint.
import { APIConnectionError, APIConnectionTimeoutError, APIError } from "openai/error";
import { DocentError } from "../errors.ts";
import type { Embedder } from "./embedder.ts";

export interface OpenAIEmbedderOptions {
  client: OpenAI;
  model: string;
  /** Texts per request; the API accepts up to 2,048 inputs, smaller batches keep each call well under its timeout. */
  batchSize?: number;
  /** Known dimension of the model; otherwise it is learned from the first call. */
  dimensions?: number;
}

const KNOWN_DIMENSIONS: Record<string, number> = {
  "text-embedding-3-small": 1536,
  "text-embedding-3-large": 3072,
  "text-embedding-ada-002": 1536,
};

/**
 * Embeddings through any OpenAI-compatible endpoint (OpenAI, Azure OpenAI, Ollama, vLLM) with the openai SDK.
 * Retries with exponential backoff on 429 and 5xx come from the SDK (`maxRetries` on the client).
 */
export async function createOpenAIEmbedder(options: OpenAIEmbedderOptions): Promise<Embedder> {
  const batchSize = options.batchSize ?? 96;
  const embedBatch = async (batch: readonly string[]): Promise<Float32Array[]> => {
    try {
      const response = await options.client.embeddings.create({ model: options.model, input: [...batch], encoding_format: "float" });
      const sorted = [...response.data].sort((a, b) => a.index - b.index);
      if (sorted.length !== batch.length) throw new Error(`asked for ${batch.length} embeddings, got ${sorted.length}`);
      return sorted.map((item) => Float32Array.from(item.embedding));
    } catch (error) {
      throw new DocentError("EMBEDDER_FAILED", `The embedding endpoint failed (${describeApiError(error)}).`, {
        hint: "Check OPENAI_API_KEY, OPENAI_BASE_URL and OPENAI_EMBEDDING_MODEL, or use EMBEDDING_PROVIDER=local.",
        cause: error,
      });
    }
  };
  const dimensions = options.dimensions ?? KNOWN_DIMENSIONS[options.model] ?? (await embedBatch(["dimension probe"]))[0]!.length;
  return {
    id: `openai:${options.model}:${dimensions}`,
    dimensions,
    async embed(texts) {
      const out: Float32Array[] = [];
      for (let i = 0; i < texts.length; i += batchSize) out.push(...(await embedBatch(texts.slice(i, i + batchSize))));
      return out;
    },
  };
}

/** A short reason without the request body or the key. */
export function describeApiError(error: unknown): string {
  // Subclasses first: a timeout is a connection error is an API error.
  if (error instanceof APIConnectionTimeoutError) return "timed out";
  if (error instanceof APIConnectionError) return "could not connect";
  if (error instanceof APIError) return `HTTP ${error.status ?? "error"}${error.code ? ` ${error.code}` : ""}`;
  return error instanceof Error ? error.message.slice(0, 120) : "unknown error";
}
