/**
 * The REST half of the emulator: Discord API v10 routes under `/api/v10`, served by node:http.
 *
 * Paths arrive percent-encoded (`%40original`, emoji in reaction routes) and are decoded per segment before
 * matching. Every route needs `Authorization: Bot <token>` except the interaction callback and webhook routes,
 * which discord.js calls without one (the token in the URL is the credential). Every request, matched or not, is
 * reported as a "rest_request" event; unknown routes get Discord's 404 body.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { ApplicationCommandType, MessageFlags, RESTJSONErrorCodes } from "discord-api-types/v10";
import { ApiError, clone } from "./core.ts";
import type { EmulatorCore } from "./core.ts";
import type { InteractionService } from "./interactions.ts";
import type { ThreadService } from "./threads.ts";
import { applicationObject, guildObject } from "./payloads.ts";
import type { ScriptedFailure } from "./types.ts";
import { validateMessageBody } from "./validation.ts";
import type { CreateThreadParams } from "./threads.ts";

/** API version prefix discord.js uses (`${api}/v10${route}`). */
const API_PREFIX = "/api/v10";

/** Discord's cap on request bodies (25 MiB of attachments plus JSON); beyond it the emulator answers 413. */
const MAX_BODY_BYTES = 30 * 1024 * 1024;

/** What a route handler receives. */
interface RouteRequest {
  method: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: Record<string, unknown>;
}

/** What a route handler returns: a JSON body (status 200 by default) or an empty 204. */
interface RouteReply {
  status: number;
  body?: unknown;
}

interface Route {
  method: string;
  /** Path segments after /api/v10; ":name" captures a segment. */
  segments: string[];
  /** The route template, reported in "rest_request" events. */
  template: string;
  /** False for routes authenticated by the interaction token in the URL. */
  auth: boolean;
  handle: (request: RouteRequest) => RouteReply | Promise<RouteReply>;
}

/** A one-shot scripted failure waiting for a matching request. */
interface PendingFailure {
  method?: string;
  pathIncludes: string;
  failure: ScriptedFailure;
}

/** Dependencies of the REST handler. */
export interface RestContext {
  core: EmulatorCore;
  interactions: InteractionService;
  threads: ThreadService;
  token: string;
  /** `ws://127.0.0.1:PORT/gateway`, the answer of GET /gateway/bot. */
  gatewayUrl: () => string;
  /** Number of shards GET /gateway/bot recommends. */
  shardCount: number;
  /** `http://127.0.0.1:PORT`, base of the attachment URLs (the emulator serves the files). */
  httpBaseUrl: () => string;
}

const ok = (body: unknown): RouteReply => ({ status: 200, body });
const noContent: RouteReply = { status: 204 };

/** Routes requests, applies scripted failures, and writes Discord-shaped responses. */
export class RestRouter {
  private readonly routes: Route[] = [];
  private readonly failures: PendingFailure[] = [];

  constructor(private readonly context: RestContext) {
    this.registerRoutes();
  }

  /** Queues a one-shot failure for the next request whose method and decoded path match. */
  failNextRequest(match: { method?: string; pathIncludes: string }, failure: ScriptedFailure): void {
    const pending: PendingFailure = { pathIncludes: match.pathIncludes, failure };
    if (match.method) pending.method = match.method.toUpperCase();
    this.failures.push(pending);
  }

