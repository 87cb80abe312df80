/**
 * The seam between the chat answerer and a vendor: one call that turns messages into the model's text. Everything
 * the answer depends on (citations, guards, the deadline, the fallback) lives in chat-answerer.ts and holds for any
 * backend; a backend is one adapter file implementing this (openai-chat-model.ts; test/support has a scripted one).
 */
export interface ChatMessage {
  role: "system" | "user";
  content: string;
}

export interface ChatModel {
  /**
   * The model's reply text. Must stop, and clear any timer or retry it started, as soon as `signal` aborts (the
   * answer deadline); a failure rejects with an Error whose message is a short reason without secrets.
   */
  complete(messages: readonly ChatMessage[], options: { signal: AbortSignal }): Promise<string>;
}
