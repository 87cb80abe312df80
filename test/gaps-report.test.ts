import type { APIEmbed } from "discord.js";
import { describe, expect, it } from "vitest";
import type { AnswerResult } from "../src/answer/answer-types.ts";
import { commands } from "../src/discord/commands.ts";
import { buildReviewMessage, withVerdict, withVotes } from "../src/discord/review/review-message.ts";
import { type ClosestPage, readRecord, type ReviewRecord } from "../src/gaps/review-record.ts";
import { buildGapsReport, type ReviewEntry } from "../src/gaps/build-gaps-report.ts";
import { classifyMessage } from "../src/gaps/read-review-channel.ts";
import { DISCORD_CONTENT_LIMIT, gapsMessage, renderGapsReport } from "../src/gaps/render-gaps-report.ts";

const ACCESS: ClosestPage = {
  title: "Encryption and security controls",
  url: "https://openai.com/business-data/",
  heading: "Encryption and security controls > Access management features",
};
const ZDR: ClosestPage = {
  title: "Zero data retention",
  url: "https://platform.openai.com/docs/guides/your-data#zero-data-retention",
  heading: "Zero data retention > Feature limitations",
};
const AZURE: ClosestPage = {
  title: "Azure OpenAI data privacy",
  url: "https://learn.microsoft.com/en-us/azure/ai-foundry/responsible-ai/openai/data-privacy",
  heading: "Azure OpenAI data privacy",
};

function result(question: string, overrides: Partial<AnswerResult> = {}, closest: ClosestPage | null = ACCESS): AnswerResult {
  const passages = closest ? [{ id: "p1", ...closest, text: "Passage text. ".repeat(20), pageDate: null, score: 4.2 }] : [];
  return {
    question,
    answer: "An answer.",
    refused: false,
    mode: "extractive",
    redacted: [],
    draft: null,
    citations: [],
    passages,
    timings: { retrieveMs: 1, answerMs: 1, totalMs: 2 },
    ...overrides,
  };
}

const context = {
  askerId: "100000000000000001",
  guildId: "300000000000000001",
  channelId: "400000000000000001",
  replyMessageId: "600000000000000001",
  answerContent: "The answer as posted.",
  pending: false,
};

function record(question: string, overrides: Partial<ReviewRecord> = {}): ReviewRecord {
  return {
    kind: "answered",
    mode: "extractive",
    question,
    closest: ACCESS,
    verdict: "none",
    note: null,
    reason: null,
    votes: { up: 0, down: 0 },
    removed: false,
    ...overrides,
  };
}

const NOW = new Date("2026-11-27T12:00:00Z");
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 86_400_000);
let nextId = 1;
const entry = (at: Date, r: ReviewRecord): ReviewEntry => ({ id: String(nextId++), at, record: r });
const WINDOW = { from: daysAgo(30), to: NOW };