  /** The node:http request listener. */
  async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = (request.method ?? "GET").toUpperCase();
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    let segments: string[];
    try {
      segments = url.pathname
        .split("/")
        .filter((segment) => segment.length > 0)
        .map(decodeURIComponent);
    } catch {
      segments = [];
    }
    const path = `/${segments.join("/")}`;
    const apiPath = path.startsWith(API_PREFIX) ? path.slice(API_PREFIX.length) || "/" : null;
    let status = 500;
    let template: string | null = null;
    try {
      const body = await readBody(request);
      if (apiPath === null && method === "GET" && segments[0] === "attachments") {
        status = this.serveAttachment(response, segments[1] ?? "");
        return;
      }
      if (apiPath === null) throw notFound();
      const matched = this.match(method, apiPath);
      template = matched?.route.template ?? null;
      const failure = this.takeFailure(method, apiPath);
      if (failure) {
        status = failure.status;
        writeFailure(response, failure);
        return;
      }
      if (!matched) throw notFound();
      if (matched.route.auth && request.headers.authorization !== `Bot ${this.context.token}`) {
        throw new ApiError(401, { code: 0, message: "401: Unauthorized" });
      }
      const reply = await matched.route.handle({
        method,
        params: matched.params,
        query: url.searchParams,
        body: parseBody(request.headers["content-type"], body, this.context.httpBaseUrl(), (file) => {
          const id = this.context.core.ids.next();
          this.context.core.state.attachments.set(id, file);
          return id;
        }),
      });
      status = reply.status;
      writeJson(response, reply.status, reply.body);
    } catch (error) {
      if (error instanceof ApiError) {
        status = error.status;
        writeJson(response, error.status, error.body);
      } else {
        status = 500;
        writeJson(response, 500, { code: 0, message: `500: Internal Server Error (${String(error)})` });
      }
    } finally {
      this.context.core.emit({
        type: "rest_request",
        method,
        path: apiPath ?? path,
        status,
        route: template,
        query: url.search,
      });
    }
  }

  /** An uploaded file's contents, as Discord's CDN serves attachments (no Authorization needed). */
  private serveAttachment(response: ServerResponse, id: string): number {
    const file = this.context.core.state.attachments.get(id);
    if (!file) {
      writeJson(response, 404, { code: 0, message: "404: Not Found" });
      return 404;
    }
    response.writeHead(200, { "content-type": file.contentType, "content-length": file.data.length }).end(file.data);
    return 200;
  }

  private match(method: string, apiPath: string): { route: Route; params: Record<string, string> } | undefined {
    const segments = apiPath.split("/").filter((segment) => segment.length > 0);
    for (const route of this.routes) {
      if (route.method !== method || route.segments.length !== segments.length) continue;
      const params: Record<string, string> = {};
      let matches = true;
      for (const [index, expected] of route.segments.entries()) {
        const actual = segments[index] ?? "";
        if (expected.startsWith(":")) params[expected.slice(1)] = actual;
        else if (expected !== actual) {
          matches = false;
          break;
        }
      }
      if (matches) return { route, params };
    }
    return undefined;
  }

  private takeFailure(method: string, apiPath: string): ScriptedFailure | undefined {
    const index = this.failures.findIndex((pending) => (!pending.method || pending.method === method) && apiPath.includes(pending.pathIncludes));
    if (index === -1) return undefined;
    const [pending] = this.failures.splice(index, 1);
    return pending?.failure;
  }

  private add(method: string, template: string, handle: Route["handle"], auth = true): void {
    const segments = template.split("/").filter((segment) => segment.length > 0);
    this.routes.push({ method, segments, template, auth, handle });
  }

  private registerRoutes(): void {
    const { core, interactions, threads } = this.context;
    const { state } = core;
    const param = (request: RouteRequest, name: string): string => request.params[name] ?? "";

    this.add("GET", "/gateway/bot", () =>
      ok({
        url: this.context.gatewayUrl(),
        shards: this.context.shardCount,
        // A large bot's IDENTIFY bucket count: shards starting together need not wait 5 s for each other.
        session_start_limit: { total: 1000, remaining: 1000, reset_after: 86_400_000, max_concurrency: 16 },
      }),
    );
    this.add("GET", "/gateway", () => ok({ url: this.context.gatewayUrl() }));
    this.add("GET", "/users/@me", () => ok(state.botUser));
    this.add("GET", "/users/:user", (request) => {
      const user = state.users.get(param(request, "user"));
      if (!user) throw ApiError.unknown(10013, "User");
      return ok(user);
    });
    this.add("GET", "/applications/@me", () => ok(applicationObject(state.applicationId, state.botUser, state.applicationFlags)));
    this.add("GET", "/oauth2/applications/@me", () => ok(applicationObject(state.applicationId, state.botUser, state.applicationFlags)));

    // --- guilds (read-only: what setup checks read to compute the bot's permissions) ---
    const guildOr404 = (request: RouteRequest) => {
      const guild = state.guilds.get(param(request, "guild"));
      if (!guild) throw ApiError.unknown(RESTJSONErrorCodes.UnknownGuild, "Guild");
      return guild;
    };
    this.add("GET", "/guilds/:guild", (request) => ok(clone(guildObject(state, guildOr404(request)))));
    this.add("GET", "/guilds/:guild/roles", (request) => ok(clone(guildOr404(request).roles)));
    this.add("GET", "/guilds/:guild/channels", (request) => ok(clone(guildOr404(request).channels)));
    this.add("GET", "/guilds/:guild/members/:user", (request) => {
      const member = guildOr404(request).members.get(param(request, "user"));
      if (!member) throw ApiError.unknown(RESTJSONErrorCodes.UnknownMember, "Member");
      return ok(clone(state.memberPayload(member, { includeUser: true })));
    });

    // --- channels and messages ---
    this.add("GET", "/channels/:channel", (request) => {
      const entry = state.channels.get(param(request, "channel"));
      if (!entry) throw ApiError.unknown(RESTJSONErrorCodes.UnknownChannel, "Channel");
      return ok(entry.channel);
    });
    // --- threads and forum posts ---
    // The fields both thread routes read from their body.
    const threadParams = (request: RouteRequest): CreateThreadParams => {
      const body = request.body;
      const params: CreateThreadParams = {
        parentId: param(request, "channel"),
        owner: state.botUser,
        name: typeof body["name"] === "string" ? body["name"] : "",
        source: "bot",
      };
      if (typeof body["auto_archive_duration"] === "number") params.autoArchiveDuration = body["auto_archive_duration"];
      return params;
    };
    this.add("POST", "/channels/:channel/threads", (request) => {
      const body = request.body;
      const params = threadParams(request);
      if (typeof body["type"] === "number") params.type = body["type"];
      if (Array.isArray(body["applied_tags"])) params.appliedTags = body["applied_tags"].map(String);
      if (body["message"] && typeof body["message"] === "object") params.message = body["message"] as Record<string, unknown>;
      const { thread, message } = threads.createThread(params);
      // A forum post comes back with its starter message, as on Discord.
      return { status: 201, body: { ...clone(thread), ...(message ? { message: clone(message) } : {}) } };
    });
    this.add("POST", "/channels/:channel/messages/:message/threads", (request) => {
      const params = { ...threadParams(request), fromMessageId: param(request, "message") };
      return { status: 201, body: clone(threads.createThread(params).thread) };
    });
    this.add("PATCH", "/channels/:channel", (request) => ok(clone(threads.updateThread(param(request, "channel"), request.body, state.botUser.id))));
    this.add("DELETE", "/channels/:channel", (request) => {
      const { thread } = threads.threadOr404(param(request, "channel"));
      threads.deleteThread(thread.id);
      return ok(clone(thread));
    });
    this.add("GET", "/guilds/:guild/threads/active", (request) => ok({ threads: clone(threads.activeThreads(param(request, "guild"))), members: [] }));
    this.add("GET", "/channels/:channel/messages", (request) => {
      const channelId = param(request, "channel");
      core.channelOr404(channelId);
      const limit = Math.min(Math.max(Number(request.query.get("limit") ?? 50) || 50, 1), 100);
      const before = request.query.get("before");
      const after = request.query.get("after");
      // Ephemeral messages exist only for their recipient; the bot can't list them.
      let list = state.channelMessages(channelId).filter((message) => (message.flags & MessageFlags.Ephemeral) === 0);
      if (before) list = list.filter((message) => BigInt(message.id) < BigInt(before));
      if (after) list = list.filter((message) => BigInt(message.id) > BigInt(after));
      // Discord returns newest first; with `after` it returns the oldest ones after the id.
      const page = after ? list.slice(0, limit) : list.slice(-limit);
      return ok(page.reverse().map((message) => clone(message)));
    });
    this.add("POST", "/channels/:channel/messages", (request) => {
      const channelId = param(request, "channel");
      core.channelOr404(channelId);
      const error = validateMessageBody(request.body, true);
      if (error) throw new ApiError(400, error);
      threads.beforeMessage(channelId);
      const message = core.createMessage({ channelId, author: state.botUser, body: request.body, source: "bot" });
      return ok(clone(message));
    });
    this.add("GET", "/channels/:channel/messages/:message", (request) => ok(clone(core.messageOr404(param(request, "channel"), param(request, "message")))));
    this.add("PATCH", "/channels/:channel/messages/:message", (request) => {
      const message = core.messageOr404(param(request, "channel"), param(request, "message"));
      if (message.author.id !== state.botUser.id) {
        throw new ApiError(403, {
          code: RESTJSONErrorCodes.CannotEditMessageAuthoredByAnotherUser,
          message: "Cannot edit a message authored by another user",
        });
      }
      const error = validateMessageBody(request.body, false);
      if (error) throw new ApiError(400, error);
      return ok(clone(core.updateMessage(message, request.body)));
    });
    this.add("DELETE", "/channels/:channel/messages/:message", (request) => {
      core.deleteMessage(core.messageOr404(param(request, "channel"), param(request, "message")));
      return noContent;
    });
    this.add("POST", "/channels/:channel/typing", (request) => {
      const channelId = param(request, "channel");
      core.channelOr404(channelId);
      core.emit({ type: "typing", channelId, userId: state.botUser.id });
      return noContent;
    });
    const reaction =
      (add: boolean) =>
      (request: RouteRequest): RouteReply => {
        const message = core.messageOr404(param(request, "channel"), param(request, "message"));
        const emoji = param(request, "emoji");
        // Custom emoji arrive as "name:id", unicode ones as the character itself.
        const [name = emoji, id = null] = emoji.includes(":") ? emoji.split(":") : [emoji];
        const reactions = message.reactions ?? [];
        const existing = reactions.find((r) => r.emoji.name === name && r.emoji.id === id);
        if (add && !existing) reactions.push({ emoji: { id, name }, count: 1, me: true });
        if (add && existing && !existing.me) {
          existing.me = true;
          existing.count += 1;
        }
        if (!add && existing?.me) {
          existing.me = false;
          existing.count -= 1;
          if (existing.count === 0) reactions.splice(reactions.indexOf(existing), 1);
        }
        message.reactions = reactions;
        core.emit({
          type: add ? "reaction_add" : "reaction_remove",
          channelId: message.channel_id,
          messageId: message.id,
          emoji,
        });
        return noContent;
      };
    this.add("PUT", "/channels/:channel/messages/:message/reactions/:emoji/@me", reaction(true));
    this.add("DELETE", "/channels/:channel/messages/:message/reactions/:emoji/@me", reaction(false));

    // --- application commands ---
    const storeCommands = (request: RouteRequest, guildId?: string): RouteReply => {
      if (param(request, "application") !== state.applicationId) throw ApiError.unknown(10002, "Application");
      if (guildId !== undefined && !state.guilds.has(guildId)) throw ApiError.unknown(10004, "Guild");
      const raw = Array.isArray(request.body) ? (request.body as unknown[]) : [];
      const previous = guildId === undefined ? state.commands.global : (state.commands.guilds.get(guildId) ?? []);
      // Bulk overwrite keeps the id of a command with the same name, as Discord does.
      const commands = raw.map((command) => {
        const input = (command ?? {}) as Record<string, unknown>;
        const kept = previous.find((old) => (old as { name?: unknown }).name === input["name"]) as { id?: string } | undefined;
        return {
          type: ApplicationCommandType.ChatInput,
          description: "",
          default_member_permissions: null,
          nsfw: false,
          ...input,
          id: kept?.id ?? core.ids.next(),
          application_id: state.applicationId,
          version: core.ids.next(),
          ...(guildId === undefined ? {} : { guild_id: guildId }),
        };
      });
      if (guildId === undefined) state.commands.global = commands;
      else state.commands.guilds.set(guildId, commands);
      const event: { type: "commands_registered"; guildId?: string; commands: unknown[] } = {
        type: "commands_registered",
        commands: clone(commands),
      };
      if (guildId !== undefined) event.guildId = guildId;
      core.emit(event);
      return ok(clone(commands));
    };
    this.add("PUT", "/applications/:application/commands", (request) => storeCommands(request));
    this.add("PUT", "/applications/:application/guilds/:guild/commands", (request) => storeCommands(request, param(request, "guild")));
    this.add("GET", "/applications/:application/commands", () => ok(clone(state.commands.global)));
    this.add("GET", "/applications/:application/guilds/:guild/commands", (request) => ok(clone(state.commands.guilds.get(param(request, "guild")) ?? [])));

    // --- interactions (no Authorization: the token in the URL authenticates) ---
    this.add(
      "POST",
      "/interactions/:interaction/:token/callback",
      (request) => {
        const record = interactions.interactionForCallback(param(request, "interaction"), param(request, "token"));
        const result = interactions.handleCallback(record, request.body);
        // discord.js 14.28 always sends ?with_response=<bool>; Discord answers 204 unless it is true.
        return request.query.get("with_response") === "true" ? ok(result) : noContent;
      },
      false,
    );
    const webhook = (request: RouteRequest) => interactions.interactionForWebhook(param(request, "application"), param(request, "token"));
    this.add(
      "POST",
      "/webhooks/:application/:token",
      (request) => {
        const message = interactions.createFollowup(webhook(request), request.body);
        // discord.js sends ?wait=true to get the message back; without it Discord answers 204.
        return request.query.get("wait") === "true" ? ok(clone(message)) : noContent;
      },
      false,
    );
    this.add(
      "GET",
      "/webhooks/:application/:token/messages/:message",
      (request) => ok(clone(interactions.webhookMessage(webhook(request), param(request, "message")))),
      false,
    );
    this.add(
      "PATCH",
      "/webhooks/:application/:token/messages/:message",
      (request) => ok(clone(interactions.editWebhookMessage(webhook(request), param(request, "message"), request.body))),
      false,
    );
    this.add(
      "DELETE",
      "/webhooks/:application/:token/messages/:message",
      (request) => {
        interactions.deleteWebhookMessage(webhook(request), param(request, "message"));
        return noContent;
      },
      false,
    );
  }
}

