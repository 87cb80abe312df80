/**
 * Builders of Discord API v10 objects. They include every field discord.js 14 reads without a fallback (see
 * /work/shared/notes/discord-emulator.md): a missing one turns into a TypeError inside discord.js and the event is
 * silently dropped, which is far harder to debug than a slightly verbose payload.
 */
import { ChannelType, PermissionFlagsBits } from "discord-api-types/v10";
import type { EmulatorState, GuildRecord } from "./state.ts";
import type { ApiChannel, ApiForumTag, ApiMember, ApiRole, ApiUser, ApiThreadMetadata, EmulatorUser } from "./types.ts";

/** Every permission bit Discord defines; what Administrator and ownership amount to. */
export const ALL_PERMISSIONS = Object.values(PermissionFlagsBits).reduce((all, bit) => all | bit, 0n);

/** What Discord gives @everyone in a new guild, roughly: read, write, react, embed, attach, use commands, threads. */
export const DEFAULT_EVERYONE_PERMISSIONS =
  PermissionFlagsBits.CreateInstantInvite |
  PermissionFlagsBits.AddReactions |
  PermissionFlagsBits.ViewChannel |
  PermissionFlagsBits.SendMessages |
  PermissionFlagsBits.EmbedLinks |
  PermissionFlagsBits.AttachFiles |
  PermissionFlagsBits.ReadMessageHistory |
  PermissionFlagsBits.UseExternalEmojis |
  PermissionFlagsBits.Connect |
  PermissionFlagsBits.Speak |
  PermissionFlagsBits.ChangeNickname |
  PermissionFlagsBits.UseApplicationCommands |
  PermissionFlagsBits.CreatePublicThreads |
  PermissionFlagsBits.SendMessagesInThreads;

/** A Discord user object for an emulator user. Discriminator "0" marks the post-2023 unique-username system. */
export function userObject(user: EmulatorUser): ApiUser {
  return {
    id: user.id,
    username: user.username,
    discriminator: "0",
    global_name: user.globalName ?? null,
    avatar: null,
    bot: user.bot ?? false,
    system: false,
    public_flags: 0,
    flags: 0,
    banner: null,
    accent_color: null,
    avatar_decoration_data: null,
  };
}

/** A guild member object; `user` is included unless Discord omits it in that context (message `member` fields). */
export function memberObject(user: ApiUser, roles: readonly string[], joinedAt: string, options: { includeUser: boolean; permissions?: string }): ApiMember {
  const member: ApiMember = {
    nick: null,
    avatar: null,
    roles: [...roles],
    joined_at: joinedAt,
    premium_since: null,
    deaf: false,
    mute: false,
    flags: 0,
    pending: false,
    communication_disabled_until: null,
  };
  if (options.includeUser) member.user = user;
  if (options.permissions !== undefined) member.permissions = options.permissions;
  return member;
}

/** A role object. */
export function roleObject(id: string, name: string, permissions: string, position: number): ApiRole {
  return {
    id,
    name,
    color: 0,
    hoist: false,
    icon: null,
    unicode_emoji: null,
    position,
    permissions,
    managed: false,
    mentionable: false,
    flags: 0,
  };
}

/** A guild channel object; a forum (type 15) also gets its tags and the forum settings discord.js reads. */
export function channelObject(
  guildId: string,
  id: string,
  name: string,
  type: number,
  position: number,
  tags: ReadonlyArray<{ id: string; name: string; moderated?: boolean }> = [],
): ApiChannel {
  const channel: ApiChannel = {
    id,
    type,
    guild_id: guildId,
    name,
    position,
    permission_overwrites: [],
    parent_id: null,
    nsfw: false,
    topic: null,
    last_message_id: null,
    rate_limit_per_user: 0,
    flags: 0,
  };
  if (type === ChannelType.GuildForum || type === ChannelType.GuildMedia) {
    channel.available_tags = tags.map((tag) => forumTagObject(tag));
    channel["default_reaction_emoji"] = null;
    channel["default_thread_rate_limit_per_user"] = 0;
    channel["default_auto_archive_duration"] = 4320;
    channel["default_sort_order"] = null;
    channel["default_forum_layout"] = 0;
  }
  return channel;
}

/** A forum tag object. */
export function forumTagObject(tag: { id: string; name: string; moderated?: boolean }): ApiForumTag {
  return { id: tag.id, name: tag.name, moderated: tag.moderated ?? false, emoji_id: null, emoji_name: null };
}

/**
 * A thread channel object (types 10/11/12). Forum posts are public threads (11) whose parent is the forum; their
 * starter message has the thread's id, which is how discord.js's `fetchStarterMessage` finds it.
 */
