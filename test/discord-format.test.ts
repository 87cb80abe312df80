import { describe, expect, it } from "vitest";
import type { AnswerResult } from "../src/answer/answer-types.ts";
import { channelNotice, isAllowedChannel } from "../src/discord/channel-allowlist.ts";
import { DISCORD_CONTENT_LIMIT, formatDiscordAnswer, shorten } from "../src/discord/format-reply.ts";
import { LoadControl } from "../src/discord/load-control.ts";
import { KeyedQueue, OncePerKey } from "../src/discord/per-key.ts";
import { castVote, readVoters, withVoter } from "../src/discord/review/votes.ts";

const result = (bullets: string[], extra: Partial<AnswerResult> = {}): AnswerResult => ({
  question: "q",
  answer: "",
  refused: false,
  mode: "extractive",
  redacted: [],
  draft: {
    lead: "Here is what the pages say:",
    bullets: bullets.map((text, i) => ({ text, n: [i + 1] })),
    sources: bullets.map((_, i) => ({ n: i + 1, title: `Page ${i + 1}`, url: `https://example.com/${i + 1}`, pageDate: null })),
    citations: [],
  },
  citations: [],
  passages: [],
  timings: { retrieveMs: 0, answerMs: 0, totalMs: 0 },
  ...extra,
});

