import { ActionRowBuilder, type APIEmbed, ButtonBuilder, ButtonStyle, type MessageActionRowComponentBuilder } from "discord.js";
import type { AnswerResult } from "../../answer/answer-types.ts";
import { sanitizeEcho } from "../../answer/guards/output-guards.ts";
import { plantsInstructions, unsafeReason } from "../../answer/guards/unsafe-passages.ts";
import { shorten } from "../format-reply.ts";
import { recordEmbed, recordFromResult, updateRecord } from "../../gaps/review-record.ts";

/**
 * The review record is a Discord message: everything a moderator action needs is written into it (the public
 * reply's jump link, the exact answer text, the votes) and read back from it when a button is clicked. Pure.
 */
export type ReviewAction = "remove" | "correct" | "wrong" | "approve" | "reject";
export const REVIEW_PREFIX = "docent:review:";
export const WRONG_NOTE_MODAL = "docent:review:wrong-note";
export const WRONG_NOTE_FIELD = "note";

export interface ReviewContext {
  askerId: string;
  guildId: string | null;
  channelId: string;
  /** The public reply (or, in approve mode, the placeholder) this review is about; null for a private /ask answer. */
  replyMessageId: string | null;
  /** A private /ask answer's own (ephemeral) message: written down so that votes on it find this review. */
  privateAnswerId?: string | null;
  /** The content posted (or to be posted, in approve mode) as the answer. */
  answerContent: string;
  pending: boolean;
  flaggedBy?: string;
}

export function reviewActionOf(customId: string): ReviewAction | null {
  const action = customId.startsWith(REVIEW_PREFIX) ? customId.slice(REVIEW_PREFIX.length) : "";
  return (["remove", "correct", "wrong", "approve", "reject"] as const).find((a) => a === action) ?? null;
}

/** Whether a review message's header is about this answer: its public reply's jump link, or its private answer id. */
export function reviewIsAbout(content: string, answerId: string): boolean {
  return content.includes(`/${answerId})`) || content.includes(privateAnswerRef(answerId));
}

function privateAnswerRef(answerId: string): string {
  return `message id \`${answerId}\``;
}

export function jumpLink(guildId: string | null, channelId: string, messageId: string): string {
  return `https://discord.com/channels/${guildId ?? "@me"}/${channelId}/${messageId}`;
}

/**
 * `result` is null when a 👎 arrives for an answer that was not mirrored when posted: the retrieval details
 * are then unknown, and `question` (already redacted) comes from the asker's message.
 */
export function buildReviewMessage(result: AnswerResult | null, context: ReviewContext, question = "") {
  const where = context.replyMessageId
    ? `[${context.pending ? "pending reply" : "public answer"}](${jumpLink(context.guildId, context.channelId, context.replyMessageId)})`
    : `private answer (only the asker saw it${context.privateAnswerId ? `; ${privateAnswerRef(context.privateAnswerId)}` : ""})`;
  const flags = [
    result?.refused ? "refused" : null,
    result?.fallbackReason ? "fallback" : null,
    context.flaggedBy ? `👎 from <@${context.flaggedBy}>` : null,
  ].filter(Boolean);
  const header = `**${context.pending ? "Draft answer waiting for approval" : "Answer review"}** · asked by <@${context.askerId}> in <#${context.channelId}> · ${where}${flags.length ? ` · ⚑ ${flags.join(", ")}` : ""}`;
  const retrieval = result
    ? retrievalText(result)
    : `**Question** (redacted): ${shorten(sanitizeEcho(question).replace(/\s+/g, " "), 600) || "unknown"}\nRetrieval details were not recorded: this answer was not mirrored when it was posted.`;
  const votes = { up: 0, down: context.flaggedBy ? 1 : 0 };
  const embeds: APIEmbed[] = [
    { title: context.pending ? "Draft answer" : "Answer", description: context.answerContent.slice(0, 4000), footer: { text: votesText(votes) } },
    { title: RETRIEVAL_TITLE, description: retrieval.slice(0, 4000) },
    recordEmbed({ ...recordFromResult(result, question), votes }),
  ];
  return { content: header, embeds: fitEmbeds(embeds), components: reviewButtons(context) };
}

const RETRIEVAL_TITLE = "Question and retrieval";
/** Discord refuses a message whose embeds hold more than 6,000 characters in all. */
const EMBED_BUDGET = 6000;

/** Shortens the retrieval details (the least needed part) so the embeds fit Discord's total limit. */
export function fitEmbeds(embeds: APIEmbed[]): APIEmbed[] {
  const size = (e: APIEmbed) =>
    (e.title?.length ?? 0) +
    (e.description?.length ?? 0) +
    (e.footer?.text.length ?? 0) +
    (e.author?.name.length ?? 0) +
    (e.fields ?? []).reduce((n, f) => n + f.name.length + f.value.length, 0);
  const excess = embeds.reduce((n, e) => n + size(e), 0) - EMBED_BUDGET;
  if (excess <= 0) return embeds;
  return embeds.map((e) =>
    e.title === RETRIEVAL_TITLE && e.description ? { ...e, description: shorten(e.description, Math.max(1, e.description.length - excess - 1)) } : e,
  );
}

/** The embeds with new vote counts: the answer's footer for people, the record for the gaps report. */
export function withVotes(embeds: APIEmbed[], votes: { up: number; down: number }): APIEmbed[] {
  const [first, ...rest] = embeds;
  return fitEmbeds(updateRecord([{ ...first, footer: { text: votesText(votes) } }, ...rest], (record) => ({ ...record, votes })));
}

