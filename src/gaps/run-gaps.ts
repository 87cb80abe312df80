import { type REST, Routes } from "discord.js";
import { DocentError } from "../errors.ts";
import { buildGapsReport, type GapsReport } from "./build-gaps-report.ts";
import { discordFailure, fetchBotUserId, readReviewChannel } from "./read-review-channel.ts";
import { gapsMessage } from "./render-gaps-report.ts";

export const DEFAULT_DAYS = 30;
export const MAX_DAYS = 365;

/** The gaps report of the last `days` days, read from the review channel over REST. */
export async function collectGapsReport(options: {
  rest: REST;
  channelId: string | null | undefined;
  days: number;
  /** Docent's user id when already known (the running bot); otherwise asked from the token. */
  botUserId?: string;
  now?: Date;
}): Promise<{ report: GapsReport; pages: number; unreadable: Array<{ messageId: string; reason: string }> }> {
  const channelId = requireReviewChannel(options.channelId);
  const to = options.now ?? new Date();
  const from = new Date(to.getTime() - options.days * 86_400_000);
  const botUserId = options.botUserId ?? (await fetchBotUserId(options.rest));
  const contents = await readReviewChannel({ rest: options.rest, channelId, botUserId, from, to });
  const report = buildGapsReport({ entries: contents.entries, window: { from, to }, skipped: contents.skipped });
  return { report, pages: contents.pages, unreadable: contents.unreadable };
}

/** Posts the report to the review channel as one message, the full report attached when it does not fit. */
export async function postGapsReport(options: { rest: REST; channelId: string | null | undefined; report: GapsReport }): Promise<string> {
  const channelId = requireReviewChannel(options.channelId);
  const { content, file } = gapsMessage(options.report);
  // Nobody is pinged and link previews are suppressed (flag 1 << 2), as for every Docent post.
  const body = { content, allowed_mentions: { parse: [] }, flags: 1 << 2, ...(file ? { attachments: [{ id: 0, filename: file.name }] } : {}) };
  try {
    const message = (await options.rest.post(Routes.channelMessages(channelId), {
      body,
      ...(file ? { files: [{ name: file.name, data: Buffer.from(file.text, "utf8"), contentType: "text/markdown; charset=utf-8" }] } : {}),
    })) as { id: string };
    return message.id;
  } catch (error) {
    throw discordFailure(error, "posting the report to the review channel");
  }
}

/** `--days` / the `days` option: a whole number of days from 1 to 365. */
export function parseDays(value: string | number | null | undefined): number {
  if (value === undefined || value === null) return DEFAULT_DAYS;
  const days = typeof value === "number" ? value : Number(value);
  if (!Number.isInteger(days) || days < 1 || days > MAX_DAYS) {
    throw new DocentError("USAGE", `--days must be a whole number of days from 1 to ${MAX_DAYS} (got "${value}").`);
  }
  return days;
}

export function requireReviewChannel(channelId: string | null | undefined): string {
  if (!channelId) {
    throw new DocentError("CONFIG_INVALID", "REVIEW_CHANNEL_ID is missing: the gaps report reads the review channel, where answers are mirrored.", {
      hint: "Set REVIEW_CHANNEL_ID to the moderators' review channel (and keep REVIEW_MODE other than off so answers are mirrored there).",
    });
  }
  return channelId;
}
