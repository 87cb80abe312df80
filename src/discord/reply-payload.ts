import { ActionRowBuilder, ButtonBuilder, ButtonStyle, type MessageActionRowComponentBuilder, MessageFlags } from "discord.js";
import { feedbackId, POST_PUBLIC_ID } from "./custom-ids.ts";

/**
 * Answers and notices to members (replies, `/ask` responses, Post publicly, approved drafts) are built here:
 * allowed mentions are always explicit (only the asker may be pinged, never @everyone, @here or a role), link
 * previews are suppressed, and the feedback buttons are attached. Review messages, votes and verdicts
 * (review-desk.ts), the changelog (announce.ts) and the gaps report (gaps/run-gaps.ts) set `parse: []` themselves.
 */
export interface ReplyPayload {
  content: string;
  allowedMentions: { parse: []; users: string[]; repliedUser: boolean };
  flags: MessageFlags.SuppressEmbeds;
  components: ActionRowBuilder<MessageActionRowComponentBuilder>[];
}

export function answerPayload(content: string, options: { pingUserId: string | null; withPublicButton?: boolean; withFeedback?: boolean }): ReplyPayload {
  const buttons: ButtonBuilder[] = [];
  if (options.withFeedback !== false) {
    buttons.push(new ButtonBuilder().setCustomId(feedbackId("up")).setEmoji("👍").setStyle(ButtonStyle.Secondary));
    buttons.push(new ButtonBuilder().setCustomId(feedbackId("down")).setEmoji("👎").setStyle(ButtonStyle.Secondary));
  }
  if (options.withPublicButton) buttons.push(new ButtonBuilder().setCustomId(POST_PUBLIC_ID).setLabel("Post publicly").setStyle(ButtonStyle.Primary));
  return {
    content,
    allowedMentions: { parse: [], users: options.pingUserId ? [options.pingUserId] : [], repliedUser: options.pingUserId !== null },
    flags: MessageFlags.SuppressEmbeds,
    components: buttons.length > 0 ? [new ActionRowBuilder<MessageActionRowComponentBuilder>().addComponents(buttons)] : [],
  };
}

/** A short notice (busy, cooldown, error): nobody pinged, no buttons. */
export function noticePayload(content: string): ReplyPayload {
  return answerPayload(content, { pingUserId: null, withFeedback: false });
}
