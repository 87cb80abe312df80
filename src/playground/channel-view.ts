/**
 * The playground's channels as the visitor sees them: messages the visitor may see (not other people's ephemeral
 * ones) rendered to HTML, with the names of the users they mention learnt as messages go by.
 */
import type { DiscordEmulator } from "../discord-emulator/emulator.ts";
import type { Message } from "../discord-emulator/types.ts";
import { CHANNEL_IDS, knownNames, PLAYGROUND_GUILD_ID, VISITOR } from "./playground-guild.ts";
import type { MarkdownNames } from "./render-markdown.ts";
import { type RenderContext, renderMessage, visibleTo } from "./render-message.ts";

/** One message for the page: its new HTML, or `remove` when the visitor may not see it. */
export type MessageUpdate = { id: string; channelId: string; authorId: string; html: string } | { id: string; channelId: string; remove: true };

export interface ChannelView {
  /** The HTML of every message of a channel the visitor sees, oldest first. */
  paneHtml(channelId: string): string;
  messageUpdate(message: Message): MessageUpdate;
  /** Messages of a channel the visitor sees, as the API has them. */
  visibleMessages(channelId: string): Message[];
  userName(userId: string): string | undefined;
}

export function createChannelView(emulator: DiscordEmulator): ChannelView {
  const users = new Map(knownNames.users);
  const names: MarkdownNames = {
    user: (id) => users.get(id),
    role: (id) => knownNames.roles.get(id),
    channel: (id) => knownNames.channels.get(id),
    jump: (guildId, channelId, messageId) => (guildId === PLAYGROUND_GUILD_ID && CHANNEL_IDS.has(channelId) ? `#m-${messageId}` : undefined),
  };
  const ctx: RenderContext = { names, viewerId: VISITOR.id, lookup: (id) => emulator.message(id) };
  const render = (message: Message): string => {
    for (const user of [message.author, ...message.mentions]) users.set(user.id, user.global_name ?? user.username);
    return renderMessage(message, ctx);
  };
  const visibleMessages = (channelId: string) => emulator.messages(channelId).filter((m) => visibleTo(m, VISITOR.id));
  return {
    paneHtml: (channelId) => visibleMessages(channelId).map(render).join(""),
    messageUpdate: (message) =>
      visibleTo(message, VISITOR.id)
        ? { id: message.id, channelId: message.channel_id, authorId: message.author.id, html: render(message) }
        : { id: message.id, channelId: message.channel_id, remove: true },
    visibleMessages,
    userName: (userId) => users.get(userId),
  };
}