function notFound(): ApiError {
  return new ApiError(404, { code: 0, message: "404: Not Found" });
}

function writeJson(response: ServerResponse, status: number, body: unknown): void {
  if (status === 204 || body === undefined) {
    response.writeHead(204).end();
    return;
  }
  const text = JSON.stringify(body);
  response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  response.end(text);
}

/**
 * Writes a scripted failure. For 429, @discordjs/rest reads the `retry-after` header (seconds) to decide when to
 * retry and `x-ratelimit-global` to decide whether the limit is global; the JSON body mirrors Discord's.
 */
function writeFailure(response: ServerResponse, failure: ScriptedFailure): void {
  if (failure.status === 429) {
    const body = JSON.stringify({
      message: "You are being rate limited.",
      retry_after: failure.retryAfterSeconds,
      global: failure.global ?? false,
    });
    const headers: Record<string, string | number> = {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body),
      "retry-after": String(failure.retryAfterSeconds),
      "x-ratelimit-scope": failure.global ? "global" : "user",
    };
    if (failure.global) headers["x-ratelimit-global"] = "true";
    else {
      headers["x-ratelimit-limit"] = "5";
      headers["x-ratelimit-remaining"] = "0";
      headers["x-ratelimit-reset-after"] = String(failure.retryAfterSeconds);
      headers["x-ratelimit-bucket"] = "emulator-scripted";
    }
    response.writeHead(429, headers).end(body);
    return;
  }
  if (failure.status === 403 || failure.status === 404) {
    writeJson(response, failure.status, { code: failure.code, message: failure.message });
    return;
  }
  const body = failure.status === 502 ? "Bad Gateway" : "Internal Server Error";
  response.writeHead(failure.status, { "content-type": "text/plain" }).end(body);
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new ApiError(413, { code: RESTJSONErrorCodes.RequestEntityTooLarge, message: "Request entity too large" }));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () => resolve(Buffer.concat(chunks)));
    request.on("error", reject);
  });
}

