/**
 * The playground's JSON API: one function per thing the visitor does — send a message (or a reply), run a slash
 * command, click a button, submit a modal, switch between member and moderator. Each checks its input and goes
 * through the emulator exactly as a Discord client would, so what the page shows is what the bot really did.
 */
import { ApplicationCommandOptionType, MessageFlags } from "discord-api-types/v10";
import type { CommandOptionInput, DiscordEmulator } from "../discord-emulator/emulator.ts";
import type { Interaction } from "../discord-emulator/types.ts";
import type { InteractionTracker } from "./interaction-tracker.ts";
import { actorFor, BOT_USER, CHANNEL_IDS, FORUM_TAGS, HELP_FORUM_ID, type Role, VISITOR } from "./playground-guild.ts";

/** Discord's limit for a member's message. */
const MAX_MESSAGE_CHARS = 2_000;
/** Discord's limit for a thread (post) title. */
const MAX_TITLE_CHARS = 100;
/** Tags a poster may pick; Docent's own (answered, needs a human, solved) are applied by the bot. */
const POSTER_TAGS = FORUM_TAGS.slice(3);
const POSTER_TAG_IDS: ReadonlySet<string> = new Set(POSTER_TAGS.map((tag) => tag.id));
const POSTER_TAG_NAMES: ReadonlySet<string> = new Set(POSTER_TAGS.map((tag) => tag.name));
/** Discord's limit for a text input's value. */
const MAX_FIELD_CHARS = 4_000;

/** A refusal with the HTTP status to answer with; its message is shown to the visitor as it is. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export type Body = Record<string, unknown>;
export type Action = (body: Body) => Promise<unknown>;

export interface ActionDeps {
  emulator: DiscordEmulator;
  interactions: InteractionTracker;
  role(): Role;
  setRole(role: Role): void;
}

/** The API's actions by path. */
export function createActions(deps: ActionDeps): Record<string, Action> {
  return {
    "/api/messages": (body) => sendMessage(deps, body),
    "/api/command": (body) => runCommand(deps, body),
    "/api/click": (body) => clickButton(deps, body),
    "/api/modal": (body) => submitModal(deps, body),
    "/api/role": async (body) => switchRole(deps, body),
    "/api/forum/posts": (body) => createPost(deps, body),
  };
}