describe("the review record", () => {
  it("is written into the review message and read back field by field", () => {
    const { embeds } = buildReviewMessage(result("does the bot support SAML single sign-on?"), context);
    const reading = readRecord(embeds);
    expect(reading).toEqual({ status: "ok", record: record("does the bot support SAML single sign-on?", { closest: ACCESS }) });
  });

  it("records the kind: refused, uncertain, fallback or answered", () => {
    const kinds = [
      result("q", { refused: true }),
      result("q", { confidence: "uncertain" }),
      result("q", { fallbackReason: "invalid citation", mode: "extractive" }),
      result("q", { confidence: "confident" }),
    ].map((r) => (readRecord(buildReviewMessage(r, context).embeds) as { record: ReviewRecord }).record.kind);
    expect(kinds).toEqual(["refused", "uncertain", "fallback", "answered"]);
  });

  it("records why the engine refused or hedged, and leaves the field out when there is no reason", () => {
    const refused = readRecord(buildReviewMessage(result("is openai fedramp authorized?", { refused: true, reason: "not covered: FedRAMP" }), context).embeds);
    expect(refused).toMatchObject({ status: "ok", record: { kind: "refused", reason: "not covered: FedRAMP" } });
    const { embeds } = buildReviewMessage(result("q", { confidence: "confident" }), context);
    expect(embeds.flatMap((e) => e.fields ?? []).some((f) => f.name === "Reason")).toBe(false);
  });

  it("a 👎 on an answer that was not mirrored records the asker's redacted question and no closest page", () => {
    const { embeds } = buildReviewMessage(null, { ...context, flaggedBy: "100000000000000002" }, "is SAML supported?");
    expect(readRecord(embeds)).toEqual({ status: "ok", record: record("is SAML supported?", { mode: "unknown", closest: null, votes: { up: 0, down: 1 } }) });
  });

  it("follows votes and verdicts; a removal keeps the earlier 'wrong' and its note, redacted", () => {
    let embeds: APIEmbed[] = buildReviewMessage(result("q"), context).embeds;
    embeds = withVotes(embeds, { up: 1, down: 2 });
    embeds = withVerdict(embeds, "wrong", "100000000000000004", NOW, "Wrong page; ask bob@example.com");
    embeds = withVerdict(embeds, "removed", "100000000000000004", NOW);
    const reading = readRecord(embeds) as { status: "ok"; record: ReviewRecord };
    expect(reading.record).toMatchObject({ verdict: "wrong", removed: true, votes: { up: 1, down: 2 } });
    expect(reading.record.note).toBe("Wrong page; ask [email]");
    expect(embeds[0]!.footer!.text).toBe("👍 1 · 👎 2");
    expect(embeds.filter((e) => e.title === "Verdict")).toHaveLength(1);
  });

  it("keeps a long review message within Discord's 6,000 embed characters", () => {
    const long = result("why? ".repeat(300), {
      passages: Array.from({ length: 7 }, (_, i) => ({ id: `p${i}`, ...ACCESS, title: "T".repeat(200), text: "x ".repeat(400), pageDate: null, score: 1 })),
    });
    let embeds: APIEmbed[] = buildReviewMessage(long, { ...context, answerContent: "a".repeat(2000) }).embeds;
    embeds = withVerdict(embeds, "wrong", "100000000000000004", NOW, "n ".repeat(400));
    const size = JSON.stringify(embeds.map((e) => [e.title, e.description, e.footer?.text, e.fields?.map((f) => f.name + f.value)])).length;
    expect(size).toBeLessThan(6000 + 200); // JSON quoting adds a little; the characters themselves are ≤ 6,000
    const chars = embeds.reduce(
      (n, e) =>
        n +
        (e.title?.length ?? 0) +
        (e.description?.length ?? 0) +
        (e.footer?.text.length ?? 0) +
        (e.fields ?? []).reduce((m, f) => m + f.name.length + f.value.length, 0),
      0,
    );
    expect(chars).toBeLessThanOrEqual(6000);
    expect(readRecord(embeds).status).toBe("ok");
  });

  it("refuses a record edited outside Docent, and tells older review messages, other authors and other posts apart", () => {
    const { content, embeds } = buildReviewMessage(result("q"), context);
    const edited = embeds.map((e) =>
      e.title === "Record"
        ? { ...e, fields: e.fields!.map((f) => (f.name === "Kind" ? { ...f, value: "answered" } : f.name === "👎" ? { ...f, value: "9" } : f)) }
        : e,
    );
    const base = { id: "1", timestamp: NOW.toISOString(), content, author: { id: "bot" } };
    expect(classifyMessage({ ...base, embeds: embeds as never }, "bot")).toMatchObject({ entry: { record: { kind: "answered" } } });
    expect(classifyMessage({ ...base, embeds: edited as never }, "bot")).toEqual({ skip: "unreadable", reason: expect.stringMatching(/checksum/) });
    expect(classifyMessage({ ...base, embeds: embeds.filter((e) => e.title !== "Record") as never }, "bot")).toEqual({ skip: "olderFormat" });
    expect(classifyMessage({ ...base, author: { id: "someone" }, embeds: embeds as never }, "bot")).toEqual({ skip: "otherAuthors" });
    expect(classifyMessage({ ...base, content: "**Ingest changelog**", embeds: [] }, "bot")).toEqual({ skip: "notReviews" });
  });
});

