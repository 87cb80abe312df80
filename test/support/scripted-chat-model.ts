import type { ChatMessage, ChatModel } from "../../src/answer/chat/chat-model.ts";

/**
 * A second chat backend, in one file, as any new one would be: it answers from a script instead of a server.
 * A reply may be text, an error, or "hang" (never answers until the deadline aborts it).
 */
export type ScriptedReply = string | Error | "hang";

export interface ScriptedChatModel extends ChatModel {
  /** Every conversation the answerer sent, in order. */
  calls: Array<readonly ChatMessage[]>;
  /** How many calls were aborted by the deadline. */
  aborted: number;
}

export function createScriptedChatModel(...replies: ScriptedReply[]): ScriptedChatModel {
  const model: ScriptedChatModel = {
    calls: [],
    aborted: 0,
    complete(messages, { signal }) {
      model.calls.push(messages);
      const reply = replies.shift() ?? "";
      if (reply instanceof Error) return Promise.reject(reply);
      if (reply !== "hang") return Promise.resolve(reply);
      return new Promise((_, reject) =>
        signal.addEventListener(
          "abort",
          () => {
            model.aborted++;
            reject(signal.reason);
          },
          { once: true },
        ),
      );
    },
  };
  return model;
}
