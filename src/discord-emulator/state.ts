/**
 * The emulator's world: guilds, channels, roles, members, messages, interactions and registered commands.
 * Pure bookkeeping; no I/O. Gateway dispatch and events are the core's job (see core.ts).
 */
import { ApplicationFlags, ChannelType, PermissionFlagsBits } from "discord-api-types/v10";
import { ALL_PERMISSIONS, DEFAULT_EVERYONE_PERMISSIONS, channelObject, memberObject, nowIso, roleObject, userObject } from "./payloads.ts";
import type {
  ApiChannel,
  ApiComponent,
  ApiMember,
  ApiRole,
  ApiUser,
  EmulatorOptions,
  EmulatorUser,
  Interaction,
  InteractionResponse,
  Message,
} from "./types.ts";

/** A member of a seeded guild. */
export interface MemberRecord {
  user: ApiUser;
  roles: string[];
  /** Explicit permission override from the options (a decimal bitfield string). */
  permissions?: string;
  joinedAt: string;
}

/** A seeded guild with its channels, roles and members. */
export interface GuildRecord {
  id: string;
  name: string;
  ownerId: string;
  joinedAt: string;
  channels: ApiChannel[];
  /** Threads (forum posts and channel threads), kept apart from `channels` as Discord lists them apart. */
  threads: ApiChannel[];
  roles: ApiRole[];
  members: Map<string, MemberRecord>;
}

/** An interaction the emulator dispatched, and what the bot has done with it so far. */
export interface InteractionRecord {
  payload: Interaction;
  createdAt: number;
  /** Type of the initial callback, or null while unacknowledged. */
  callbackType: number | null;
  /** Message behind `@original`: the reply (types 4/5) or the component's message (types 6/7). */
  originalMessageId: string | null;
  followupIds: string[];
  responses: InteractionResponse[];
  /** The modal the bot opened with callback type 9, if any. */
  modal: { custom_id: string; title?: string; components: ApiComponent[] } | null;
  /** Message the interaction came from (component interactions, modals opened from a component). */
  sourceMessageId: string | null;
}

/** Registered application commands as the bot PUT them. */
export interface CommandStore {
  global: unknown[];
  guilds: Map<string, unknown[]>;
}

/** Mutable store of everything the emulator knows. */
export class EmulatorState {
  readonly applicationId: string;
  readonly applicationFlags: number;
  readonly botUser: ApiUser;
  readonly guilds = new Map<string, GuildRecord>();
  /** Every channel by id, with its guild. */
  readonly channels = new Map<string, { channel: ApiChannel; guildId: string }>();
  /** Every user seen (seeded members, simulated authors), so mentions by id can be resolved. */
  readonly users = new Map<string, ApiUser>();
  readonly interactions = new Map<string, InteractionRecord>();
  readonly commands: CommandStore = { global: [], guilds: new Map() };
  /** Uploaded files by attachment id, served at their attachment URL. */
  readonly attachments = new Map<string, { filename: string; contentType: string; data: Buffer }>();
  private readonly messagesById = new Map<string, Message>();
  /** Message ids per channel, oldest first (snowflakes are chronological, so creation order is id order). */
  private readonly channelMessageIds = new Map<string, string[]>();

  constructor(options: EmulatorOptions) {
    this.applicationId = options.botUser.id;
    this.applicationFlags = options.applicationFlags ?? ApplicationFlags.GatewayMessageContentLimited;
    this.botUser = userObject({ ...options.botUser, bot: options.botUser.bot ?? true });
    this.users.set(this.botUser.id, this.botUser);
    const joinedAt = nowIso();
    for (const guild of options.guilds) this.addGuild(guild, joinedAt);
  }

  private addGuild(guild: EmulatorOptions["guilds"][number], joinedAt: string): void {
    const roles: ApiRole[] = [];
    // discord.js resolves @everyone as the role whose id equals the guild id; without it permission math breaks.
    if (!guild.roles?.some((role) => role.id === guild.id)) {
      roles.push(roleObject(guild.id, "@everyone", DEFAULT_EVERYONE_PERMISSIONS.toString(), 0));
    }
    for (const [index, role] of (guild.roles ?? []).entries()) {
      const isEveryone = role.id === guild.id;
      roles.push(roleObject(role.id, role.name, role.permissions ?? (isEveryone ? DEFAULT_EVERYONE_PERMISSIONS.toString() : "0"), isEveryone ? 0 : index + 1));
    }
    const channels = guild.channels.map((channel, index) => {
      const api = channelObject(guild.id, channel.id, channel.name, channel.type ?? ChannelType.GuildText, index, channel.availableTags);
      if (channel.permissionOverwrites) api.permission_overwrites = channel.permissionOverwrites.map((overwrite) => ({ ...overwrite }));
      return api;
    });
    const members = new Map<string, MemberRecord>();
    for (const member of guild.members) {
      const user = this.rememberUser(member.user);
      const record: MemberRecord = { user, roles: [...(member.roles ?? [])], joinedAt };
      if (member.permissions !== undefined) record.permissions = member.permissions;
      members.set(user.id, record);
    }
    // The bot is always a member of the guilds it is in; discord.js needs its member for `guild.members.me`.
    if (!members.has(this.botUser.id)) members.set(this.botUser.id, { user: this.botUser, roles: [], joinedAt });
    const ownerId = guild.ownerId ?? [...members.values()].find((member) => !member.user.bot)?.user.id ?? this.botUser.id;
    const record: GuildRecord = {
      id: guild.id,
      name: guild.name ?? `Guild ${guild.id}`,
      ownerId,
      joinedAt,
      channels,
      threads: [],
      roles,
      members,
    };
    this.guilds.set(guild.id, record);
    for (const channel of channels) this.channels.set(channel.id, { channel, guildId: guild.id });
  }

