/**
 * Public types of the local Discord emulator: its options, and the Discord API objects (v10 JSON shapes) it stores
 * and hands to tests. Only the fields the emulator produces or the bot sends are typed; everything else the bot sends
 * is kept verbatim under the index signatures.
 */

/** A Discord user the emulator knows about, as tests describe it. */
export interface EmulatorUser {
  id: string;
  username: string;
  bot?: boolean;
  globalName?: string;
}

/** A guild to seed the emulator with. */
export interface EmulatorGuildOptions {
  id: string;
  name?: string;
  /** Owner of the guild; defaults to the first non-bot member (discord.js grants the owner every permission). */
  ownerId?: string;
  /**
   * Text channels (type 0) unless `type` says otherwise (15: a forum). A forum's `availableTags` are the tags posts
   * can carry (`available_tags`); threads are not seeded here but created with `createForumPost`/`createThread`.
   * `permissionOverwrites` are served with the channel over REST (for setup checks); the emulator itself does not
   * enforce them.
   */
  channels: Array<{
    id: string;
    name: string;
    type?: number;
    availableTags?: Array<{ id: string; name: string; moderated?: boolean }>;
    permissionOverwrites?: ApiPermissionOverwrite[];
  }>;
  /** Extra roles; the @everyone role (id = guild id) is always added unless listed here. */
  roles?: Array<{ id: string; name: string; permissions?: string }>;
  /** Members; the bot is added automatically when missing. `permissions` overrides the computed role permissions. */
  members: Array<{ user: EmulatorUser; roles?: string[]; permissions?: string }>;
}

/** A channel permission overwrite (API shape): type 0 for a role, 1 for a member; allow/deny as decimal bitfields. */
export interface ApiPermissionOverwrite {
  id: string;
  type: 0 | 1;
  allow: string;
  deny: string;
}

/** Options of {@link startDiscordEmulator}. */
export interface EmulatorOptions {
  /** REST requires `Authorization: Bot <token>` except interaction callbacks/webhooks; gateway IDENTIFY must carry it. */
  botToken: string;
  /** The bot's own user; the application id equals its id. */
  botUser: EmulatorUser;
  guilds: EmulatorGuildOptions[];
  /** Gateway heartbeat interval sent in HELLO; default 41250 (Discord's value). Tests use ~200. */
  heartbeatIntervalMs?: number;
  /** Port on 127.0.0.1; default 0 (random free port). */
  port?: number;
  /**
   * Number of gateway shards; default 1. GET /gateway/bot recommends it, IDENTIFY must then carry
   * `shard: [id, shards]`, and guild events go to shard `(guild_id >> 22) % shards` (guild-less ones to shard 0).
   */
  shards?: number;
  /**
   * When set, an interaction that gets no initial callback within this many ms expires like on Discord
   * (callback -> 404 "Unknown interaction", code 10062). Off by default so slow CI machines don't flake.
   */
  interactionDeadlineMs?: number;
  /**
   * The application's flags (GET /applications/@me, READY). Default: GatewayMessageContentLimited, as for an
   * unverified bot with the Message Content intent turned on in the developer portal; 0 means the intent is off.
   * When set, the gateway closes an IDENTIFY asking for a privileged intent the flags do not grant with 4014.
   */
  applicationFlags?: number;
}

/** A Discord user object (API shape). */
export interface ApiUser {
  id: string;
  username: string;
  discriminator: string;
  global_name: string | null;
  avatar: string | null;
  bot?: boolean;
  public_flags?: number;
  [key: string]: unknown;
}

/** A guild member object (API shape); `user` is omitted where Discord omits it (e.g. MESSAGE_CREATE `member`). */
export interface ApiMember {
  user?: ApiUser;
  nick: string | null;
  avatar: string | null;
  roles: string[];
  joined_at: string;
  premium_since: string | null;
  deaf: boolean;
  mute: boolean;
  flags: number;
  pending: boolean;
  communication_disabled_until: string | null;
  /** Only in interaction payloads: the member's total permissions in the channel. */
  permissions?: string;
}

/** A role object (API shape). */
export interface ApiRole {
  id: string;
  name: string;
  color: number;
  hoist: boolean;
  icon: string | null;
  unicode_emoji: string | null;
  position: number;
  permissions: string;
  managed: boolean;
  mentionable: boolean;
  flags: number;
}

/** A guild channel object (API shape). */
export interface ApiChannel {
  id: string;
  type: number;
  guild_id?: string;
  name: string;
  position: number;
  permission_overwrites: unknown[];
  parent_id: string | null;
  nsfw: boolean;
  topic: string | null;
  last_message_id: string | null;
  rate_limit_per_user: number;
  flags: number;
  /** Forums (type 15): the tags a post may carry. */
  available_tags?: ApiForumTag[];
  /** Threads (types 10/11/12): who opened it, its tags (forum posts), and its archive state. */
  owner_id?: string;
  applied_tags?: string[];
  thread_metadata?: ApiThreadMetadata;
  message_count?: number;
  member_count?: number;
  total_message_sent?: number;
  [key: string]: unknown;
}

/** A forum tag (API shape). */
export interface ApiForumTag {
  id: string;
  name: string;
  moderated: boolean;
  emoji_id: string | null;
  emoji_name: string | null;
}

/** A thread's `thread_metadata` (API shape). */
export interface ApiThreadMetadata {
  archived: boolean;
  auto_archive_duration: number;
  archive_timestamp: string;
  locked: boolean;
  invitable?: boolean;
  create_timestamp: string;
}