export function threadObject(input: {
  guildId: string;
  id: string;
  parentId: string;
  ownerId: string;
  name: string;
  type: number;
  appliedTags: readonly string[];
  autoArchiveDuration: number;
  createdAt: string;
}): ApiChannel {
  const metadata: ApiThreadMetadata = {
    archived: false,
    auto_archive_duration: input.autoArchiveDuration,
    archive_timestamp: input.createdAt,
    locked: false,
    create_timestamp: input.createdAt,
  };
  if (input.type === ChannelType.PrivateThread) metadata.invitable = true;
  return {
    id: input.id,
    type: input.type,
    guild_id: input.guildId,
    name: input.name,
    position: 0,
    permission_overwrites: [],
    parent_id: input.parentId,
    nsfw: false,
    topic: null,
    last_message_id: null,
    rate_limit_per_user: 0,
    flags: 0,
    owner_id: input.ownerId,
    applied_tags: [...input.appliedTags],
    thread_metadata: metadata,
    message_count: 0,
    member_count: 1,
    total_message_sent: 0,
  };
}

/** The `application` object sent in READY (discord.js only needs `id` and `flags`). */
export function readyApplication(applicationId: string, flags = 0): { id: string; flags: number } {
  return { id: applicationId, flags };
}

/** The body of GET /applications/@me: enough for `client.application.fetch()`. */
export function applicationObject(applicationId: string, botUser: ApiUser, flags = 0): Record<string, unknown> {
  return {
    id: applicationId,
    name: botUser.username,
    icon: null,
    description: "",
    bot_public: true,
    bot_require_code_grant: false,
    verify_key: "0".repeat(64),
    flags,
    owner: botUser,
    team: null,
    bot: botUser,
    summary: "",
    approximate_guild_count: 0,
    install_params: { scopes: ["bot", "applications.commands"], permissions: "0" },
    integration_types_config: { "0": {} },
  };
}

/** The body of GET /guilds/{id}: the guild without its members and channels (as Discord's REST answers it). */
export function guildObject(state: EmulatorState, guild: GuildRecord): Record<string, unknown> {
  const {
    members: _members,
    channels: _channels,
    threads: _threads,
    presences: _presences,
    voice_states: _voice,
    joined_at: _joined,
    large: _large,
    member_count: _count,
    unavailable: _unavailable,
    ...rest
  } = guildCreatePayload(state, guild);
  return rest;
}

/** Discord's ISO-8601 timestamp for "now". */
export function nowIso(): string {
  return new Date().toISOString();
}

/**
 * GUILD_CREATE's `d` for a seeded guild: the guild with its channels, roles and members (bot included). discord.js
 * only caches channels and members that arrive here; a message in a channel it has not cached is dropped silently.
 */
export function guildCreatePayload(state: EmulatorState, guild: GuildRecord): Record<string, unknown> {
  return {
    id: guild.id,
    name: guild.name,
    icon: null,
    splash: null,
    discovery_splash: null,
    banner: null,
    description: null,
    owner_id: guild.ownerId,
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    mfa_level: 0,
    nsfw_level: 0,
    premium_tier: 0,
    premium_subscription_count: 0,
    premium_progress_bar_enabled: false,
    preferred_locale: "en-US",
    system_channel_id: null,
    system_channel_flags: 0,
    rules_channel_id: null,
    public_updates_channel_id: null,
    safety_alerts_channel_id: null,
    vanity_url_code: null,
    application_id: null,
    max_members: 500_000,
    features: [],
    emojis: [],
    stickers: [],
    roles: guild.roles,
    joined_at: guild.joinedAt,
    large: false,
    unavailable: false,
    member_count: guild.members.size,
    members: [...guild.members.values()].map((member) => state.memberPayload(member, { includeUser: true })),
    channels: guild.channels,
    // Active (unarchived) threads, as Discord lists them: a restarted bot knows open forum posts at once.
    threads: guild.threads.filter((thread) => thread.thread_metadata?.archived !== true),
    presences: [],
    voice_states: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  };
}

/**
 * READY's `d` for a shard, minus `session_id`/`resume_gateway_url` which the gateway fills in per session.
 * `guildIds` are the guilds of that shard.
 */
export function readyPayload(state: EmulatorState, guildIds: readonly string[], shard: [number, number] = [0, 1]): Record<string, unknown> {
  return {
    v: 10,
    user: { ...state.botUser, verified: true, mfa_enabled: false, email: null },
    // Guilds start unavailable; discord.js waits for one GUILD_CREATE per entry before emitting ClientReady.
    guilds: guildIds.map((id) => ({ id, unavailable: true })),
    application: readyApplication(state.applicationId, state.applicationFlags),
    shard,
    user_settings: {},
    private_channels: [],
    presences: [],
    relationships: [],
    guild_join_requests: [],
    geo_ordered_rtc_regions: [],
    _trace: ['["discord-emulator"]'],
  };
}
