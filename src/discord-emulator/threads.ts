/**
 * Threads and forum posts as Discord runs them: a forum (type 15) holds posts, each a public thread (type 11) whose
 * starter message carries the thread's own id; text channels hold public (11) and private (12) threads. Creating,
 * editing (name, tags, archive, lock), deleting and listing threads, with the gateway events discord.js expects
 * (THREAD_CREATE, THREAD_UPDATE, THREAD_DELETE, THREAD_LIST_SYNC) and Discord's permission and archive rules.
 */
import { ChannelType, PermissionFlagsBits, RESTJSONErrorCodes } from "discord-api-types/v10";
import { ApiError, clone } from "./core.ts";
import type { EmulatorCore } from "./core.ts";
import { nowIso, threadObject } from "./payloads.ts";
import type { GuildRecord } from "./state.ts";
import type { ApiChannel, ApiUser, Message } from "./types.ts";
import { validateMessageBody } from "./validation.ts";

/** Discord's limit on tags per post. */
const MAX_APPLIED_TAGS = 5;
/** Discord's limit on a thread name. */
const MAX_NAME = 100;
const THREAD_TYPES: ReadonlySet<number> = new Set([ChannelType.AnnouncementThread, ChannelType.PublicThread, ChannelType.PrivateThread]);
const FORUM_TYPES: ReadonlySet<number> = new Set([ChannelType.GuildForum, ChannelType.GuildMedia]);

/** Parameters of {@link ThreadService.createThread}. */
export interface CreateThreadParams {
  parentId: string;
  owner: ApiUser;
  name: string;
  /** Thread type in a text channel (11 public, 12 private); forum posts are always 11. */
  type?: number;
  appliedTags?: readonly string[];
  autoArchiveDuration?: number;
  /** A forum post's starter message (its fields as sent); required in a forum, not allowed elsewhere. */
  message?: Record<string, unknown>;
  source: "user" | "bot";
  /** A thread started from a message of a text channel: it takes the message's id (its starter message). */
  fromMessageId?: string;
  /**
   * Order of the gateway events of a forum post: Discord sends THREAD_CREATE and the starter's MESSAGE_CREATE in
   * either order, and a bot must cope with both. Default "thread-first".
   */
  order?: "thread-first" | "message-first";
}

/** Whether a channel object is a thread. */
export function isThread(channel: ApiChannel): boolean {
  return THREAD_TYPES.has(channel.type);
}

/** Creates, edits, deletes and lists threads; owns no state beyond the emulator's. */
export class ThreadService {
  constructor(private readonly core: EmulatorCore) {}

  /** A thread by id, or 404 Unknown Channel (also for a channel that is not a thread). */
  threadOr404(threadId: string): { thread: ApiChannel; guild: GuildRecord } {
    const entry = this.core.state.channels.get(threadId);
    const guild = entry ? this.core.state.guilds.get(entry.guildId) : undefined;
    if (!entry || !guild || !isThread(entry.channel)) throw ApiError.unknown(RESTJSONErrorCodes.UnknownChannel, "Channel");
    return { thread: entry.channel, guild };
  }

