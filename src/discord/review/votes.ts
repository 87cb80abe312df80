import type { APIEmbed } from "discord.js";
import { parseReviewMessage, votesText } from "./review-message.ts";

/**
 * Members' 👍/👎 on an answer, kept on its review message (there is no database): the first embed's footer
 * has the counts, a "Votes" embed lists who voted what, so each member counts once. A member who changes
 * their mind moves their vote. Pure.
 */
export type Vote = "up" | "down";
export type VoteOutcome = "counted" | "changed" | "repeat" | "full";

export const VOTES_TITLE = "Votes";
/** Discord's limit on all embeds of a message together. */
const EMBEDS_MAX_CHARS = 6000;
/** Room kept for the verdict embed a moderator may add later (its note is at most ~900 characters). */
const VERDICT_RESERVE_CHARS = 1100;
const MARK: Record<Vote, string> = { up: "👍", down: "👎" };

/** Who voted what, read from the review message's "Votes" embed. */
export function readVoters(embeds: readonly APIEmbed[]): Map<string, Vote> {
  const voters = new Map<string, Vote>();
  const text = embeds.find((e) => e.title === VOTES_TITLE)?.description ?? "";
  for (const line of text.split("\n")) {
    const vote = (Object.keys(MARK) as Vote[]).find((v) => line.startsWith(MARK[v]));
    if (!vote) continue;
    for (const match of line.matchAll(/<@(\d+)>/g)) voters.set(match[1]!, vote);
  }
  return voters;
}

/** The embeds with `voterId`'s vote written into the "Votes" embed only (for a review posted because of that vote). */
export function withVoter(embeds: readonly APIEmbed[], voterId: string, vote: Vote): APIEmbed[] {
  const voters = readVoters(embeds);
  voters.set(voterId, vote);
  return replaceVotersEmbed(embeds, voters);
}

/** Counts a member's vote: a repeat changes nothing, a changed vote moves; no room left means not counted. */
export function castVote(embeds: readonly APIEmbed[], voterId: string, vote: Vote): { outcome: VoteOutcome; embeds: APIEmbed[] } {
  const voters = readVoters(embeds);
  const previous = voters.get(voterId);
  if (previous === vote) return { outcome: "repeat", embeds: [...embeds] };
  // Counts come from the footer: reviews written before voters were recorded keep their earlier counts.
  const counts = { ...parseReviewMessage({ content: "", embeds }).votes };
  if (previous) counts[previous] = Math.max(0, counts[previous] - 1);
  counts[vote] += 1;
  voters.set(voterId, vote);
  const [first, ...rest] = replaceVotersEmbed(embeds, voters);
  const updated = [{ ...first, footer: { text: votesText(counts) } }, ...rest];
  if (embedChars(updated) > EMBEDS_MAX_CHARS - VERDICT_RESERVE_CHARS) return { outcome: "full", embeds: [...embeds] };
  return { outcome: previous ? "changed" : "counted", embeds: updated };
}

function replaceVotersEmbed(embeds: readonly APIEmbed[], voters: ReadonlyMap<string, Vote>): APIEmbed[] {
  const line = (vote: Vote) => {
    const ids = [...voters].filter(([, v]) => v === vote).map(([id]) => `<@${id}>`);
    return ids.length > 0 ? `${MARK[vote]} ${ids.join(" ")}` : null;
  };
  const description = [line("up"), line("down")].filter(Boolean).join("\n");
  const votersEmbed: APIEmbed = { title: VOTES_TITLE, description };
  const at = embeds.findIndex((e) => e.title === VOTES_TITLE);
  // Before a verdict, if there is one, so the verdict stays the last thing moderators read.
  const verdictAt = embeds.findIndex((e) => e.title === "Verdict");
  if (at >= 0) return embeds.map((e, i) => (i === at ? votersEmbed : e));
  if (verdictAt >= 0) return [...embeds.slice(0, verdictAt), votersEmbed, ...embeds.slice(verdictAt)];
  return [...embeds, votersEmbed];
}

function embedChars(embeds: readonly APIEmbed[]): number {
  return embeds.reduce((sum, e) => sum + (e.title?.length ?? 0) + (e.description?.length ?? 0) + (e.footer?.text.length ?? 0), 0);
}
