import { describe, expect, it } from "vitest";
import type { AnswerInput } from "../src/answer/answer-types.ts";
import { ChatFallback, createChatAnswerer, MAX_REPLY_CHARS } from "../src/answer/chat/chat-answerer.ts";
import type { Passage } from "../src/retrieval/passage.ts";
import { createScriptedChatModel } from "./support/scripted-chat-model.ts";

/** The chat answerer's checks hold for any backend: here a scripted one, no server and no SDK. */
const passages: Passage[] = [
  passage("a", "API data is not used to train models by default. You can opt in through the dashboard."),
  passage("b", "Abuse monitoring logs are kept for up to 30 days and then deleted."),
];
const input: AnswerInput = { question: "do you train on API data?", passages, request: null };

async function fallbackReason(reply: string | Error | "hang", deadlineMs?: number): Promise<string> {
  const answerer = createChatAnswerer({ model: createScriptedChatModel(reply), ...(deadlineMs ? { deadlineMs } : {}) });
  const error = await answerer.answer(input).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ChatFallback);
  return (error as ChatFallback).reason;
}

describe("the chat answerer over a scripted backend", () => {
  it("sends the delimited prompt and turns a well-cited reply into a draft with verbatim quotes", async () => {
    const model = createScriptedChatModel("Not by default [1].\n- You can opt in [1].\n- Logs are kept up to 30 days [2].");
    const draft = await createChatAnswerer({ model }).answer(input);
    expect(model.calls).toHaveLength(1);
    expect(model.calls[0]!.map((m) => m.role)).toEqual(["system", "user"]);
    expect(model.calls[0]![1]!.content).toContain('<passage n="2"');
    expect(draft.lead).toBe("Not by default [1].");
    expect(draft.bullets.map((b) => b.text)).toEqual(["You can opt in [1].", "Logs are kept up to 30 days [2]."]);
    expect(draft.sources.map((s) => s.url)).toEqual(passages.map((p) => p.url));
    for (const c of draft.citations) expect(passages.some((p) => p.url === c.url && p.text.includes(c.quote))).toBe(true);
  });

  it("falls back on an invented citation, no citation, NOT_COVERED and an empty reply", async () => {
    expect(await fallbackReason("Kept forever [7].")).toMatch(/not given passages: \[7\]/);
    expect(await fallbackReason("Kept forever.")).toBe("chat answer had no citation");
    expect(await fallbackReason("NOT_COVERED")).toMatch(/do not cover/);
    expect(await fallbackReason("   ")).toMatch(/empty answer/);
  });

  it("names the backend's failure in the fallback reason", async () => {
    expect(await fallbackReason(new Error("HTTP 503"))).toBe("chat model failed: HTTP 503");
  });

  it("answers at the deadline and aborts the backend's call", async () => {
    const model = createScriptedChatModel("hang");
    const error = await createChatAnswerer({ model, deadlineMs: 150 })
      .answer(input)
      .catch((e: unknown) => e);
    expect((error as ChatFallback).reason).toMatch(/deadline passed \(150 ms/);
    expect(model.aborted).toBe(1);
  });

  it("does not read a reply longer than the bound, however well cited", async () => {
    const reply = `Not by default [1].\n${"- You can opt in through the dashboard [1].\n".repeat(8_000)}`;
    expect(reply.length).toBeGreaterThan(300_000);
    expect(await fallbackReason(reply)).toMatch(new RegExp(`too long \\(${reply.length} characters, over ${MAX_REPLY_CHARS}\\)`));
  });

  it("refuses a marker written with an invisible character, whichever one", async () => {
    for (const invisible of ["\u200B", "\u2060", "\uFE0F", "\u034F", "\u3164", "\u2800", "\u00AD"]) {
      expect(await fallbackReason(`Not by default [1]. Kept forever [2${invisible}].`)).toMatch(/invisible characters/);
    }
  });

  it("refuses a bullet without a marker, in any list style", async () => {
    for (const bullet of ["- ", "* ", "• ", "1. ", "2) ", "– "]) {
      expect(await fallbackReason(`Not by default [1].\n${bullet}Data is kept forever.`)).toMatch(/1 bullet\(s\) without a citation/);
    }
  });
});

function passage(id: string, text: string): Passage {
  return { id, url: `https://example.com/${id}`, title: `Page ${id}`, heading: `Page ${id} > Part`, text, pageDate: null, score: 1 };
}
