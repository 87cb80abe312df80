/**
 * Message logic shared by the REST routes (the bot acting) and the emulator's public API (users acting): building
 * Discord message objects, resolving mentions like Discord does, storing, and echoing MESSAGE_* dispatches to the
 * gateway. Also home of {@link ApiError}, the way any layer reports a Discord-style HTTP error.
 */
import { EventEmitter } from "node:events";
import { MessageFlags, MessageReferenceType, MessageType, RESTJSONErrorCodes } from "discord-api-types/v10";
import type { GatewayServer } from "./gateway.ts";
import { nowIso } from "./payloads.ts";
import type { SnowflakeGenerator } from "./snowflake.ts";
import type { EmulatorState, GuildRecord } from "./state.ts";
import type { DiscordErrorBody } from "./validation.ts";
import type { ApiUser, EmulatorEvent, Message } from "./types.ts";

/** Flags a sender may set on a new message; Discord ignores the rest (e.g. CROSSPOSTED). */
const SETTABLE_FLAGS = MessageFlags.SuppressEmbeds | MessageFlags.SuppressNotifications | MessageFlags.IsComponentsV2;

/** A Discord-style HTTP error, thrown anywhere below the REST layer and turned into a response there. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: DiscordErrorBody,
  ) {
    super(`${status} ${body.message}`);
  }

  /** 404 for a well-known "Unknown X" error code. */
  static unknown(code: number, what: string): ApiError {
    return new ApiError(404, { code, message: `Unknown ${what}` });
  }
}

/** Mentions as computed for a message. */
interface ResolvedMentions {
  users: ApiUser[];
  roles: string[];
  everyone: boolean;
}

/** Parameters of {@link EmulatorCore.createMessage}. */
export interface CreateMessageParams {
  channelId: string;
  author: ApiUser;
  /** The message fields as sent (content, embeds, components, flags, allowed_mentions, message_reference, ...). */
  body: Record<string, unknown>;
  source: "user" | "bot" | "interaction";
  /** Extra flags the caller is entitled to (EPHEMERAL/LOADING for interaction responses). */
  extraFlags?: number;
  /** Fields merged into the message (interaction_metadata, webhook_id, type...). */
  extra?: Partial<Message>;
  /** Explicit mentions (simulated users), in addition to those parsed from the content. */
  explicitMentions?: { users?: readonly string[]; roles?: readonly string[]; everyone?: boolean; repliedUser?: boolean };
}

/** Deep copy, so callers can't mutate the store through returned objects (and vice versa). */
export function clone<T>(value: T): T {
  return structuredClone(value);
}

/** Owns the state, the gateway and the event bus, and implements message create/update/delete. */
export class EmulatorCore {
  /** Emits "event" with an {@link EmulatorEvent}. */
  readonly events = new EventEmitter();

  constructor(
    readonly state: EmulatorState,
    readonly gateway: GatewayServer,
    readonly ids: SnowflakeGenerator,
  ) {
    // Tests attach many short-lived waitFor listeners; the default cap of 10 would print spurious leak warnings.
    this.events.setMaxListeners(0);
  }

  /** Publishes an event to `events` listeners. */
  emit(event: EmulatorEvent): void {
    this.events.emit("event", event);
  }

  /** The channel and guild, or a 404 Unknown Channel. */
  channelOr404(channelId: string): { guild: GuildRecord } {
    try {
      return this.state.requireChannel(channelId);
    } catch {
      throw ApiError.unknown(RESTJSONErrorCodes.UnknownChannel, "Channel");
    }
  }

  /** A stored message in a channel, or a 404 Unknown Message. */
  messageOr404(channelId: string, messageId: string): Message {
    const message = this.state.getMessage(messageId);
    if (!message || message.channel_id !== channelId) throw ApiError.unknown(RESTJSONErrorCodes.UnknownMessage, "Message");
    return message;
  }