/**
 * Parses a JSON body, or the `payload_json` part of a multipart body (discord.js switches to multipart when files
 * are attached). Attached files become attachment objects; their contents are kept and served at the attachment URL.
 */
/** Keeps an uploaded file and returns its attachment id. */
type StoreFile = (file: { filename: string; contentType: string; data: Buffer }) => string;

function parseBody(contentType: string | undefined, raw: Buffer, baseUrl: string, store: StoreFile): Record<string, unknown> {
  if (raw.length === 0) return {};
  const type = contentType ?? "";
  if (type.startsWith("multipart/form-data")) return parseMultipart(type, raw, baseUrl, store);
  try {
    return JSON.parse(raw.toString("utf8")) as Record<string, unknown>;
  } catch {
    throw new ApiError(400, { code: RESTJSONErrorCodes.RequestBodyContainsInvalidJSON, message: "The request body contains invalid JSON." });
  }
}

function parseMultipart(contentType: string, raw: Buffer, baseUrl: string, store: StoreFile): Record<string, unknown> {
  const boundary = /boundary="?([^";]+)"?/.exec(contentType)?.[1];
  if (!boundary) throw new ApiError(400, { code: RESTJSONErrorCodes.InvalidFormBodyOrContentType, message: "Invalid Form Body" });
  const text = raw.toString("latin1");
  let payload: Record<string, unknown> = {};
  const files: Array<{ index: number; filename: string; contentType: string; data: Buffer }> = [];
  for (const part of text.split(`--${boundary}`)) {
    const headerEnd = part.indexOf("\r\n\r\n");
    if (headerEnd === -1) continue;
    const headers = part.slice(0, headerEnd);
    const content = part.slice(headerEnd + 4).replace(/\r\n$/, "");
    const name = /name="([^"]*)"/.exec(headers)?.[1];
    const filename = /filename="([^"]*)"/.exec(headers)?.[1];
    if (name === "payload_json") {
      payload = JSON.parse(Buffer.from(content, "latin1").toString("utf8")) as Record<string, unknown>;
    } else if (filename !== undefined) {
      const index = Number(/files\[(\d+)\]/.exec(name ?? "")?.[1] ?? files.length);
      const partType = /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1] ?? "application/octet-stream";
      files.push({ index, filename, contentType: partType, data: Buffer.from(content, "latin1") });
    }
  }
  if (files.length > 0) {
    const declared = Array.isArray(payload["attachments"]) ? (payload["attachments"] as Array<Record<string, unknown>>) : [];
    payload["attachments"] = files.map((file) => {
      const meta = declared.find((attachment) => String(attachment["id"]) === String(file.index)) ?? {};
      const id = store({ filename: file.filename, contentType: file.contentType, data: file.data });
      // Served by the emulator itself, as Discord's CDN serves attachments.
      const url = `${baseUrl}/attachments/${id}/${encodeURIComponent(file.filename)}`;
      return {
        ...meta,
        id,
        filename: file.filename,
        size: file.data.length,
        content_type: file.contentType,
        url,
        proxy_url: url,
      };
    });
  }
  return payload;
}