/** The embeds with a moderator's verdict: the Verdict embed (replacing an earlier one) and the record. */
export function withVerdict(embeds: APIEmbed[], kind: VerdictKind, moderatorId: string, at: Date, note?: string): APIEmbed[] {
  const next = [...embeds.filter((e) => e.title !== "Verdict"), verdictEmbed(kind, moderatorId, at, note)];
  const recorded = updateRecord(next, (record) =>
    kind === "removed" ? { ...record, removed: true } : { ...record, verdict: kind, note: kind === "wrong" && note ? note : null },
  );
  return fitEmbeds(recorded);
}

function retrievalText(result: AnswerResult): string {
  const passages = result.passages
    .map(
      (p, i) =>
        // Titles and headings are the pages' own words: their links and pings are removed before a moderator sees them.
        `${i + 1}. \`${p.score.toFixed(3)}\` ${shorten(sanitizeEcho(`${p.title} › ${p.heading.split(" > ").slice(1).join(" › ") || p.title}`), 90)} — ${shorten(p.text.replace(/\s+/g, " "), 140)}`,
    )
    .join("\n");
  const warnings = result.passages.flatMap((p, i) => {
    const reason = unsafeReason(p.text) ?? (plantsInstructions(p.text) ? "gives instructions to an AI model" : null);
    return reason ? [`⚠ passage ${i + 1} ${reason}`] : [];
  });
  return [
    `**Question** (redacted): ${shorten(
      sanitizeEcho(result.question.replace(/<@!?\d+>\s*/g, ""))
        .replace(/\s+/g, " ")
        .trim(),
      600,
    )}`,
    `**Mode:** ${result.mode}${result.fallbackReason ? ` (fallback: ${result.fallbackReason})` : ""} · **Refused:** ${result.refused ? `yes (${result.reason ?? ""})` : "no"} · **Latency:** ${Math.round(result.timings.totalMs)} ms (retrieval ${Math.round(result.timings.retrieveMs)} ms)`,
    `**Retrieved passages**\n${passages || "none"}`,
    ...warnings,
  ].join("\n");
}

function reviewButtons(context: ReviewContext): ActionRowBuilder<MessageActionRowComponentBuilder>[] {
  const button = (action: ReviewAction, label: string, style: ButtonStyle) =>
    new ButtonBuilder().setCustomId(`${REVIEW_PREFIX}${action}`).setLabel(label).setStyle(style);
  const buttons = context.pending
    ? [button("approve", "Approve", ButtonStyle.Success), button("reject", "Reject", ButtonStyle.Danger)]
    : [
        ...(context.replyMessageId ? [button("remove", "Remove answer", ButtonStyle.Danger)] : []),
        button("correct", "Mark correct", ButtonStyle.Success),
        button("wrong", "Mark wrong", ButtonStyle.Secondary),
      ];
  return [new ActionRowBuilder<MessageActionRowComponentBuilder>().addComponents(buttons)];
}

/** What a review message says about its answer, read back from the message the bot wrote. */
export interface ParsedReview {
  /** Channel the question was asked in. */
  askedInChannelId: string | null;
  guildId: string | null;
  channelId: string | null;
  replyMessageId: string | null;
  askerId: string | null;
  answerContent: string;
  votes: { up: number; down: number };
}

export function parseReviewMessage(message: {
  content: string;
  embeds: ReadonlyArray<{ description?: string | null; footer?: { text: string } | null }>;
}): ParsedReview {
  const link = /\]\(https:\/\/discord\.com\/channels\/(\d+|@me)\/(\d+)\/(\d+)\)/.exec(message.content);
  const asker = /asked by <@(\d+)>/.exec(message.content);
  const footer = message.embeds[0]?.footer?.text ?? "";
  return {
    askedInChannelId: /asked by <@\d+> in <#(\d+)>/.exec(message.content)?.[1] ?? null,
    guildId: link && link[1] !== "@me" ? link[1]! : null,
    channelId: link?.[2] ?? null,
    replyMessageId: link?.[3] ?? null,
    askerId: asker?.[1] ?? null,
    answerContent: message.embeds[0]?.description ?? "",
    votes: { up: Number(/👍 (\d+)/.exec(footer)?.[1] ?? 0), down: Number(/👎 (\d+)/.exec(footer)?.[1] ?? 0) },
  };
}

export function votesText(votes: { up: number; down: number }): string {
  return `👍 ${votes.up} · 👎 ${votes.down}`;
}

/** The verdict line written into the review message: what was decided, by whom, when. */
export type VerdictKind = "correct" | "wrong" | "removed" | "approved" | "rejected";

export function verdictEmbed(kind: VerdictKind, moderatorId: string, at: Date, note?: string): APIEmbed {
  const label = {
    correct: "✅ Marked correct",
    wrong: "❌ Marked wrong",
    removed: "🗑️ Answer removed",
    approved: "✅ Approved and posted",
    rejected: "🚫 Rejected",
  }[kind];
  const when = `<t:${Math.floor(at.getTime() / 1000)}:f>`;
  return {
    title: "Verdict",
    description: `${label} by <@${moderatorId}> at ${when} (${at.toISOString()})${note ? `\n**Note:** ${shorten(sanitizeEcho(note), 900)}` : ""}`,
  };
}
