/**
 * A local Discord emulator: REST (node:http) and gateway (ws) on one loopback port, good enough for the real,
 * unmodified discord.js 14 client to log in, receive messages and interactions, and answer them.
 *
 * Usage:
 * ```ts
 * const emu = await startDiscordEmulator({ botToken, botUser, guilds });
 * const client = new Client({ intents, rest: { api: emu.restApiUrl } });
 * await client.login(botToken);
 * await emu.sendUserMessage({ channelId, author, content: "hi" });
 * // ...
 * await client.destroy(); // before emu.close(), or discord.js tries to reconnect
 * await emu.close();
 * ```
 * Binds to 127.0.0.1 only.
 */
import type { EventEmitter } from "node:events";
import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ApplicationFlags, GatewayIntentBits } from "discord-api-types/v10";
import { EmulatorCore, clone } from "./core.ts";
import { GatewayServer, shardOf } from "./gateway.ts";
import type { GatewaySessionInfo } from "./gateway.ts";
import { InteractionService } from "./interactions.ts";
import type { CommandOptionInput } from "./interactions.ts";
import { guildCreatePayload, readyPayload } from "./payloads.ts";
import { RestRouter } from "./rest-routes.ts";
import { SnowflakeGenerator } from "./snowflake.ts";
import { ThreadService } from "./threads.ts";
import { EmulatorState } from "./state.ts";
import type { CreateThreadParams } from "./threads.ts";
import type { ApiChannel, EmulatorEvent, EmulatorOptions, EmulatorUser, Interaction, InteractionResponse, Message, ScriptedFailure } from "./types.ts";

export type {
  ApiChannel,
  ApiComponent,
  ApiEmbed,
  ApiMember,
  ApiUser,
  EmulatorEvent,
  EmulatorGuildOptions,
  EmulatorOptions,
  EmulatorUser,
  Interaction,
  InteractionResponse,
  Message,
  ScriptedFailure,
} from "./types.ts";
export type { CommandOptionInput } from "./interactions.ts";
export type { GatewaySessionInfo } from "./gateway.ts";
export { shardOf } from "./gateway.ts";

/** Discord's default heartbeat interval. */
const DEFAULT_HEARTBEAT_MS = 41_250;
/** Default `waitFor` timeout. */
const DEFAULT_WAIT_MS = 5_000;
/** Events kept for `history()` and for the context printed when `waitFor` times out. */
const HISTORY_LIMIT = 1_000;

/** A running emulator. */
export interface DiscordEmulator {
  /** `http://127.0.0.1:PORT/api`; pass as `rest: { api }` to discord.js. */
  readonly restApiUrl: string;
  /** `ws://127.0.0.1:PORT/gateway`, what GET /gateway/bot returns. */
  readonly gatewayUrl: string;
  /** The bot's application id (= bot user id). */
  readonly applicationId: string;
  /** Number of gateway shards (the `shards` option). */
  readonly shardCount: number;

  /** Posts a message as a user (dispatches MESSAGE_CREATE) and returns it. Mentions in `content` count too. */
  sendUserMessage(input: {
    channelId: string;
    author: EmulatorUser;
    content: string;
    /** User ids mentioned, in addition to `<@id>` in the content. */
    mentions?: string[];
    mentionRoles?: string[];
    mentionEveryone?: boolean;
    /** Id of the message this one replies to; the replied-to author is mentioned unless `replyPing` is false. */
    replyTo?: string;
    replyPing?: boolean;
  }): Promise<Message>;
  /** A user runs a slash command (dispatches INTERACTION_CREATE); returns the interaction payload. */
  runSlashCommand(input: {
    channelId: string;
    user: EmulatorUser;
    name: string;
    options?: CommandOptionInput[];
    memberPermissions?: string;
    memberRoles?: string[];
  }): Promise<Interaction>;
  /** A user clicks a button on a stored message; throws if the message has no such (enabled) component. */
  clickButton(input: {
    channelId: string;
    messageId: string;
    customId: string;
    user: EmulatorUser;
    memberPermissions?: string;
    memberRoles?: string[];
  }): Promise<Interaction>;
  /**
   * A user submits a modal the bot opened (callback type 9) with this custom id; `fields` maps text input custom
   * ids to values. Throws if the bot never opened such a modal or a field does not exist in it.
   */
  submitModal(input: {
    channelId: string;
    customId: string;
    user: EmulatorUser;
    fields: Record<string, string>;
    messageId?: string;
    memberPermissions?: string;
    memberRoles?: string[];
  }): Promise<Interaction>;