describe("formatDiscordAnswer", () => {
  it("greets the asker, cites each bullet and lists sources without link previews", () => {
    const text = formatDiscordAnswer(result(["Logs are kept for 30 days.", "ZDR removes them."]), "42");
    expect(text).toMatchInlineSnapshot(`
      "Hi <@42>! Here is what the pages say:
      - Logs are kept for 30 days. [1]
      - ZDR removes them. [2]
      **Sources**
      [1] [Page 1](<https://example.com/1>)
      [2] [Page 2](<https://example.com/2>)
      -# Answered only from the policy pages above. Reply to this message or mention me again to follow up."
    `);
  });

  it("always fits in 2,000 characters, shortening then dropping bullets and their sources", () => {
    const long = Array.from({ length: 5 }, (_, i) => `Point ${i} ${"word ".repeat(150)}`);
    const text = formatDiscordAnswer(result(long), "42");
    expect(text.length).toBeLessThanOrEqual(DISCORD_CONTENT_LIMIT);
    expect(text).toMatch(/Point 0/);
    const huge = result(Array.from({ length: 5 }, (_, i) => `Point ${i} ${"x".repeat(3000)}`));
    for (const s of huge.draft!.sources) s.title = "T".repeat(500);
    expect(formatDiscordAnswer(huge, "42").length).toBeLessThanOrEqual(DISCORD_CONTENT_LIMIT);
  });

  it("says so when it refused, and warns about personal data", () => {
    const text = formatDiscordAnswer({ ...result([]), refused: true, draft: null, redacted: ["email"] }, null);
    expect(text).toMatch(/personal data/);
    expect(text).toMatch(/don't cover that/);
  });
});

describe("shorten", () => {
  it("cuts at a word boundary and marks the cut", () => {
    expect(shorten("one two three four five", 15)).toBe("one two three…");
    expect(shorten("short", 12)).toBe("short");
  });
});

describe("LoadControl", () => {
  it("applies a per-user cooldown", () => {
    let now = 0;
    const control = new LoadControl({ cooldownMs: 1000, maxConcurrent: 2, maxQueued: 2, now: () => now });
    expect(control.admit("a")).toMatchObject({ ok: true });
    now = 400;
    expect(control.admit("a")).toEqual({ ok: false, reason: "cooldown", retryInMs: 600 });
    expect(control.admit("b")).toMatchObject({ ok: true });
    now = 1000;
    expect(control.admit("a")).toMatchObject({ ok: true });
  });

  it("bounds concurrency and turns questions away when the queue is full", async () => {
    const control = new LoadControl({ cooldownMs: 0, maxConcurrent: 1, maxQueued: 1 });
    const gates: Array<() => void> = [];
    const task = () => new Promise<void>((resolve) => gates.push(resolve));
    const a = control.admit("a");
    const b = control.admit("b");
    if (!a.ok || !b.ok) throw new Error("expected both admitted");
    const first = a.slot.run(task);
    const second = b.slot.run(task);
    // The first task starts a few microtasks later (the slot also listens for a shutdown): let them run.
    await new Promise((r) => setTimeout(r, 0));
    expect(gates).toHaveLength(1);
    expect(control.stats).toEqual({ running: 1, queued: 1 });
    expect(control.admit("c")).toEqual({ ok: false, reason: "busy" });
    gates.shift()!();
    await first;
    await new Promise((r) => setTimeout(r, 0));
    expect(control.stats).toEqual({ running: 1, queued: 0 });
    gates.shift()!();
    await second;
    expect(control.stats).toEqual({ running: 0, queued: 0 });
  });

  it("reserves the place when admitting, so a burst admitted before any answer starts still holds the bound", () => {
    const control = new LoadControl({ cooldownMs: 0, maxConcurrent: 1, maxQueued: 5 });
    // A hundred questions admitted in one go, as handlers do before their first await.
    const admissions = Array.from({ length: 100 }, (_, i) => control.admit(`user-${i}`));
    expect(admissions.filter((a) => a.ok)).toHaveLength(6);
    expect(admissions.slice(6).every((a) => !a.ok && a.reason === "busy")).toBe(true);
    expect(control.stats).toEqual({ running: 0, queued: 6 });
    // A place given back unused (the handler failed before answering) is free again, once.
    const first = admissions[0]!;
    if (!first.ok) throw new Error("expected the first admitted");
    first.slot.release();
    first.slot.release();
    expect(control.admit("late").ok).toBe(true);
    expect(control.admit("later")).toEqual({ ok: false, reason: "busy" });
  });
});

describe("OncePerKey", () => {
  it("lets one claim through, tells later ones whether the work is under way or done, and frees the key after a failure", () => {
    const once = new OncePerKey();
    expect(once.claim("answer-1")).toBe("claimed");
    expect(once.claim("answer-1")).toBe("in-flight");
    expect(once.claim("answer-2")).toBe("claimed");
    once.finish("answer-1", true);
    expect(once.claim("answer-1")).toBe("done");
    once.finish("answer-2", false);
    expect(once.claim("answer-2")).toBe("claimed");
  });

  it("forgets the oldest finished keys beyond its capacity, never one in flight", () => {
    const once = new OncePerKey(2);
    expect(once.claim("busy")).toBe("claimed");
    for (const key of ["a", "b", "c"]) {
      once.claim(key);
      once.finish(key, true);
    }
    expect(once.claim("busy")).toBe("in-flight");
    expect(once.claim("a")).toBe("claimed");
    expect(once.claim("c")).toBe("done");
  });
});

describe("KeyedQueue", () => {
  it("runs tasks on one key one at a time, even after a failure, and tasks on other keys freely", async () => {
    const queue = new KeyedQueue();
    const log: string[] = [];
    const step =
      (name: string, ms: number, fail = false) =>
      async () => {
        log.push(`${name} start`);
        await new Promise((r) => setTimeout(r, ms));
        log.push(`${name} end`);
        if (fail) throw new Error(name);
        return name;
      };
    const first = queue.run("a", step("a1", 20, true));
    const second = queue.run("a", step("a2", 1));
    const other = queue.run("b", step("b1", 1));
    await expect(first).rejects.toThrow("a1");
    expect(await second).toBe("a2");
    expect(await other).toBe("b1");
    expect(log.indexOf("a2 start")).toBeGreaterThan(log.indexOf("a1 end"));
    expect(log.indexOf("b1 end")).toBeLessThan(log.indexOf("a1 end"));
  });
});

describe("votes on a review message", () => {
  const review = (footer: string, ...more: Array<{ title: string; description: string }>) => [
    { title: "Answer", description: "The answer.", footer: { text: footer } },
    { title: "Question and retrieval", description: "…" },
    ...more,
  ];

  it("counts a member once, moves a changed vote, and records who voted what", () => {
    const first = castVote(review("👍 0 · 👎 0"), "111", "down");
    expect(first.outcome).toBe("counted");
    expect(first.embeds[0]!.footer?.text).toBe("👍 0 · 👎 1");
    const repeat = castVote(first.embeds, "111", "down");
    expect(repeat.outcome).toBe("repeat");
    expect(repeat.embeds).toEqual(first.embeds);
    const second = castVote(first.embeds, "222", "up");
    const changed = castVote(second.embeds, "111", "up");
    expect(changed.outcome).toBe("changed");
    expect(changed.embeds[0]!.footer?.text).toBe("👍 2 · 👎 0");
    expect(changed.embeds.at(-1)).toEqual({ title: "Votes", description: "👍 <@222> <@111>" });
    expect(readVoters(changed.embeds)).toEqual(
      new Map([
        ["111", "up"],
        ["222", "up"],
      ]),
    );
  });

  it("keeps counts from before voters were recorded, and the verdict last", () => {
    const verdict = { title: "Verdict", description: "✅ Marked correct by <@9>" };
    const cast = castVote(review("👍 3 · 👎 0", verdict), "111", "down");
    expect(cast.embeds[0]!.footer?.text).toBe("👍 3 · 👎 1");
    expect(cast.embeds.map((e) => e.title)).toEqual(["Answer", "Question and retrieval", "Votes", "Verdict"]);
    expect(withVoter(review("👍 0 · 👎 1"), "333", "down").at(-1)).toEqual({ title: "Votes", description: "👎 <@333>" });
  });

  it("stops counting new voters when the message has no room left for them, rather than counting repeats", () => {
    const crowded = [{ title: "Answer", description: "x".repeat(4700), footer: { text: "👍 0 · 👎 0" } }];
    let embeds: ReturnType<typeof castVote>["embeds"] = crowded;
    const outcomes = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const cast = castVote(embeds, String(100_000_000_000_000_000n + BigInt(i)), "up");
      outcomes.add(cast.outcome);
      embeds = cast.embeds;
    }
    expect(outcomes).toEqual(new Set(["counted", "full"]));
    const counted = Number(/👍 (\d+)/.exec(embeds[0]!.footer!.text)![1]);
    expect(counted).toBe(readVoters(embeds).size);
    expect(castVote(embeds, "100000000000000000", "up").outcome).toBe("repeat");
  });
});

