import { setTimeout as sleep } from "node:timers/promises";
import { APIConnectionError, APIError, type OpenAI } from "openai";
import { describeApiError } from "../../retrieval/openai-embedder.ts";
import type { ChatModel } from "./chat-model.ts";

export interface OpenAIChatModelOptions {
  /** The process's client: its per-try timeout (OPENAI_TIMEOUT_MS) and retry count (OPENAI_MAX_RETRIES) apply. */
  client: OpenAI;
  model: string;
}

/**
 * A server's Retry-After longer than this is not waited for: the reader is waiting, so the answer falls back at
 * once rather than at the deadline. (The SDK would sleep for all of it, in a timer the deadline cannot clear.)
 */
const MAX_RETRY_WAIT_MS = 10_000;

/**
 * The ChatModel of any OpenAI-compatible endpoint (OpenAI, Azure, Ollama, vLLM). Retries on 408/409/429/5xx and
 * lost connections are made here, not by the SDK, so that each backoff sleep ends when the deadline aborts and
 * nothing keeps a finished `npm run ask` alive.
 */
export function createOpenAIChatModel(options: OpenAIChatModelOptions): ChatModel {
  const { client, model } = options;
  return {
    async complete(messages, { signal }) {
      for (let attempt = 0; ; attempt++) {
        try {
          const completion = await client.chat.completions.create(
            { model, messages: [...messages], temperature: 0, max_tokens: 600 },
            { signal, maxRetries: 0 },
          );
          return completion.choices?.[0]?.message?.content ?? "";
        } catch (error) {
          const wait = retryWait(error, attempt);
          if (signal.aborted || attempt >= client.maxRetries || wait === null) throw new Error(describeApiError(error), { cause: error });
          if (wait > MAX_RETRY_WAIT_MS) throw new Error(`${describeApiError(error)}, retry after ${Math.round(wait / 1000)} s`, { cause: error });
          // Rejects (and clears the timer) when the deadline aborts.
          await sleep(wait, undefined, { signal });
        }
      }
    },
  };
}

/** How long to wait before trying again, or null when the error is not worth a retry. */
function retryWait(error: unknown, attempt: number): number | null {
  if (error instanceof APIConnectionError) return backoff(attempt);
  if (!(error instanceof APIError) || error.status === undefined) return null;
  const { status } = error;
  if (status !== 408 && status !== 409 && status !== 429 && status < 500) return null;
  return retryAfterMs(error.headers) ?? backoff(attempt);
}

function retryAfterMs(headers: Headers | undefined): number | null {
  const ms = Number.parseFloat(headers?.get("retry-after-ms") ?? "");
  if (ms >= 0) return ms;
  const header = headers?.get("retry-after");
  if (!header) return null;
  const seconds = Number.parseFloat(header);
  if (seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
}

/** 0.5 s, 1 s, 2 s … up to 8 s, less up to a quarter at random so that many clients do not retry together. */
function backoff(attempt: number): number {
  return Math.min(500 * 2 ** attempt, 8_000) * (1 - Math.random() * 0.25);
}
