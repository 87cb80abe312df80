/**
 * ALLOWED_CHANNEL_IDS, applied the same way to every way of asking: mentions and follow-up replies, `/ask`
 * (private or public) and "Post publicly". A thread counts as its parent channel.
 */
export interface AskedIn {
  channelId: string | null;
  /** The channel as discord.js has it cached; interactions carry it, so only an unknown thread falls back to its own id. */
  channel: { isThread(): boolean; parentId?: string | null } | null;
}

/** Whether the bot may answer there; `allowed` null means every channel the bot can see. */
export function isAllowedChannel(allowed: ReadonlySet<string> | null, where: AskedIn): boolean {
  if (allowed === null) return true;
  if (where.channelId !== null && allowed.has(where.channelId)) return true;
  const parentId = where.channel?.isThread() ? where.channel.parentId : null;
  return parentId != null && allowed.has(parentId);
}

/** The private note for an interaction outside the allowlist (a mention there is ignored instead). */
export function channelNotice(allowed: ReadonlySet<string> | null): string {
  const channels = [...(allowed ?? [])];
  const where = channels.length > 0 && channels.length <= 5 ? channels.map((id) => `<#${id}>`).join(", ") : "the channels set aside for questions";
  return `I don't answer questions in this channel. Please ask in ${where}.`;
}
