import type OpenAI from "openai";
import type { Config } from "../config.ts";
import type { Embedder } from "./embedder.ts";
import { createLocalEmbedder } from "./local-embedder.ts";

/**
 * The one OpenAI client per process, shared by the embedder and the chat model. The SDK is loaded here, when a
 * client is built, so the offline configuration never loads it.
 */
export async function createOpenAIClient(config: Config): Promise<OpenAI> {
  const { default: OpenAI } = await import("openai");
  return new OpenAI({
    // Local OpenAI-compatible servers (Ollama, vLLM) take any key; the SDK insists on one.
    apiKey: config.OPENAI_API_KEY ?? "not-needed-for-local-servers",
    baseURL: config.OPENAI_BASE_URL,
    timeout: config.OPENAI_TIMEOUT_MS,
    maxRetries: config.OPENAI_MAX_RETRIES,
  });
}

export async function createEmbedder(config: Config): Promise<Embedder> {
  if (config.EMBEDDING_PROVIDER === "local") return createLocalEmbedder();
  const { createOpenAIEmbedder } = await import("./openai-embedder.ts");
  return createOpenAIEmbedder({ client: await createOpenAIClient(config), model: config.OPENAI_EMBEDDING_MODEL });
}
