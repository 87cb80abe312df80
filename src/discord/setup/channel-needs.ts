import type { PermissionFlagsBits } from "discord.js";
import { allowedChannelIds, type Config, forumConfig } from "../../config.ts";

/** A permission the bot may need, by its discord-api-types name (`PermissionFlagsBits` key). */
export type PermissionName = keyof typeof PermissionFlagsBits;

/** How the Discord client names each permission, so a fix can be followed in the server settings as written. */
export const PERMISSION_LABELS: Partial<Record<PermissionName, string>> = {
  ViewChannel: "View Channel",
  SendMessages: "Send Messages",
  SendMessagesInThreads: "Send Messages in Threads",
  EmbedLinks: "Embed Links",
  AttachFiles: "Attach Files",
  ReadMessageHistory: "Read Message History",
  ManageThreads: "Manage Threads",
};

export function permissionLabel(name: PermissionName): string {
  return PERMISSION_LABELS[name] ?? name;
}

/** One kind of channel Docent uses: what it is for, the setting that names it, its ids and what the bot needs there. */
export interface ChannelNeed {
  /** What the channel is for, as the checklist names it. */
  purpose: string;
  /** The variable that lists the channels. */
  setting: string;
  /** The configured ids; empty when the setting is unset. */
  ids: string[];
  /** Whether the feature is on, so the invite asks for its permissions (answers are always on). */
  enabled: boolean;
  permissions: PermissionName[];
  /** Why the bot needs these here, for the fix line. */
  why: string;
  /** The channel shows what members must not see (the review channel): warn when @everyone may view it. */
  private?: boolean;
}

/**
 * The channels Docent uses, one row per kind. The doctor checks every id of every row, and the invite link asks for
 * the permissions of every enabled row, so a new kind of channel (forums, say) is one more row here.
 */
export function channelNeeds(config: Config): ChannelNeed[] {
  const allowed = allowedChannelIds(config);
  return [
    {
      purpose: "Answer channels",
      setting: "ALLOWED_CHANNEL_IDS",
      ids: allowed ? [...allowed] : [],
      enabled: true,
      // Replies read the message they answer (follow-ups read the earlier exchange); threads follow their channel.
      permissions: ["ViewChannel", "SendMessages", "SendMessagesInThreads", "ReadMessageHistory"],
      why: "Docent reads mentions and follow-ups there and replies, in threads too",
    },
    {
      purpose: "Review channel",
      setting: "REVIEW_CHANNEL_ID",
      ids: config.REVIEW_CHANNEL_ID ? [config.REVIEW_CHANNEL_ID] : [],
      enabled: config.REVIEW_CHANNEL_ID !== undefined,
      // Review messages are embeds; the gaps report reads the channel's history and attaches the full report.
      permissions: ["ViewChannel", "SendMessages", "EmbedLinks", "AttachFiles", "ReadMessageHistory"],
      why: "review messages are embeds, and `npm run gaps` reads the channel and posts the report with a file",
      private: true,
    },
    forumNeed(config),
  ];
}

/** Help forums whose new posts Docent answers: it writes in the posts and, with tags configured, manages them. */
function forumNeed(config: Config): ChannelNeed {
  const forums = forumConfig(config);
  const tags = forums.forumAnsweredTag !== null || forums.forumNeedsHumanTag !== null || forums.forumSolvedTag !== null || forums.forumArchiveOnSolved;
  return {
    purpose: "Help forums",
    setting: "FORUM_CHANNEL_IDS",
    ids: [...forums.forumChannelIds],
    enabled: forums.forumChannelIds.size > 0,
    permissions: ["ViewChannel", "SendMessagesInThreads", "EmbedLinks", "ReadMessageHistory", ...(tags ? (["ManageThreads"] as const) : [])],
    why: tags ? "Docent answers in each post with buttons and applies the forum tags (Manage Threads)" : "Docent answers in each post, with buttons",
  };
}
