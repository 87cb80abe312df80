/**
 * One Discord message (as the bot sent it through the API and the local stand-in stored it) → the HTML the
 * playground shows: author, reply or slash-command line, content, embeds, components (buttons clickable), the
 * "Only you can see this" mark of ephemeral messages, and the raw API fields behind a toggle. Pure.
 */
import { ButtonStyle, ComponentType, MessageFlags, MessageType } from "discord-api-types/v10";
import type { ApiComponent, ApiEmbed, Message } from "../discord-emulator/types.ts";
import { escapeHtml, type MarkdownNames, renderMarkdown } from "./render-markdown.ts";

export interface RenderContext {
  names: MarkdownNames;
  /** The person looking at the page: ephemeral messages are visible to this user only. */
  viewerId: string;
  /** A stored message by id, for reply previews. */
  lookup(id: string): Message | undefined;
}

/** Whether the viewer sees this message at all (ephemeral messages belong to the user of their interaction). */
export function visibleTo(message: Message, viewerId: string): boolean {
  if ((message.flags & MessageFlags.Ephemeral) === 0) return true;
  return (message.interaction_metadata?.user.id ?? message.interaction?.user.id) === viewerId;
}

const AVATAR_COLOURS = ["#5865f2", "#3ba55c", "#faa61a", "#ed4245", "#eb459e", "#4f9fdd"];

function avatar(userId: string, name: string, bot: boolean): string {
  const colour = bot ? "#5865f2" : (AVATAR_COLOURS[Number(BigInt(userId) % BigInt(AVATAR_COLOURS.length))] ?? "#5865f2");
  const letter = bot ? "D" : (name[0] ?? "?").toUpperCase();
  return `<div class="avatar" style="background:${colour}" aria-hidden="true">${escapeHtml(letter)}</div>`;
}

function timeText(iso: string): string {
  const date = new Date(iso);
  const time = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit" }).format(date);
  return new Date().toDateString() === date.toDateString() ? `Today at ${time}` : `${date.toLocaleDateString("en-GB")} ${time}`;
}