  /** Current messages of a channel, oldest first, ephemeral ones included (`flags & MessageFlags.Ephemeral`). */
  messages(channelId: string): Message[];
  /** A current message by id. */
  message(id: string): Message | undefined;
  /** What the bot did for an interaction: callbacks, @original edits/deletes and followups, in order. */
  interactionResponses(interactionId: string): InteractionResponse[];
  /** Emits "event" with an {@link EmulatorEvent}. */
  readonly events: EventEmitter;
  /** The last 1000 events, oldest first. */
  history(): EmulatorEvent[];
  /**
   * Resolves with the first future event matching `predicate`; rejects after `timeoutMs` (default 5000) with the
   * recent events in the message.
   */
  waitFor<T = EmulatorEvent>(predicate: (event: EmulatorEvent) => boolean, timeoutMs?: number): Promise<T>;
  /** Commands the bot registered: global ones, or a guild's. */
  registeredCommands(guildId?: string): unknown[];

  /** Sends op 7 RECONNECT to every session, or to one shard's; the client must RESUME and keep working. */
  requestReconnect(shardId?: number): void;
  /** The gateway sessions (connected or resumable) with their shard and the dispatches they were sent. */
  gatewaySessions(): GatewaySessionInfo[];
  /** The shard a guild's events go to: `(guild_id >> 22) % shardCount`. */
  shardOf(guildId: string): number;
  /** Makes the next request whose method and decoded path (after /api/v10) match fail once. */
  failNextRequest(match: { method?: string; pathIncludes: string }, failure: ScriptedFailure): void;
  /** Closes every connection and the server. Call after `client.destroy()`. */
  close(): Promise<void>;

  /**
   * A member opens a post in a forum (type 15): a public thread named `title` with `tags`, whose starter message
   * (same id as the thread) says `content`. `order` picks which gateway event comes first, as Discord sends them
   * either way. Returns the thread and its starter message.
   */
  createForumPost(input: {
    forumId: string;
    author: EmulatorUser;
    title: string;
    content: string;
    tags?: string[];
    /** Attachment objects on the starter message (an attachment-only post has empty content). */
    attachments?: unknown[];
    mentions?: string[];
    order?: "thread-first" | "message-first";
  }): Promise<{ thread: ApiChannel; message: Message }>;
  /** A member opens a thread in a text channel (11 public, default, or 12 private). */
  createThread(input: { channelId: string; author: EmulatorUser; name: string; type?: number }): Promise<ApiChannel>;
  /** A channel or thread as stored (threads: tags, archive state). */
  channel(id: string): ApiChannel | undefined;
  /** The threads of a guild, archived ones included. */
  threadsOf(guildId: string): ApiChannel[];
  /** A member edits a thread (PATCH /channels/{thread} with their permissions): tags, name, archived... */
  updateThreadAs(input: { threadId: string; user: EmulatorUser; changes: Record<string, unknown> }): Promise<ApiChannel>;
  /** A moderator (un)archives, and optionally (un)locks, a thread. */
  archiveThread(threadId: string, archived?: boolean, locked?: boolean): Promise<ApiChannel>;
  /** A moderator deletes a thread and its messages. */
  deleteThread(threadId: string): Promise<void>;
  /** Dispatches THREAD_LIST_SYNC with a guild's active threads. */
  syncThreads(guildId: string): void;
}