  /** Creates a thread (a forum post with its starter message, or a thread in a text channel) and dispatches it. */
  createThread(params: CreateThreadParams): { thread: ApiChannel; message: Message | null } {
    const { state } = this.core;
    const entry = state.channels.get(params.parentId);
    const guild = entry ? state.guilds.get(entry.guildId) : undefined;
    if (!entry || !guild) throw ApiError.unknown(RESTJSONErrorCodes.UnknownChannel, "Channel");
    const parent = entry.channel;
    const forum = FORUM_TYPES.has(parent.type);
    if (!forum && parent.type !== ChannelType.GuildText && parent.type !== ChannelType.GuildAnnouncement) {
      throw invalidForm(["channel_id"], "CHANNEL_TYPE_INVALID", "Threads cannot be created in this channel.");
    }
    const name = params.name.trim();
    if (name.length === 0 || [...name].length > MAX_NAME) throw invalidForm(["name"], "BASE_TYPE_BAD_LENGTH", `Must be between 1 and ${MAX_NAME} in length.`);
    if (forum && !params.message) throw invalidForm(["message"], "BASE_TYPE_REQUIRED", "This field is required");
    const appliedTags = this.checkTags(parent, params.appliedTags ?? []);
    if (!forum && appliedTags.length > 0) throw invalidForm(["applied_tags"], "CHANNEL_TYPE_INVALID", "Tags are only for forum posts.");
    if (params.message) {
      const error = validateMessageBody(params.message, true);
      if (error) throw new ApiError(400, error);
    }
    if (params.fromMessageId !== undefined) {
      const starter = state.getMessage(params.fromMessageId);
      if (forum || !starter || starter.channel_id !== parent.id) throw ApiError.unknown(RESTJSONErrorCodes.UnknownMessage, "Message");
      if (guild.threads.some((thread) => thread.id === starter.id)) {
        throw new ApiError(400, { code: RESTJSONErrorCodes.ThreadAlreadyCreatedForMessage, message: "A thread has already been created for this message" });
      }
    }
    const type = forum ? ChannelType.PublicThread : params.type === ChannelType.PrivateThread ? ChannelType.PrivateThread : ChannelType.PublicThread;
    const thread = threadObject({
      guildId: guild.id,
      id: params.fromMessageId ?? this.core.ids.next(),
      parentId: parent.id,
      ownerId: params.owner.id,
      name,
      type,
      appliedTags,
      autoArchiveDuration: params.autoArchiveDuration ?? 4320,
      createdAt: nowIso(),
    });
    guild.threads.push(thread);
    state.channels.set(thread.id, { channel: thread, guildId: guild.id });
    parent.last_message_id = thread.id;
    const dispatchThread = (): void => {
      this.core.gateway.dispatch("THREAD_CREATE", { ...clone(thread), newly_created: true });
      this.core.emit({ type: "thread_create", thread: clone(thread), source: params.source });
    };
    let message: Message | null = null;
    const createStarter = (): void => {
      if (!params.message) return;
      // The starter message of a forum post has the post's id: that is how clients find it.
      message = this.core.createMessage({ channelId: thread.id, author: params.owner, body: params.message, source: params.source, extra: { id: thread.id } });
    };
    if (params.order === "message-first") {
      createStarter();
      dispatchThread();
    } else {
      dispatchThread();
      createStarter();
    }
    return { thread, message };
  }

  /**
   * Applies a PATCH /channels/{thread} from `actorId`: name, tags, archived, locked, auto-archive duration. The
   * owner may rename, retag and archive; anything else needs Manage Threads (403 Missing Permissions), as does
   * touching a moderated tag or locking. An archived thread takes no change except being unarchived (400 50083).
   */
  updateThread(threadId: string, body: Record<string, unknown>, actorId: string): ApiChannel {
    const { thread, guild } = this.threadOr404(threadId);
    const metadata = thread.thread_metadata!;
    const parent = thread.parent_id ? this.core.state.channels.get(thread.parent_id)?.channel : undefined;
    const canManage = (this.core.state.memberPermissions(guild, actorId) & PermissionFlagsBits.ManageThreads) !== 0n;
    const isOwner = thread.owner_id === actorId;
    const changed: string[] = [];
    const wantsArchived = typeof body["archived"] === "boolean" ? body["archived"] : undefined;
    if (metadata.archived && wantsArchived !== false) {
      throw new ApiError(400, { code: RESTJSONErrorCodes.InvalidActionOnArchivedThread, message: "Thread is archived" });
    }
    if (metadata.locked && !canManage) throw missingPermissions();
    const ownerMay = isOwner || canManage;
    if (typeof body["name"] === "string" && body["name"] !== thread.name) {
      if (!ownerMay) throw missingPermissions();
      const name = body["name"].trim();
      if (name.length === 0 || [...name].length > MAX_NAME) throw invalidForm(["name"], "BASE_TYPE_BAD_LENGTH", `Must be between 1 and ${MAX_NAME} in length.`);
      thread.name = name;
      changed.push("name");
    }
    if (Array.isArray(body["applied_tags"])) {
      if (!parent || !FORUM_TYPES.has(parent.type)) throw invalidForm(["applied_tags"], "CHANNEL_TYPE_INVALID", "Tags are only for forum posts.");
      const next = this.checkTags(parent, body["applied_tags"].map(String));
      const before = thread.applied_tags ?? [];
      const moderated = new Set((parent.available_tags ?? []).filter((tag) => tag.moderated).map((tag) => tag.id));
      const touchesModerated = [...next.filter((id) => !before.includes(id)), ...before.filter((id) => !next.includes(id))].some((id) => moderated.has(id));
      if (!ownerMay || (touchesModerated && !canManage)) throw missingPermissions();
      thread.applied_tags = next;
      changed.push("applied_tags");
    }
    if (typeof body["auto_archive_duration"] === "number") {
      if (!ownerMay) throw missingPermissions();
      metadata.auto_archive_duration = body["auto_archive_duration"];
      changed.push("auto_archive_duration");
    }
    if (typeof body["locked"] === "boolean" && body["locked"] !== metadata.locked) {
      if (!canManage) throw missingPermissions();
      metadata.locked = body["locked"];
      changed.push("locked");
    }
    if (wantsArchived !== undefined && wantsArchived !== metadata.archived) {
      if (!ownerMay) throw missingPermissions();
      this.setArchived(thread, wantsArchived);
      changed.push("archived");
    }
    this.dispatchUpdate(thread, changed);
    return thread;
  }