  /** Records a user (first description wins for the bot, later ones update others) and returns its API object. */
  rememberUser(user: EmulatorUser): ApiUser {
    if (user.id === this.botUser.id) return this.botUser;
    const api = userObject(user);
    this.users.set(user.id, api);
    return api;
  }

  /** A user object for an id, synthesising a placeholder for ids never seen (Discord always resolves mentions). */
  userById(id: string): ApiUser {
    return this.users.get(id) ?? userObject({ id, username: `user${id}` });
  }

  /** The channel and guild for a channel id, or throws a descriptive error (for emulator API misuse). */
  requireChannel(channelId: string): { channel: ApiChannel; guild: GuildRecord } {
    const entry = this.channels.get(channelId);
    const guild = entry ? this.guilds.get(entry.guildId) : undefined;
    if (!entry || !guild) {
      throw new Error(`Discord emulator: unknown channel ${channelId} (known: ${[...this.channels.keys()].join(", ")})`);
    }
    return { channel: entry.channel, guild };
  }

  /** The member record for a user in a guild, adding the user as a role-less member if it is not one yet. */
  ensureMember(guild: GuildRecord, user: EmulatorUser): MemberRecord {
    const existing = guild.members.get(user.id);
    const api = this.rememberUser(user);
    if (existing) {
      existing.user = api;
      return existing;
    }
    const record: MemberRecord = { user: api, roles: [], joinedAt: nowIso() };
    guild.members.set(user.id, record);
    return record;
  }

  /**
   * A member's permissions as Discord computes them at guild level: the owner and Administrator get everything,
   * otherwise @everyone OR'd with the member's roles. Channel overwrites are not modelled (channels have none).
   */
  memberPermissions(guild: GuildRecord, userId: string, roleOverride?: readonly string[]): bigint {
    const member = guild.members.get(userId);
    if (member?.permissions !== undefined && roleOverride === undefined) return BigInt(member.permissions);
    if (guild.ownerId === userId) return ALL_PERMISSIONS;
    const roleIds = new Set([guild.id, ...(roleOverride ?? member?.roles ?? [])]);
    let permissions = 0n;
    for (const role of guild.roles) if (roleIds.has(role.id)) permissions |= BigInt(role.permissions);
    return (permissions & PermissionFlagsBits.Administrator) !== 0n ? ALL_PERMISSIONS : permissions;
  }

  /** A member object for a member record. */
  memberPayload(member: MemberRecord, options: { includeUser: boolean; permissions?: string; roles?: readonly string[] }): ApiMember {
    const memberOptions: { includeUser: boolean; permissions?: string } = { includeUser: options.includeUser };
    if (options.permissions !== undefined) memberOptions.permissions = options.permissions;
    return memberObject(member.user, options.roles ?? member.roles, member.joinedAt, memberOptions);
  }

  // --- messages -------------------------------------------------------------------------------------------------

  /** Stores a new message at the end of its channel. */
  addMessage(message: Message): void {
    this.messagesById.set(message.id, message);
    const ids = this.channelMessageIds.get(message.channel_id) ?? [];
    ids.push(message.id);
    this.channelMessageIds.set(message.channel_id, ids);
    const entry = this.channels.get(message.channel_id);
    if (entry) entry.channel.last_message_id = message.id;
  }

  /** The stored (live, mutable) message, if it exists and was not deleted. */
  getMessage(id: string): Message | undefined {
    return this.messagesById.get(id);
  }

  /** Removes a message; returns it, or undefined when it did not exist. */
  removeMessage(id: string): Message | undefined {
    const message = this.messagesById.get(id);
    if (!message) return undefined;
    this.messagesById.delete(id);
    const ids = this.channelMessageIds.get(message.channel_id);
    if (ids) {
      const index = ids.indexOf(id);
      if (index !== -1) ids.splice(index, 1);
    }
    return message;
  }

  /** The live messages of a channel, oldest first. */
  channelMessages(channelId: string): Message[] {
    const ids = this.channelMessageIds.get(channelId) ?? [];
    const messages: Message[] = [];
    for (const id of ids) {
      const message = this.messagesById.get(id);
      if (message) messages.push(message);
    }
    return messages;
  }

  /** Looks an interaction up by the token in a webhook/callback URL. */
  interactionByToken(token: string): InteractionRecord | undefined {
    for (const record of this.interactions.values()) if (record.payload.token === token) return record;
    return undefined;
  }
}