describe("isAllowedChannel", () => {
  const allowed = new Set(["1001"]);
  const channel = (thread: boolean, parentId: string | null) => ({ isThread: () => thread, parentId });

  it("allows listed channels and threads under them, everything when there is no list, and nothing else", () => {
    expect(isAllowedChannel(allowed, { channelId: "1001", channel: channel(false, "9") })).toBe(true);
    expect(isAllowedChannel(allowed, { channelId: "2002", channel: channel(true, "1001") })).toBe(true);
    expect(isAllowedChannel(null, { channelId: "2002", channel: null })).toBe(true);
    // A channel's category is not its parent for this purpose, and an unknown thread's parent cannot be assumed.
    expect(isAllowedChannel(allowed, { channelId: "2002", channel: channel(false, "1001") })).toBe(false);
    expect(isAllowedChannel(allowed, { channelId: "2002", channel: null })).toBe(false);
    expect(isAllowedChannel(allowed, { channelId: null, channel: null })).toBe(false);
  });

  it("points to the allowed channels, or describes them when there are many", () => {
    expect(channelNotice(allowed)).toBe("I don't answer questions in this channel. Please ask in <#1001>.");
    expect(channelNotice(new Set(["1", "2", "3", "4", "5", "6"]))).toMatch(/the channels set aside for questions/);
  });
});