  /**
   * Mentions as Discord resolves them: parsed from the content (`<@id>`, `<@!id>`, `<@&id>`, `@everyone`,
   * `@here`), filtered by `allowed_mentions` when the sender gave one (Discord drops disallowed mentions from the
   * message's `mentions` arrays, not just from notifications).
   */
  private resolveMentions(guild: GuildRecord, content: string, allowedMentions: unknown, explicit: CreateMessageParams["explicitMentions"]): ResolvedMentions {
    const userIds = new Set<string>(explicit?.users ?? []);
    const roleIds = new Set<string>(explicit?.roles ?? []);
    let everyone = explicit?.everyone ?? false;
    const allowed = (allowedMentions ?? null) as { parse?: unknown; users?: unknown; roles?: unknown } | null;
    const parse = Array.isArray(allowed?.parse) ? (allowed.parse as string[]) : [];
    const allowedUsers = Array.isArray(allowed?.users) ? (allowed.users as string[]) : [];
    const allowedRoles = Array.isArray(allowed?.roles) ? (allowed.roles as string[]) : [];
    for (const match of content.matchAll(/<@!?(\d{1,20})>/g)) {
      const id = match[1];
      if (id && (!allowed || parse.includes("users") || allowedUsers.includes(id))) userIds.add(id);
    }
    for (const match of content.matchAll(/<@&(\d{1,20})>/g)) {
      const id = match[1];
      if (id && (!allowed || parse.includes("roles") || allowedRoles.includes(id))) roleIds.add(id);
    }
    if (/@(everyone|here)\b/.test(content) && (!allowed || parse.includes("everyone"))) everyone = true;
    const knownRoles = new Set(guild.roles.map((role) => role.id));
    return {
      users: [...userIds].map((id) => this.state.userById(id)),
      // Discord only lists roles that exist in the guild; @everyone is reported via mention_everyone instead.
      roles: [...roleIds].filter((id) => knownRoles.has(id) && id !== guild.id),
      everyone,
    };
  }

  /** Stores a new message, dispatches MESSAGE_CREATE (unless ephemeral) and emits "message_create". */
  createMessage(params: CreateMessageParams): Message {
    const { guild } = this.channelOr404(params.channelId);
    const body = params.body;
    const content = typeof body["content"] === "string" ? body["content"] : "";
    const flags = ((typeof body["flags"] === "number" ? body["flags"] : 0) & SETTABLE_FLAGS) | (params.extraFlags ?? 0);
    const mentions = this.resolveMentions(guild, content, body["allowed_mentions"], params.explicitMentions);

    let reference: Message["message_reference"];
    let referenced: Message | undefined;
    const rawReference = body["message_reference"] as Record<string, unknown> | undefined;
    if (rawReference && typeof rawReference["message_id"] === "string") {
      const referenceChannel = typeof rawReference["channel_id"] === "string" ? rawReference["channel_id"] : params.channelId;
      referenced = this.state.getMessage(rawReference["message_id"]);
      if (!referenced || referenced.channel_id !== referenceChannel) {
        referenced = undefined;
        if (rawReference["fail_if_not_exists"] !== false) {
          throw new ApiError(400, {
            code: RESTJSONErrorCodes.InvalidFormBodyOrContentType,
            message: "Invalid Form Body",
            errors: {
              message_reference: {
                _errors: [{ code: "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", message: "Unknown message" }],
              },
            },
          });
        }
      } else {
        reference = { type: MessageReferenceType.Default, message_id: referenced.id, channel_id: referenced.channel_id, guild_id: guild.id };
        // A reply pings (and so mentions) the replied-to author unless allowed_mentions.replied_user says otherwise;
        // when allowed_mentions is given, replied_user defaults to false.
        const allowed = body["allowed_mentions"] as { replied_user?: unknown } | undefined;
        const pingReplied = params.explicitMentions?.repliedUser ?? (allowed ? allowed.replied_user === true : true);
        if (pingReplied && !mentions.users.some((user) => user.id === referenced?.author.id)) {
          mentions.users.push(referenced.author);
        }
      }
    }

    const message: Message = {
      id: this.ids.next(),
      type: reference ? MessageType.Reply : MessageType.Default,
      channel_id: params.channelId,
      guild_id: guild.id,
      author: params.author,
      content,
      timestamp: nowIso(),
      edited_timestamp: null,
      tts: body["tts"] === true,
      mention_everyone: mentions.everyone,
      mentions: mentions.users,
      mention_roles: mentions.roles,
      attachments: Array.isArray(body["attachments"]) ? (body["attachments"] as unknown[]) : [],
      embeds: Array.isArray(body["embeds"]) ? (clone(body["embeds"]) as Message["embeds"]) : [],
      components: Array.isArray(body["components"]) ? (clone(body["components"]) as Message["components"]) : [],
      pinned: false,
      flags,
      ...params.extra,
    };
    if (body["nonce"] !== undefined) message.nonce = body["nonce"] as string | number;
    if (body["allowed_mentions"] !== undefined) message.allowed_mentions = clone(body["allowed_mentions"]);
    if (reference && referenced) {
      message.message_reference = reference;
      // Snapshot without its own referenced_message: Discord nests only one level.
      const { referenced_message: _nested, ...snapshot } = clone(referenced);
      message.referenced_message = snapshot as Message;
    }
    this.state.addMessage(message);
    if ((message.flags & MessageFlags.Ephemeral) === 0) {
      this.gateway.dispatch("MESSAGE_CREATE", this.dispatchPayload(message));
    }
    this.emit({ type: "message_create", message: clone(message), source: params.source });
    return message;
  }