  /**
   * Before a message is posted in a thread: a locked archived thread refuses it (400 50083); an archived one is
   * unarchived by the message, as on Discord.
   */
  beforeMessage(channelId: string): void {
    const entry = this.core.state.channels.get(channelId);
    if (!entry || !isThread(entry.channel)) return;
    const metadata = entry.channel.thread_metadata!;
    if (!metadata.archived) return;
    if (metadata.locked) throw new ApiError(400, { code: RESTJSONErrorCodes.InvalidActionOnArchivedThread, message: "Thread is archived" });
    this.setArchived(entry.channel, false);
    this.dispatchUpdate(entry.channel, ["archived"]);
  }

  /** Archives or unarchives a thread as a moderator would (no permission check). */
  archive(threadId: string, archived: boolean, locked?: boolean): ApiChannel {
    const { thread } = this.threadOr404(threadId);
    this.setArchived(thread, archived);
    if (locked !== undefined) thread.thread_metadata!.locked = locked;
    this.dispatchUpdate(thread, ["archived", ...(locked !== undefined ? ["locked"] : [])]);
    return thread;
  }

  /** Deletes a thread with its messages; dispatches THREAD_DELETE. */
  deleteThread(threadId: string): void {
    const { thread, guild } = this.threadOr404(threadId);
    for (const message of this.core.state.channelMessages(thread.id)) this.core.state.removeMessage(message.id);
    guild.threads.splice(guild.threads.indexOf(thread), 1);
    this.core.state.channels.delete(thread.id);
    this.core.gateway.dispatch("THREAD_DELETE", { id: thread.id, guild_id: guild.id, parent_id: thread.parent_id, type: thread.type });
    this.core.emit({ type: "thread_delete", threadId: thread.id, parentId: thread.parent_id });
  }

  /** Dispatches THREAD_LIST_SYNC with a guild's active threads (Discord sends it when access to channels changes). */
  syncThreads(guildId: string): void {
    const guild = this.core.state.guilds.get(guildId);
    if (!guild) throw new Error(`Discord emulator: unknown guild ${guildId}`);
    const active = guild.threads.filter((thread) => !thread.thread_metadata?.archived);
    this.core.gateway.dispatch("THREAD_LIST_SYNC", { guild_id: guild.id, threads: clone(active), members: [] });
  }

  /** Active threads of a guild (GET /guilds/{guild}/threads/active). */
  activeThreads(guildId: string): ApiChannel[] {
    const guild = this.core.state.guilds.get(guildId);
    if (!guild) throw ApiError.unknown(RESTJSONErrorCodes.UnknownGuild, "Guild");
    return guild.threads.filter((thread) => !thread.thread_metadata?.archived);
  }

  private setArchived(thread: ApiChannel, archived: boolean): void {
    const metadata = thread.thread_metadata!;
    metadata.archived = archived;
    metadata.archive_timestamp = nowIso();
  }

  private dispatchUpdate(thread: ApiChannel, changed: string[]): void {
    this.core.gateway.dispatch("THREAD_UPDATE", clone(thread));
    this.core.emit({ type: "thread_update", thread: clone(thread), changed });
  }

  /** Tag ids checked against the forum's tags (400 for an unknown one or more than five); duplicates dropped. */
  private checkTags(parent: ApiChannel, tags: readonly string[]): string[] {
    const unique = [...new Set(tags)];
    if (unique.length > MAX_APPLIED_TAGS) throw invalidForm(["applied_tags"], "BASE_TYPE_MAX_LENGTH", `Must be ${MAX_APPLIED_TAGS} or fewer in length.`);
    const known = new Set((parent.available_tags ?? []).map((tag) => tag.id));
    for (const [index, id] of unique.entries()) {
      if (!known.has(id)) throw invalidForm(["applied_tags", index], "FORUM_TAG_UNKNOWN", "Unknown tag.");
    }
    return unique;
  }
}

function missingPermissions(): ApiError {
  return new ApiError(403, { code: RESTJSONErrorCodes.MissingPermissions, message: "Missing Permissions" });
}

function invalidForm(path: Array<string | number>, code: string, message: string): ApiError {
  let errors: Record<string, unknown> = { _errors: [{ code, message }] };
  for (const key of [...path].reverse()) errors = { [String(key)]: errors };
  return new ApiError(400, { code: RESTJSONErrorCodes.InvalidFormBodyOrContentType, message: "Invalid Form Body", errors });
}
