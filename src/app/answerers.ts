import type OpenAI from "openai";
import type { Answerer } from "../answer/answer-types.ts";
import { createExtractiveAnswerer } from "../answer/extractive/extractive-answerer.ts";
import type { Config } from "../config.ts";
import type { Vocabulary } from "../retrieval/vocabulary.ts";
import { requireClient } from "./clients.ts";

/**
 * The answerer LLM_PROVIDER names, and the extractive one a failed chat answer falls back to. The chat answerer's
 * modules are loaded only when it is configured. A chat backend is a ChatModel adapter (src/answer/chat/chat-model.ts)
 * handed to the one chat answerer, which keeps the citation checks, guards, deadline and fallback.
 */
export async function createAnswerers(config: Config, openai: OpenAI | null, vocabulary: Vocabulary): Promise<{ answerer: Answerer; fallback: Answerer }> {
  const extractive = createExtractiveAnswerer({ vocabulary });
  if (config.LLM_PROVIDER === "extractive") return { answerer: extractive, fallback: extractive };
  const { createChatAnswerer } = await import("../answer/chat/chat-answerer.ts");
  const { createOpenAIChatModel } = await import("../answer/chat/openai-chat-model.ts");
  const answerer = createChatAnswerer({
    model: createOpenAIChatModel({ client: requireClient(openai, "LLM_PROVIDER"), model: config.OPENAI_CHAT_MODEL }),
    deadlineMs: config.ANSWER_TIMEOUT_MS,
  });
  return { answerer, fallback: extractive };
}