/** A one-line preview of a message, as Discord shows above a reply: mentions as @names, Markdown marks dropped. */
function firstLine(text: string, names: MarkdownNames, max = 90): string {
  const line = text
    .replace(/<@!?(\d{15,21})>/g, (_m, id: string) => `@${names.user(id) ?? "unknown-user"}`)
    .replace(/<#(\d{15,21})>/g, (_m, id: string) => `#${names.channel(id) ?? "unknown"}`)
    .replace(/\*\*|__|~~|\|\|/g, "")
    .replace(/\s+/g, " ")
    .trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

function displayName(user: { username: string; global_name: string | null }): string {
  return user.global_name ?? user.username;
}

export function renderMessage(message: Message, ctx: RenderContext): string {
  const ephemeral = (message.flags & MessageFlags.Ephemeral) !== 0;
  const loading = (message.flags & MessageFlags.Loading) !== 0;
  const pinged = message.mentions.some((u) => u.id === ctx.viewerId) || message.mention_everyone;
  const classes = ["msg", ephemeral ? "msg-ephemeral" : "", pinged ? "msg-mentioned" : "", message.author.bot ? "msg-bot" : "msg-user"]
    .filter(Boolean)
    .join(" ");
  const name = displayName(message.author);
  const parts: string[] = [];
  parts.push(
    `<article class="${classes}" id="m-${message.id}" data-id="${message.id}" data-channel="${message.channel_id}" data-author="${message.author.id}">`,
  );
  parts.push(contextLine(message, ctx));
  // Discord offers Reply on every message but the ones only you can see.
  if (!ephemeral)
    parts.push(
      `<div class="msg-actions"><button type="button" class="msg-action" data-reply aria-label="Reply to ${escapeHtml(name)}" title="Reply"><span aria-hidden="true">↩</span> Reply</button></div>`,
    );
  parts.push(avatar(message.author.id, name, message.author.bot === true));
  parts.push(`<div class="msg-body">`);
  parts.push(
    `<header class="msg-header"><span class="msg-author">${escapeHtml(name)}</span>${message.author.bot ? '<span class="app-tag">APP</span>' : ""}` +
      `<time class="msg-time" datetime="${escapeHtml(message.timestamp)}">${escapeHtml(timeText(message.timestamp))}</time>` +
      `${message.edited_timestamp ? '<span class="msg-edited">(edited)</span>' : ""}</header>`,
  );
  if (loading) parts.push(`<div class="msg-thinking">${escapeHtml(name)} is thinking<span class="dots"><i></i><i></i><i></i></span></div>`);
  if (message.content) parts.push(`<div class="msg-content">${renderMarkdown(message.content, ctx.names)}</div>`);
  if (message.embeds.length > 0) {
    // SUPPRESS_EMBEDS hides every embed of the message on Discord: show what Discord shows, and say why.
    parts.push(
      (message.flags & MessageFlags.SuppressEmbeds) !== 0
        ? `<div class="msg-note">${message.embeds.length} embed(s) hidden: the message has the SUPPRESS_EMBEDS flag</div>`
        : message.embeds.map((e) => renderEmbed(e, ctx)).join(""),
    );
  }
  if (message.components.length > 0) parts.push(`<div class="components">${message.components.map((c) => renderComponent(c, ctx)).join("")}</div>`);
  if (ephemeral)
    parts.push(
      `<div class="ephemeral-note"><span class="eye" aria-hidden="true">👁</span> Only you can see this · <button type="button" class="link-button" data-dismiss>Dismiss message</button></div>`,
    );
  parts.push(rawDetails(message));
  parts.push(`</div></article>`);
  return parts.join("");
}

/** The line above a message: the message it replies to, or the slash command that produced it. */
function contextLine(message: Message, ctx: RenderContext): string {
  const reference = message.message_reference?.message_id;
  if (reference && message.type === MessageType.Reply) {
    const target = ctx.lookup(reference);
    if (!target) return `<div class="msg-context"><span class="reply-spine"></span><em>Original message was deleted</em></div>`;
    const pingedReply = message.mentions.some((u) => u.id === target.author.id);
    return `<div class="msg-context"><span class="reply-spine"></span><a class="msg-context-link" href="#m-${target.id}" data-jump="${target.id}"><span class="context-author">${pingedReply ? "@" : ""}${escapeHtml(displayName(target.author))}</span> <span class="context-text">${escapeHtml(firstLine(target.content, ctx.names) || "Click to see attachment")}</span></a></div>`;
  }
  const command = message.interaction_metadata?.name ?? message.interaction?.name;
  const user = message.interaction_metadata?.user ?? message.interaction?.user;
  if (command && user) {
    return `<div class="msg-context"><span class="reply-spine"></span><span class="context-author">${escapeHtml(displayName(user))}</span> used <span class="context-command">/${escapeHtml(command)}</span></div>`;
  }
  return "";
}

function colourHex(colour: number | undefined): string {
  return colour === undefined ? "#1e1f22" : `#${colour.toString(16).padStart(6, "0")}`;
}

function renderEmbed(embed: ApiEmbed, ctx: RenderContext): string {
  const out: string[] = [`<div class="embed" style="border-left-color:${colourHex(embed.color)}">`];
  if (embed.author?.name) out.push(`<div class="embed-author">${escapeHtml(embed.author.name)}</div>`);
  if (embed.title) {
    const title = renderMarkdown(embed.title, ctx.names);
    out.push(
      embed.url
        ? `<div class="embed-title"><a href="${escapeHtml(embed.url)}" target="_blank" rel="noopener noreferrer nofollow">${title}</a></div>`
        : `<div class="embed-title">${title}</div>`,
    );
  }
  if (embed.description) out.push(renderEmbedDescription(embed.description, ctx));
  if (embed.fields && embed.fields.length > 0) {
    out.push(
      `<div class="embed-fields">${embed.fields.map((f) => `<div class="embed-field${f.inline ? " inline" : ""}"><div class="embed-field-name">${renderMarkdown(f.name, ctx.names)}</div><div class="embed-field-value">${renderMarkdown(f.value, ctx.names)}</div></div>`).join("")}</div>`,
    );
  }
  if (embed.footer?.text || embed.timestamp) {
    const when = embed.timestamp ? `${embed.footer?.text ? " • " : ""}${escapeHtml(timeText(embed.timestamp))}` : "";
    out.push(`<div class="embed-footer">${escapeHtml(embed.footer?.text ?? "")}${when}</div>`);
  }
  out.push(`</div>`);
  return out.join("");
}

/** A description longer than this many lines shows its first {@link SHOWN_LINES} and folds the rest away. */
const FOLD_AFTER_LINES = 10;
const SHOWN_LINES = 4;

/**
 * An embed's description. A long one (a review message's retrieved passages) shows its first lines and folds the
 * rest into a "Show N more lines" disclosure, so one review message does not fill the review pane; the text is all
 * there, as the bot sent it, a click away.
 */
function renderEmbedDescription(description: string, ctx: RenderContext): string {
  const lines = description.split("\n");
  if (lines.length <= FOLD_AFTER_LINES) return `<div class="embed-description">${renderMarkdown(description, ctx.names)}</div>`;
  const rest = lines.slice(SHOWN_LINES);
  return `<div class="embed-description">${renderMarkdown(lines.slice(0, SHOWN_LINES).join("\n"), ctx.names)}<details class="embed-more"><summary class="embed-more-toggle">Show ${rest.length} more lines</summary>${renderMarkdown(rest.join("\n"), ctx.names)}</details></div>`;
}

/** Button styles → the page's CSS classes. */
const BUTTON_STYLES: Record<number, string> = {
  [ButtonStyle.Primary]: "primary",
  [ButtonStyle.Secondary]: "secondary",
  [ButtonStyle.Success]: "success",
  [ButtonStyle.Danger]: "danger",
  [ButtonStyle.Link]: "link",
  [ButtonStyle.Premium]: "premium",
};

function renderComponent(component: ApiComponent, ctx: RenderContext): string {
  switch (component.type) {
    case ComponentType.ActionRow:
      return `<div class="action-row">${(component.components ?? []).map((c) => renderComponent(c, ctx)).join("")}</div>`;
    case ComponentType.Button: {
      const emoji = (component["emoji"] as { name?: string } | undefined)?.name;
      const label = `${emoji ? `<span class="btn-emoji">${escapeHtml(emoji)}</span>` : ""}${component.label ? `<span class="btn-label">${escapeHtml(component.label)}</span>` : ""}`;
      const style = BUTTON_STYLES[component.style ?? ButtonStyle.Secondary] ?? "secondary";
      const disabled = component.disabled ? " disabled" : "";
      if (component.style === ButtonStyle.Link && component.url) {
        return `<a class="btn btn-link${disabled}" href="${escapeHtml(component.url)}" target="_blank" rel="noopener noreferrer nofollow">${label}<span aria-hidden="true"> ↗</span></a>`;
      }
      const aria = !component.label && emoji ? ` aria-label="${escapeHtml(emoji)}"` : "";
      return `<button type="button" class="btn btn-${style}" data-custom-id="${escapeHtml(component.custom_id ?? "")}"${aria}${disabled}>${label}</button>`;
    }
    case ComponentType.StringSelect:
    case ComponentType.UserSelect:
    case ComponentType.RoleSelect:
    case ComponentType.MentionableSelect:
    case ComponentType.ChannelSelect:
      return `<select class="select-menu" disabled title="Select menus are shown but not usable in the playground"><option>${escapeHtml(String(component["placeholder"] ?? "Make a selection"))}</option></select>`;
    case ComponentType.Section: // text beside an accessory
      return `<div class="cv2-section"><div>${(component.components ?? []).map((c) => renderComponent(c, ctx)).join("")}</div>${component["accessory"] ? renderComponent(component["accessory"] as ApiComponent, ctx) : ""}</div>`;
    case ComponentType.TextDisplay:
      return `<div class="cv2-text">${renderMarkdown(String(component["content"] ?? ""), ctx.names)}</div>`;
    case ComponentType.Separator:
      return `<hr class="cv2-separator">`;
    case ComponentType.Container: {
      const accent = typeof component["accent_color"] === "number" ? colourHex(component["accent_color"] as number) : "transparent";
      return `<div class="cv2-container" style="border-left-color:${accent}">${(component.components ?? []).map((c) => renderComponent(c, ctx)).join("")}</div>`;
    }
    default:
      return `<div class="msg-note">component type ${component.type} is not shown in the playground</div>`;
  }
}

/** The fields the bot sent, verbatim, for anyone who wants to see exactly what went over the API. */
function rawDetails(message: Message): string {
  const raw: Record<string, unknown> = {
    content: message.content,
    flags: message.flags,
    allowed_mentions: message.allowed_mentions ?? null,
    mentions: message.mentions.map((u) => u.id),
    embeds: message.embeds,
    components: message.components,
  };
  if (message.message_reference) raw["message_reference"] = message.message_reference;
  return `<details class="raw"><summary>API payload</summary><pre>${escapeHtml(JSON.stringify(raw, null, 2))}</pre></details>`;
}