/** An embed as the bot sent it. */
export interface ApiEmbed {
  title?: string;
  description?: string;
  url?: string;
  color?: number;
  timestamp?: string;
  fields?: Array<{ name: string; value: string; inline?: boolean }>;
  footer?: { text: string; icon_url?: string };
  author?: { name: string; url?: string; icon_url?: string };
  [key: string]: unknown;
}

/** A message component (action row, button, select, text input, label...) as sent. */
export interface ApiComponent {
  type: number;
  custom_id?: string;
  label?: string;
  style?: number;
  url?: string;
  disabled?: boolean;
  required?: boolean;
  components?: ApiComponent[];
  component?: ApiComponent;
  [key: string]: unknown;
}

/** Partial metadata Discord attaches to messages created by an interaction response. */
export interface ApiInteractionMetadata {
  id: string;
  type: number;
  user: ApiUser;
  authorizing_integration_owners: Record<string, string>;
  name?: string;
  command_type?: number;
  original_response_message_id?: string;
  interacted_message_id?: string;
}

/**
 * A stored message: the Discord message object as the bot (or a simulated user) created it, after edits.
 * `allowed_mentions` is kept as received. Ephemeral interaction responses carry flag 64 (`flags & 64`);
 * a deferred response that has not been edited yet carries flag 128 (LOADING).
 */
export interface Message {
  id: string;
  type: number;
  channel_id: string;
  guild_id?: string;
  author: ApiUser;
  member?: ApiMember;
  content: string;
  timestamp: string;
  edited_timestamp: string | null;
  tts: boolean;
  mention_everyone: boolean;
  mentions: ApiUser[];
  mention_roles: string[];
  attachments: unknown[];
  embeds: ApiEmbed[];
  components: ApiComponent[];
  reactions?: Array<{ emoji: { id: string | null; name: string }; count: number; me: boolean }>;
  pinned: boolean;
  flags: number;
  nonce?: string | number;
  allowed_mentions?: unknown;
  message_reference?: { type: number; message_id: string; channel_id: string; guild_id?: string; fail_if_not_exists?: boolean };
  referenced_message?: Message | null;
  interaction_metadata?: ApiInteractionMetadata;
  interaction?: { id: string; type: number; name: string; user: ApiUser };
  webhook_id?: string;
  application_id?: string;
  [key: string]: unknown;
}

/** An INTERACTION_CREATE payload as the emulator dispatched it. */
export interface Interaction {
  id: string;
  application_id: string;
  type: number;
  token: string;
  version: number;
  guild_id: string;
  channel_id: string;
  channel: ApiChannel;
  member: ApiMember & { user: ApiUser; permissions: string };
  app_permissions: string;
  locale: string;
  guild_locale: string;
  entitlements: unknown[];
  authorizing_integration_owners: Record<string, string>;
  context: number;
  attachment_size_limit: number;
  guild: { id: string; locale: string; features: string[] };
  data: Record<string, unknown>;
  message?: Message;
}

/** One thing the bot did in answer to an interaction, in the order it happened. */
export interface InteractionResponse {
  /**
   * `callback`: POST /interactions/:id/:token/callback (see `type`); `edit_original`/`delete_original`: the
   * @original webhook message; `followup`: POST /webhooks/:app/:token; `edit_followup`/`delete_followup`: a followup
   * by id.
   */
  kind: "callback" | "edit_original" | "delete_original" | "followup" | "edit_followup" | "delete_followup";
  /** Interaction callback type (4 reply, 5 deferred reply, 6 deferred update, 7 update, 9 modal), for callbacks. */
  type?: number;
  /** The body `data` (callbacks) or body (webhook calls) as received. */
  data: unknown;
  /** The message created or affected, when there is one. */
  messageId?: string;
  /** Whether the message involved is ephemeral (flag 64). */
  ephemeral?: boolean;
}

/** Events the emulator emits on `events` ("event") and matches in `waitFor`. */
export type EmulatorEvent =
  | { type: "message_create"; message: Message; source: "user" | "bot" | "interaction" }
  | { type: "message_update"; message: Message }
  | { type: "message_delete"; id: string; channelId: string; message: Message }
  | { type: "typing"; channelId: string; userId: string }
  | { type: "interaction_create"; interaction: Interaction }
  | { type: "interaction_callback"; interactionId: string; callbackType: number; data: unknown; messageId?: string }
  | { type: "webhook_edit"; interactionId: string; messageId: string; data: unknown }
  | { type: "webhook_delete"; interactionId: string; messageId: string }
  | { type: "webhook_followup"; interactionId: string; message: Message }
  | { type: "commands_registered"; guildId?: string; commands: unknown[] }
  | { type: "reaction_add" | "reaction_remove"; channelId: string; messageId: string; emoji: string }
  | { type: "rest_request"; method: string; path: string; status: number; route: string | null; query: string }
  | { type: "gateway_connect"; sessionId: string; resumed: boolean; shardId: number }
  | { type: "thread_create"; thread: ApiChannel; source: "user" | "bot" }
  | { type: "thread_update"; thread: ApiChannel; changed: string[] }
  | { type: "thread_delete"; threadId: string; parentId: string | null };

/** Scripted one-shot REST failure (see `failNextRequest`). */
export type ScriptedFailure =
  | { status: 429; retryAfterSeconds: number; global?: boolean }
  | { status: 500 | 502 }
  /** A Discord JSON error, e.g. 403 `{code: 50001, message: "Missing Access"}` for a channel the bot cannot read. */
  | { status: 403 | 404; code: number; message: string };