/** A message from the visitor, or a reply to one (`replyTo`): Discord's reply pings the replied-to author. */
async function sendMessage({ emulator }: ActionDeps, body: Body) {
  const channelId = channelOrPostOf(emulator, body);
  const content = requiredText(body, "content", MAX_MESSAGE_CHARS);
  const replyTo = replyTargetOf(emulator, body, channelId);
  // "@Docent" typed on the page becomes a real mention, as Discord's autocomplete would make it.
  const withMention = content.replace(/(^|[\s(])@docent\b/gi, `$1<@${BOT_USER.id}>`);
  const message = await emulator.sendUserMessage({ channelId, author: VISITOR, content: withMention, ...(replyTo ? { replyTo } : {}) });
  return { ok: true, id: message.id };
}

async function runCommand(deps: ActionDeps, body: Body) {
  const channelId = channelOf(body);
  const command = slashCommandOf(body);
  return interactionResult(deps, await deps.emulator.runSlashCommand({ channelId, user: VISITOR, ...command, ...actorFor(deps.role()) }));
}

async function clickButton(deps: ActionDeps, body: Body) {
  const channelId = channelOrPostOf(deps.emulator, body);
  const messageId = requiredText(body, "messageId", 32);
  const customId = requiredText(body, "customId", 100);
  return interactionResult(deps, await deps.emulator.clickButton({ channelId, messageId, customId, user: VISITOR, ...actorFor(deps.role()) }));
}

async function submitModal(deps: ActionDeps, body: Body) {
  const channelId = channelOf(body);
  const customId = requiredText(body, "customId", 100);
  const raw = body["fields"];
  if (!raw || typeof raw !== "object") throw new HttpError(400, "fields must be an object of text input ids to values");
  const fields = Object.fromEntries(Object.entries(raw as Record<string, unknown>).map(([k, v]) => [k, String(v).slice(0, MAX_FIELD_CHARS)]));
  const messageId = typeof body["messageId"] === "string" && body["messageId"] ? body["messageId"] : undefined;
  return interactionResult(
    deps,
    await deps.emulator.submitModal({ channelId, customId, fields, user: VISITOR, ...(messageId ? { messageId } : {}), ...actorFor(deps.role()) }),
  );
}

/** A new #help-forum post by the visitor: title, first message, and tags a poster may pick (not Docent's). */
async function createPost({ emulator }: ActionDeps, body: Body) {
  const title = requiredText(body, "title", MAX_TITLE_CHARS).trim();
  const content = requiredText(body, "content", MAX_MESSAGE_CHARS);
  const raw = body["tags"] ?? [];
  if (!Array.isArray(raw) || raw.length > 5) throw new HttpError(400, "tags must be a list of at most 5 tag ids.");
  const tags = raw.map(String);
  if (tags.some((id) => !POSTER_TAG_IDS.has(id))) throw new HttpError(400, `Unknown tag: pick from ${[...POSTER_TAG_NAMES].join(", ")}.`);
  const withMention = content.replace(/(^|[\s(])@docent\b/gi, `$1<@${BOT_USER.id}>`);
  const { thread } = await emulator.createForumPost({ forumId: HELP_FORUM_ID, author: VISITOR, title, content: withMention, tags });
  return { ok: true, threadId: thread.id };
}

/** A channel of the page, or a post of #help-forum (its thread). */
export function channelOrPostOf(emulator: DiscordEmulator, body: Body): string {
  const id = body["channelId"];
  if (typeof id === "string" && isForumPost(emulator, id)) return id;
  return channelOf(body);
}

export function isForumPost(emulator: DiscordEmulator, channelId: string): boolean {
  return emulator.channel(channelId)?.parent_id === HELP_FORUM_ID;
}

function switchRole(deps: ActionDeps, body: Body) {
  const role = body["role"];
  if (role !== "member" && role !== "moderator") throw new HttpError(400, 'role must be "member" or "moderator"');
  deps.setRole(role);
  return { ok: true, role };
}

/** `failed` when the bot did not answer within Discord's 3 s: the page then says "This interaction failed". */
async function interactionResult({ interactions }: ActionDeps, interaction: Interaction) {
  return { ok: true, interactionId: interaction.id, failed: !(await interactions.answered(interaction.id)) };
}

/** The slash commands the bot registers, as the page sends them: `/ask question [public]`, `/docent status`, `/docent gaps [days]`. */
export function slashCommandOf(body: Body): { name: string; options: CommandOptionInput[] } {
  if (body["name"] === "ask") {
    const question = requiredText(body, "question", 1_500);
    const options: CommandOptionInput[] = [{ name: "question", type: ApplicationCommandOptionType.String, value: question }];
    if (body["public"] === true) options.push({ name: "public", type: ApplicationCommandOptionType.Boolean, value: true });
    return { name: "ask", options };
  }
  if (body["name"] === "docent" && body["subcommand"] === "status") {
    // A subcommand option carries no value on Discord; the empty one here is ignored by discord.js.
    return { name: "docent", options: [{ name: "status", type: ApplicationCommandOptionType.Subcommand, value: "" }] };
  }
  if (body["name"] === "docent" && body["subcommand"] === "gaps") {
    const days = body["days"];
    if (days !== undefined && !(Number.isInteger(days) && (days as number) >= 1 && (days as number) <= 365))
      throw new HttpError(400, "days must be a whole number from 1 to 365.");
    const options = days === undefined ? [] : [{ name: "days", type: ApplicationCommandOptionType.Integer, value: days as number }];
    return { name: "docent", options: [{ name: "gaps", type: ApplicationCommandOptionType.Subcommand, value: "", options } as CommandOptionInput] };
  }
  throw new HttpError(400, "Unknown command: the playground knows /ask, /docent status and /docent gaps [days].");
}

/** The message a reply answers: one in the same channel that everyone sees (Discord offers no Reply on ephemeral ones). */
function replyTargetOf(emulator: DiscordEmulator, body: Body, channelId: string): string | undefined {
  const id = body["replyTo"];
  if (id === undefined || id === null || id === "") return undefined;
  const target = typeof id === "string" ? emulator.message(id) : undefined;
  if (!target || target.channel_id !== channelId) throw new HttpError(400, "The message you reply to is not in this channel any more.");
  if ((target.flags & MessageFlags.Ephemeral) !== 0) throw new HttpError(400, "Only you can see that message, so it cannot be replied to.");
  return target.id;
}

function channelOf(body: Body): string {
  const id = body["channelId"];
  if (typeof id !== "string" || !CHANNEL_IDS.has(id)) throw new HttpError(400, "Unknown channel.");
  return id;
}

function requiredText(body: Body, name: string, max: number): string {
  const value = body[name];
  if (typeof value !== "string" || value.trim() === "") throw new HttpError(400, `${name} is required.`);
  if (value.length > max) throw new HttpError(400, `${name} is longer than ${max} characters.`);
  return value;
}