describe("buildGapsReport", () => {
  const entries = [
    // Covered and fine: counted, never a topic.
    entry(daysAgo(1), record("is data encrypted at rest?")),
    entry(daysAgo(2), record("how long are API inputs kept for abuse monitoring?", { closest: ZDR, votes: { up: 2, down: 0 }, verdict: "correct" })),
    // Uncovered: SAML single sign-on, asked three ways; one marked wrong with a note, two voted down.
    entry(daysAgo(3), record("does the bot support SAML single sign-on?", { verdict: "wrong", note: "No page covers SSO" })),
    entry(daysAgo(2), record("how do I set up SAML single sign-on for my team?", { votes: { up: 0, down: 1 } })),
    entry(daysAgo(1), record("can we use SAML SSO with Okta?", { votes: { up: 0, down: 2 } })),
    // Another provider's questions answered from OpenAI's pages.
    entry(daysAgo(4), record("Does Anthropic keep Claude API prompts?", { closest: ZDR, kind: "uncertain" })),
    entry(daysAgo(5), record("How long does Anthropic retain Claude conversations?", { closest: ZDR, votes: { up: 0, down: 1 } })),
    // Off-topic, refused.
    entry(daysAgo(6), record("what's a good recipe for banana bread?", { kind: "refused", closest: null })),
    entry(daysAgo(7), record("how long should banana bread bake?", { kind: "refused", closest: null })),
    // Outside the window: ignored entirely.
    entry(daysAgo(40), record("does SAML single sign-on work?", { kind: "refused" })),
  ];
  const report = buildGapsReport({ entries, window: WINDOW, skipped: { otherAuthors: 2, notReviews: 0, olderFormat: 1, unreadable: 1 } });

  it("counts the window's reviews", () => {
    expect(report.window).toEqual({ from: daysAgo(30).toISOString(), to: NOW.toISOString() });
    expect(report.totals).toEqual({ reviewed: 9, answered: 7, refused: 2, wrong: 1, downvoted: 3, removed: 0 });
    expect(report.skipped).toEqual({ otherAuthors: 2, notReviews: 0, olderFormat: 1, unreadable: 1 });
  });

  it("groups questions sharing their focus into topics, sorted by count then recency", () => {
    expect(report.topics.map((t) => [t.label, t.count])).toEqual([
      ["saml single sign", 3],
      ["anthropic claude", 2],
      ["banana bread", 2],
    ]);
    const [saml, anthropic, banana] = report.topics;
    expect(saml!.kinds).toEqual({ refused: 0, wrong: 1, downvoted: 2, removed: 0, uncertain: 0 });
    expect(saml!.examples).toEqual([
      "can we use SAML SSO with Okta?",
      "how do I set up SAML single sign-on for my team?",
      "does the bot support SAML single sign-on?",
    ]);
    expect(saml!.closest).toEqual(ACCESS);
    expect(saml!.action).toBe(
      `page "${ACCESS.title}" ranks first but answers were marked wrong ("No page covers SSO"): check that section and make it answer the question`,
    );
    expect(anthropic!.kinds).toEqual({ refused: 0, wrong: 0, downvoted: 1, removed: 0, uncertain: 1 });
    expect(anthropic!.action).toMatch(/^answers came from another provider's page: the questions are about anthropic but "Zero data retention" is openai's/);
    expect(banana!.closest).toBeNull();
    expect(banana!.action).toBe("no page covers this: add a page or a section");
  });

  it("keeps shared phrasing from chaining unrelated questions, and paraphrases together", () => {
    const topics = ["SAML single sign-on", "SCIM user provisioning", "customer-managed encryption keys", "audit log export"];
    const phrasings = ["is {t} available on the API?", "does OpenAI offer {t}?", "how do I get {t} for my team?"];
    const asked = topics.flatMap((t, i) =>
      phrasings.map((p, j) => entry(daysAgo(1 + i + j / 10), record(p.replace("{t}", t), { kind: "refused", closest: ACCESS }))),
    );
    const grouped = buildGapsReport({ entries: asked, window: WINDOW });
    expect(grouped.topics.map((t) => [t.label, t.count])).toEqual([
      ["saml single sign", 3],
      ["scim user provisioning", 3],
      ["customer encryption keys", 3],
      ["audit log export", 3],
    ]);
  });

  it("leaves questions that share no word with any other on their own, even with the same closest page", () => {
    const alone = buildGapsReport({
      entries: [entry(daysAgo(1), record("parrots?", { kind: "refused" })), entry(daysAgo(2), record("volcanoes?", { kind: "refused" }))],
      window: WINDOW,
    });
    expect(alone.topics.map((t) => t.label)).toEqual(["parrots", "volcanoes"]);
  });

  it("says what the pages never mention when the engine refused for that reason", () => {
    const fedramp = buildGapsReport({
      entries: [
        entry(daysAgo(1), record("is openai fedramp authorized?", { kind: "refused", reason: "not covered: FedRAMP" })),
        entry(daysAgo(2), record("fedramp moderate for the api?", { kind: "refused", reason: "not covered: FedRAMP" })),
      ],
      window: WINDOW,
    });
    expect(fedramp.topics).toHaveLength(1);
    expect(fedramp.topics[0]!.action).toMatch(/not covered: FedRAMP/);
  });

  it("does not count Azure questions answered from Azure's page as another provider's", () => {
    const azure = buildGapsReport({
      entries: [
        entry(daysAgo(1), record("does Azure OpenAI store prompts?", { closest: AZURE, votes: { up: 0, down: 1 } })),
        entry(daysAgo(2), record("how long does Azure OpenAI store prompts?", { closest: AZURE, votes: { up: 0, down: 1 } })),
      ],
      window: WINDOW,
    });
    expect(azure.topics).toHaveLength(1);
    expect(azure.topics[0]!.action).toMatch(/^page "Azure OpenAI data privacy" ranks first but members voted the answers down/);
  });

  it("never shows personal data, even from a record that holds some, and keeps at most three examples", () => {
    const leaky = buildGapsReport({
      entries: ["login", "setup", "error", "sign-in"].map((what, i) =>
        entry(daysAgo(i), record(`SAML ${what} for carol${i}@example.com with key sk-abcdefghijklmnopqrstuv${i}`, { kind: "refused" })),
      ),
      window: WINDOW,
    });
    expect(leaky.topics).toHaveLength(1);
    expect(leaky.topics[0]!.examples).toHaveLength(3);
    const text = JSON.stringify(leaky) + renderGapsReport(leaky);
    expect(text).not.toMatch(/example\.com|sk-abc/);
    expect(leaky.topics[0]!.examples[0]).toMatch(/\[email\].*\[secret\]/);
  });

  it("says so when the window is empty or nothing went wrong", () => {
    const empty = buildGapsReport({ entries: [], window: WINDOW });
    expect(empty.totals.reviewed).toBe(0);
    expect(renderGapsReport(empty)).toMatch(/No review messages in this window/);
    const fine = buildGapsReport({ entries: [entry(daysAgo(1), record("is data encrypted at rest?"))], window: WINDOW });
    expect(fine.topics).toEqual([]);
    expect(renderGapsReport(fine)).toMatch(/Nothing to report/);
  });
});