/** Starts an emulator on 127.0.0.1 and resolves once it listens. */
export async function startDiscordEmulator(options: EmulatorOptions): Promise<DiscordEmulator> {
  const shardCount = options.shards ?? 1;
  if (!Number.isInteger(shardCount) || shardCount < 1) throw new Error(`Discord emulator: shards must be a positive integer (got ${shardCount})`);
  const ids = new SnowflakeGenerator();
  const state = new EmulatorState(options);
  const guildsOfShard = (shardId: number) => [...state.guilds.values()].filter((guild) => shardOf(guild.id, shardCount) === shardId);
  let port = 0;
  const gatewayUrl = (): string => `ws://127.0.0.1:${port}/gateway`;
  const gateway = new GatewayServer({
    token: options.botToken,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_MS,
    shardCount,
    // A distinct path for resumes makes it visible (in tests and logs) that discord.js used resume_gateway_url.
    resumeUrl: () => `ws://127.0.0.1:${port}/gateway-resume`,
    readyPayload: (shardId) =>
      readyPayload(
        state,
        guildsOfShard(shardId).map((guild) => guild.id),
        [shardId, shardCount],
      ),
    guildCreatePayloads: (shardId) => guildsOfShard(shardId).map((guild) => guildCreatePayload(state, guild)),
    guildMembers: (request) => {
      const guild = typeof request.guild_id === "string" ? state.guilds.get(request.guild_id) : undefined;
      if (!guild) return [];
      const userIds = Array.isArray(request.user_ids) ? request.user_ids.map(String) : typeof request.user_ids === "string" ? [request.user_ids] : undefined;
      const query = typeof request.query === "string" ? request.query.toLowerCase() : "";
      const limit = typeof request.limit === "number" && request.limit > 0 ? request.limit : Infinity;
      return [...guild.members.values()]
        .filter((member) => (userIds ? userIds.includes(member.user.id) : member.user.username.toLowerCase().startsWith(query)))
        .slice(0, limit)
        .map((member) => state.memberPayload(member, { includeUser: true }));
    },
    onSessionLive: (sessionId, resumed, shardId) => core.emit({ type: "gateway_connect", sessionId, resumed, shardId }),
    // Enforced only when the test sets the flags: by default every intent is granted, as before flags existed.
    ...(options.applicationFlags === undefined ? {} : { allowedPrivilegedIntents: grantedIntents(options.applicationFlags) }),
  });
  const core = new EmulatorCore(state, gateway, ids);
  const interactions = new InteractionService(core, options.interactionDeadlineMs);
  const threads = new ThreadService(core);
  const router = new RestRouter({
    core,
    interactions,
    threads,
    token: options.botToken,
    gatewayUrl,
    shardCount,
    httpBaseUrl: () => `http://127.0.0.1:${port}`,
  });

  const server = createServer((request, response) => {
    void router.handle(request, response);
  });
  server.on("upgrade", (request, socket, head) => {
    const path = new URL(request.url ?? "/", "http://127.0.0.1").pathname;
    if (path === "/gateway" || path === "/gateway-resume") gateway.handleUpgrade(request, socket, head);
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    // Loopback only: the emulator accepts any client that knows the token and must never be reachable remotely.
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  return new Emulator(core, interactions, threads, router, server, gatewayUrl(), shardCount);
}

class Emulator implements DiscordEmulator {
  readonly restApiUrl: string;
  readonly applicationId: string;
  readonly events: EventEmitter;
  private readonly recent: EmulatorEvent[] = [];
  private closed: Promise<void> | null = null;

  constructor(
    private readonly core: EmulatorCore,
    private readonly interactions: InteractionService,
    private readonly threads: ThreadService,
    private readonly router: RestRouter,
    private readonly server: Server,
    readonly gatewayUrl: string,
    readonly shardCount: number,
  ) {
    const { port } = server.address() as AddressInfo;
    this.restApiUrl = `http://127.0.0.1:${port}/api`;
    this.applicationId = core.state.applicationId;
    this.events = core.events;
    this.events.on("event", (event: EmulatorEvent) => {
      this.recent.push(event);
      if (this.recent.length > HISTORY_LIMIT) this.recent.shift();
    });
  }

  async sendUserMessage(input: Parameters<DiscordEmulator["sendUserMessage"]>[0]): Promise<Message> {
    const { state } = this.core;
    const { guild } = state.requireChannel(input.channelId);
    const member = state.ensureMember(guild, input.author);
    const body: Record<string, unknown> = { content: input.content };
    if (input.replyTo !== undefined) {
      const target = state.getMessage(input.replyTo);
      if (!target || target.channel_id !== input.channelId) {
        throw new Error(`Discord emulator: cannot reply to ${input.replyTo}: no such message in ${input.channelId}`);
      }
      body["message_reference"] = { message_id: input.replyTo, channel_id: input.channelId };
    }
    const explicit: { users?: string[]; roles?: string[]; everyone?: boolean; repliedUser?: boolean } = {};
    if (input.mentions) explicit.users = input.mentions;
    if (input.mentionRoles) explicit.roles = input.mentionRoles;
    if (input.mentionEveryone !== undefined) explicit.everyone = input.mentionEveryone;
    if (input.replyPing !== undefined) explicit.repliedUser = input.replyPing;
    this.threads.beforeMessage(input.channelId);
    const message = this.core.createMessage({
      channelId: input.channelId,
      author: member.user,
      body,
      source: "user",
      explicitMentions: explicit,
    });
    return clone(message);
  }

  async createForumPost(input: Parameters<DiscordEmulator["createForumPost"]>[0]): Promise<{ thread: ApiChannel; message: Message }> {
    const { state } = this.core;
    const { guild } = state.requireChannel(input.forumId);
    const member = state.ensureMember(guild, input.author);
    const body: Record<string, unknown> = { content: input.content };
    if (input.attachments) body["attachments"] = input.attachments;
    const params: CreateThreadParams = { parentId: input.forumId, owner: member.user, name: input.title, message: body, source: "user" };
    if (input.tags) params.appliedTags = input.tags;
    if (input.order) params.order = input.order;
    if (input.mentions) {
      // Users write mentions as <@id> in the text; Discord resolves them from there.
      body["content"] = `${input.mentions.map((id) => `<@${id}>`).join(" ")} ${input.content}`.trim();
    }
    const { thread, message } = this.threads.createThread(params);
    return { thread: clone(thread), message: clone(message!) };
  }

  async createThread(input: Parameters<DiscordEmulator["createThread"]>[0]): Promise<ApiChannel> {
    const { state } = this.core;
    const { guild } = state.requireChannel(input.channelId);
    const member = state.ensureMember(guild, input.author);
    const params: CreateThreadParams = { parentId: input.channelId, owner: member.user, name: input.name, source: "user" };
    if (input.type !== undefined) params.type = input.type;
    return clone(this.threads.createThread(params).thread);
  }

  channel(id: string): ApiChannel | undefined {
    const entry = this.core.state.channels.get(id);
    return entry ? clone(entry.channel) : undefined;
  }

  threadsOf(guildId: string): ApiChannel[] {
    return clone(this.core.state.guilds.get(guildId)?.threads ?? []);
  }

  async updateThreadAs(input: Parameters<DiscordEmulator["updateThreadAs"]>[0]): Promise<ApiChannel> {
    const { guild } = this.core.state.requireChannel(input.threadId);
    this.core.state.ensureMember(guild, input.user);
    return clone(this.threads.updateThread(input.threadId, input.changes, input.user.id));
  }

  async archiveThread(threadId: string, archived = true, locked?: boolean): Promise<ApiChannel> {
    return clone(this.threads.archive(threadId, archived, locked));
  }

  async deleteThread(threadId: string): Promise<void> {
    this.threads.deleteThread(threadId);
  }

  syncThreads(guildId: string): void {
    this.threads.syncThreads(guildId);
  }

  async runSlashCommand(input: Parameters<DiscordEmulator["runSlashCommand"]>[0]): Promise<Interaction> {
    return this.interactions.runSlashCommand(input);
  }

  async clickButton(input: Parameters<DiscordEmulator["clickButton"]>[0]): Promise<Interaction> {
    return this.interactions.clickButton(input);
  }

  async submitModal(input: Parameters<DiscordEmulator["submitModal"]>[0]): Promise<Interaction> {
    return this.interactions.submitModal(input);
  }

  messages(channelId: string): Message[] {
    return clone(this.core.state.channelMessages(channelId));
  }

  message(id: string): Message | undefined {
    const message = this.core.state.getMessage(id);
    return message ? clone(message) : undefined;
  }

  interactionResponses(interactionId: string): InteractionResponse[] {
    return clone(this.core.state.interactions.get(interactionId)?.responses ?? []);
  }

  history(): EmulatorEvent[] {
    return clone(this.recent);
  }

  waitFor<T = EmulatorEvent>(predicate: (event: EmulatorEvent) => boolean, timeoutMs = DEFAULT_WAIT_MS): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const cleanup = (): void => {
        clearTimeout(timer);
        this.events.off("event", listener);
      };
      const listener = (event: EmulatorEvent): void => {
        let matched: boolean;
        try {
          matched = predicate(event);
        } catch (error) {
          cleanup();
          reject(error instanceof Error ? error : new Error(String(error)));
          return;
        }
        if (matched) {
          cleanup();
          resolve(event as T);
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        const recent = this.recent.slice(-15).map(describeEvent).join("\n  ");
        reject(new Error(`Discord emulator: waitFor timed out after ${timeoutMs} ms. Recent events:\n  ${recent || "(none)"}`));
      }, timeoutMs);
      this.events.on("event", listener);
    });
  }

  registeredCommands(guildId?: string): unknown[] {
    const { commands } = this.core.state;
    return clone(guildId === undefined ? commands.global : (commands.guilds.get(guildId) ?? []));
  }

  requestReconnect(shardId?: number): void {
    this.core.gateway.requestReconnect(shardId);
  }

  gatewaySessions(): GatewaySessionInfo[] {
    return this.core.gateway.sessionInfo();
  }

  shardOf(guildId: string): number {
    return shardOf(guildId, this.shardCount);
  }

  failNextRequest(match: { method?: string; pathIncludes: string }, failure: ScriptedFailure): void {
    this.router.failNextRequest(match, failure);
  }

  close(): Promise<void> {
    this.closed ??= (async () => {
      await this.core.gateway.close();
      // Keep-alive REST connections would otherwise hold server.close() open until they time out.
      this.server.closeAllConnections();
      await new Promise<void>((resolve) => this.server.close(() => resolve()));
    })();
    return this.closed;
  }
}

/** The privileged intents an application's flags grant (either the verified or the "limited" flag of each). */
function grantedIntents(flags: number): number {
  const grants: Array<[number, number]> = [
    [ApplicationFlags.GatewayPresence | ApplicationFlags.GatewayPresenceLimited, GatewayIntentBits.GuildPresences],
    [ApplicationFlags.GatewayGuildMembers | ApplicationFlags.GatewayGuildMembersLimited, GatewayIntentBits.GuildMembers],
    [ApplicationFlags.GatewayMessageContent | ApplicationFlags.GatewayMessageContentLimited, GatewayIntentBits.MessageContent],
  ];
  return grants.reduce((granted, [flag, intent]) => ((flags & flag) !== 0 ? granted | intent : granted), 0);
}

/** One line per event for timeout messages. */
function describeEvent(event: EmulatorEvent): string {
  switch (event.type) {
    case "rest_request":
      return `rest_request ${event.method} ${event.path} -> ${event.status}`;
    case "message_create":
    case "message_update":
      return `${event.type} ${event.message.id} in ${event.message.channel_id}: ${JSON.stringify(event.message.content.slice(0, 80))}`;
    default:
      return JSON.stringify(event).slice(0, 200);
  }
}
