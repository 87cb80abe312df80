import { type APIMessage, DiscordAPIError, makeURLSearchParams, RateLimitError, type REST, Routes } from "discord.js";
import { readRecord } from "./review-record.ts";
import { DocentError } from "../errors.ts";
import { NO_SKIPS, type ReviewEntry, type SkipCounts } from "./build-gaps-report.ts";

/** Discord's largest page of channel messages. */
const PAGE_SIZE = 100;

export interface ReadReviewOptions {
  rest: REST;
  channelId: string;
  /** Docent's own user id: only its messages can be review messages. */
  botUserId: string;
  /** Messages posted before this are not read (paging stops at the first page that reaches past it). */
  from: Date;
  /** Messages posted after this are left out. Default: now. */
  to?: Date;
}

export interface ReviewChannelContents {
  entries: ReviewEntry[];
  skipped: SkipCounts;
  /** REST requests made for messages. */
  pages: number;
  /** Why each unreadable record was skipped, with its message id (for logs; no message text). */
  unreadable: Array<{ messageId: string; reason: string }>;
}

/**
 * Reads the review channel newest first, 100 messages a request (`before` the oldest seen), until it reaches
 * `from`. Rate limits are @discordjs/rest's job: it waits out a 429 and retries (a REST built with
 * `rejectOnRateLimit` turns long waits into an error instead). Discord errors become DocentErrors naming what to fix.
 */
export async function readReviewChannel(options: ReadReviewOptions): Promise<ReviewChannelContents> {
  const to = options.to ?? new Date();
  const result: ReviewChannelContents = { entries: [], skipped: { ...NO_SKIPS }, pages: 0, unreadable: [] };
  let before: string | undefined;
  for (;;) {
    const page = await fetchPage(options.rest, options.channelId, before);
    result.pages += 1;
    let reachedStart = false;
    for (const message of page) {
      const at = new Date(message.timestamp);
      if (at < options.from) {
        reachedStart = true;
        break;
      }
      if (at > to) continue;
      const read = classifyMessage(message, options.botUserId);
      if ("entry" in read) result.entries.push(read.entry);
      else {
        result.skipped[read.skip] += 1;
        if (read.reason) result.unreadable.push({ messageId: message.id, reason: read.reason });
      }
    }
    if (reachedStart || page.length < PAGE_SIZE) return result;
    before = page.at(-1)!.id;
  }
}

const OLDER_REVIEW_HEADER = /^\*\*(Answer review|Draft answer waiting for approval)\*\*/;

/** A channel message as a review entry, or the reason it is skipped. */
export function classifyMessage(
  message: Pick<APIMessage, "id" | "timestamp" | "content" | "embeds"> & { author: { id: string } },
  botUserId: string,
): { entry: ReviewEntry } | { skip: keyof SkipCounts; reason?: string } {
  if (message.author.id !== botUserId) return { skip: "otherAuthors" };
  const reading = readRecord(message.embeds ?? []);
  if (reading.status === "ok") return { entry: { id: message.id, at: new Date(message.timestamp), record: reading.record } };
  if (reading.status === "invalid") return { skip: "unreadable", reason: reading.reason };
  if (OLDER_REVIEW_HEADER.test(message.content)) return { skip: "olderFormat" };
  return { skip: "notReviews" };
}

async function fetchPage(rest: REST, channelId: string, before: string | undefined): Promise<APIMessage[]> {
  try {
    const query = makeURLSearchParams({ limit: PAGE_SIZE, ...(before ? { before } : {}) });
    return (await rest.get(Routes.channelMessages(channelId), { query })) as APIMessage[];
  } catch (error) {
    throw discordFailure(error, `reading the review channel ${channelId}`);
  }
}

/** Docent's own user id, from the token (GET /users/@me); a rejected token says so. */
export async function fetchBotUserId(rest: REST): Promise<string> {
  try {
    return ((await rest.get(Routes.user("@me"))) as { id: string }).id;
  } catch (error) {
    throw discordFailure(error, "checking the bot's token");
  }
}

/** A Discord failure as a DocentError that names the setting to fix; `doing` says what was being attempted. */
export function discordFailure(error: unknown, doing: string): DocentError {
  if (error instanceof DocentError) return error;
  if (error instanceof RateLimitError) {
    return new DocentError("DISCORD_RATE_LIMITED", `Discord is rate-limiting the bot while ${doing} (retry in ${Math.ceil(error.timeToReset / 1000)} s).`, {
      hint: "Run the report again in a few minutes; nothing was changed.",
      cause: error,
    });
  }
  if (error instanceof DiscordAPIError) {
    if (error.status === 401) {
      return new DocentError("DISCORD_TOKEN_REJECTED", `Discord rejected DISCORD_TOKEN while ${doing} (401 Unauthorized).`, {
        hint: "Put the bot's current token in DISCORD_TOKEN (Developer Portal → Bot → Reset Token).",
        cause: error,
      });
    }
    if (error.status === 403) {
      return new DocentError(
        "DISCORD_ACCESS",
        `The bot has no access to REVIEW_CHANNEL_ID while ${doing} (403 ${error.code === 50001 ? "Missing Access" : "Forbidden"}).`,
        {
          hint: "Give Docent View Channel and Read Message History (and Send Messages, Attach Files for --post) in that channel.",
          cause: error,
        },
      );
    }
    if (error.status === 404) {
      return new DocentError("DISCORD_ACCESS", `REVIEW_CHANNEL_ID is not a channel the bot can see (404 while ${doing}).`, {
        hint: "Check REVIEW_CHANNEL_ID (Copy Channel ID with Developer Mode on) and that the bot is in that server.",
        cause: error,
      });
    }
  }
  return new DocentError("DISCORD_UNAVAILABLE", `Could not reach Discord's API while ${doing}.`, {
    hint: "Check the network, or DISCORD_API_URL if you set it; then run the report again.",
    cause: error,
  });
}