  /**
   * Applies an edit (content, embeds, components, allowed_mentions, attachments, the SUPPRESS_EMBEDS flag),
   * dispatches MESSAGE_UPDATE (unless ephemeral) and emits "message_update". Completing a deferred (LOADING)
   * response clears the flag without marking the message edited, as Discord does.
   */
  updateMessage(message: Message, patch: Record<string, unknown>): Message {
    const wasLoading = (message.flags & MessageFlags.Loading) !== 0;
    if ("content" in patch) message.content = typeof patch["content"] === "string" ? patch["content"] : "";
    if ("embeds" in patch) message.embeds = Array.isArray(patch["embeds"]) ? clone(patch["embeds"]) : [];
    if ("components" in patch) {
      message.components = Array.isArray(patch["components"]) ? clone(patch["components"]) : [];
    }
    if ("attachments" in patch) {
      message.attachments = Array.isArray(patch["attachments"]) ? clone(patch["attachments"] as unknown[]) : [];
    }
    if ("allowed_mentions" in patch) message.allowed_mentions = clone(patch["allowed_mentions"]);
    if (typeof patch["flags"] === "number") {
      const toggle = MessageFlags.SuppressEmbeds | MessageFlags.IsComponentsV2;
      message.flags = (message.flags & ~toggle) | (patch["flags"] & toggle);
    }
    if ("content" in patch || "allowed_mentions" in patch) {
      const { guild } = this.channelOr404(message.channel_id);
      const mentions = this.resolveMentions(guild, message.content, message.allowed_mentions, undefined);
      message.mentions = mentions.users;
      message.mention_roles = mentions.roles;
      message.mention_everyone = mentions.everyone;
    }
    message.flags &= ~MessageFlags.Loading;
    if (!wasLoading) message.edited_timestamp = nowIso();
    if ((message.flags & MessageFlags.Ephemeral) === 0) {
      this.gateway.dispatch("MESSAGE_UPDATE", this.dispatchPayload(message));
    }
    this.emit({ type: "message_update", message: clone(message) });
    return message;
  }

  /** Removes a message, dispatches MESSAGE_DELETE (unless ephemeral) and emits "message_delete". */
  deleteMessage(message: Message): void {
    this.state.removeMessage(message.id);
    if ((message.flags & MessageFlags.Ephemeral) === 0) {
      this.gateway.dispatch("MESSAGE_DELETE", {
        id: message.id,
        channel_id: message.channel_id,
        guild_id: message.guild_id,
      });
    }
    this.emit({ type: "message_delete", id: message.id, channelId: message.channel_id, message: clone(message) });
  }

  /**
   * The gateway form of a message: Discord adds the author's partial `member` (no `user`) and a `member` on each
   * mentioned user in guild channels; discord.js caches members from these.
   */
  dispatchPayload(message: Message): Record<string, unknown> {
    const payload: Record<string, unknown> = clone(message);
    const guild = message.guild_id ? this.state.guilds.get(message.guild_id) : undefined;
    if (guild) {
      const author = guild.members.get(message.author.id);
      if (author) payload["member"] = this.state.memberPayload(author, { includeUser: false });
      payload["mentions"] = message.mentions.map((user) => {
        const member = guild.members.get(user.id);
        return member ? { ...user, member: this.state.memberPayload(member, { includeUser: false }) } : user;
      });
    }
    return payload;
  }
}