describe("the report as a Discord message", () => {
  it("fits in one message, with the full report attached when it does not", () => {
    const many = Array.from({ length: 40 }, (_, i) =>
      entry(daysAgo(1), record(`topic${i}alpha topic${i}beta question number ${i}?`, { kind: "refused", closest: null })),
    );
    // Each topic's words occur twice, so each pair forms one topic.
    const report = buildGapsReport({ entries: [...many, ...many.map((e) => ({ ...e, id: `${e.id}b` }))], window: WINDOW });
    expect(report.topics).toHaveLength(40);
    const { content, file } = gapsMessage(report);
    expect(content.length).toBeLessThanOrEqual(DISCORD_CONTENT_LIMIT);
    expect(content).toMatch(/more topics: the full report is attached \(gaps-report\.md\)/);
    expect(file!.text).toBe(renderGapsReport(report));
    expect(file!.text).toContain("**40. ");
    const small = gapsMessage(buildGapsReport({ entries: many.slice(0, 1), window: WINDOW }));
    expect(small.file).toBeNull();
  });
});

describe("/docent gaps as registered", () => {
  it("is a subcommand of /docent with an optional whole number of days from 1 to 365", () => {
    const docent = commands.find((c) => c.name === "docent")!;
    const gaps = docent.options!.find((o) => o.name === "gaps") as unknown as { type: number; options: Array<Record<string, unknown>> };
    expect(gaps.type).toBe(1);
    expect(gaps.options).toEqual([expect.objectContaining({ name: "days", type: 4, min_value: 1, max_value: 365 })]);
    expect(gaps.options[0]!.required).toBeFalsy();
  });
});
