/**
 * The playground's web server (node:http, 127.0.0.1 only): serves the page and its files, the JSON API of
 * `api-actions.ts`, and a server-sent-events stream of what happens in the local Discord stand-in, rendered to HTML
 * on the server. This file routes requests, guards them (localhost only, same origin, JSON), and relays the
 * emulator's events to the open pages.
 */
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { InteractionResponseType } from "discord-api-types/v10";
import type { DiscordEmulator } from "../discord-emulator/emulator.ts";
import type { EmulatorEvent } from "../discord-emulator/types.ts";
import type { Logger } from "../log.ts";
import { type Action, createActions, HttpError, isForumPost } from "./api-actions.ts";
import { type ChannelView, createChannelView } from "./channel-view.ts";
import { createEventStream, type EventStream } from "./event-stream.ts";
import { createInteractionTracker, type InteractionTracker } from "./interaction-tracker.ts";
import { renderPage } from "./page.ts";
import { BOT_USER, CHANNEL_IDS, CHANNELS, HELP_FORUM, HELP_FORUM_ID, PLAYGROUND_GUILD_ID, type Role, VISITOR } from "./playground-guild.ts";
import { renderForumList, renderThreadHeader } from "./render-forum.ts";
import { renderModal } from "./render-modal.ts";

export interface PlaygroundServer {
  /** `http://localhost:PORT`. */
  readonly url: string;
  readonly port: number;
  /** The visitor's current role. */
  role(): Role;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 64 * 1024;

const staticFile = (name: string, type: string) => ({ type, body: readFileSync(new URL(`./${name}`, import.meta.url)) });
const favicon = staticFile("favicon.svg", "image/svg+xml");
const staticFiles: Record<string, { type: string; body: Buffer }> = {
  "/client.js": staticFile("client.js", "text/javascript; charset=utf-8"),
  "/page.css": staticFile("page.css", "text/css; charset=utf-8"),
  "/favicon.svg": favicon,
  // Asked for by browsers that ignore the page's <link rel="icon">; an SVG body is fine for them too.
  "/favicon.ico": favicon,
};

/** What the request handlers share: the emulator, the visitor's view of it, and the page's live state. */
interface ServerContext {
  emulator: DiscordEmulator;
  view: ChannelView;
  stream: EventStream;
  interactions: InteractionTracker;
  actions: Record<string, Action>;
  role(): Role;
}

export async function startPlaygroundServer(options: { emulator: DiscordEmulator; port: number; logger?: Logger }): Promise<PlaygroundServer> {
  const { emulator } = options;
  let role: Role = "member";
  const stream = createEventStream();
  const interactions = createInteractionTracker();
  const setRole = (next: Role): void => {
    role = next;
    stream.broadcast("role", { role });
  };
  const ctx: ServerContext = {
    emulator,
    view: createChannelView(emulator),
    stream,
    interactions,
    actions: {},
    role: () => role,
  };
  ctx.actions = { ...createActions({ emulator, interactions, role: () => role, setRole }), "/api/forum/thread": async (body) => openPost(ctx, body) };
  const onEvent = (event: EmulatorEvent): void => relayEvent(ctx, event);
  emulator.events.on("event", onEvent);

  let port = 0;
  const server = createServer((request, response) => {
    handleRequest(ctx, port, request, response).catch((error: unknown) => sendError(response, error, options.logger));
  });
  await listen(server, options.port);
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://localhost:${port}`,
    port,
    role: () => role,
    async close() {
      emulator.events.off("event", onEvent);
      stream.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Loopback only: the playground drives a bot and must never be reachable from the network. */
async function listen(server: ReturnType<typeof createServer>, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
}

/** The emulator's events the page shows: messages of the playground's channels, typing, and the visitor's modals. */
function relayEvent(ctx: ServerContext, event: EmulatorEvent): void {
  switch (event.type) {
    case "message_create":
    case "message_update":
      if (CHANNEL_IDS.has(event.message.channel_id)) ctx.stream.broadcast("message", ctx.view.messageUpdate(event.message));
      else if (isForumPost(ctx.emulator, event.message.channel_id)) {
        ctx.stream.broadcast("message", ctx.view.messageUpdate(event.message));
        // Reply counts in the post list change with every message.
        if (event.type === "message_create") ctx.stream.broadcast("forum", forumState(ctx));
      }
      break;
    case "thread_create":
    case "thread_update":
    case "thread_delete":
      ctx.stream.broadcast("forum", forumState(ctx));
      break;
    case "message_delete":
      ctx.stream.broadcast("delete", { id: event.id, channelId: event.channelId });
      break;
    case "typing":
      if (CHANNEL_IDS.has(event.channelId) || isForumPost(ctx.emulator, event.channelId))
        ctx.stream.broadcast("typing", { channelId: event.channelId, userId: event.userId, name: ctx.view.userName(event.userId) ?? "Someone" });
      break;
    case "interaction_create":
      ctx.interactions.started(event.interaction);
      break;
    case "interaction_callback": {
      ctx.interactions.acknowledged(event.interactionId);
      const origin = ctx.interactions.origin(event.interactionId);
      if (event.callbackType === InteractionResponseType.Modal && origin?.userId === VISITOR.id) {
        ctx.stream.broadcast("modal", { ...renderModal(event.data), channelId: origin.channelId, messageId: origin.messageId });
      }
      break;
    }
    default:
      break;
  }
}

async function handleRequest(ctx: ServerContext, port: number, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const host = checkHost(request, port);
  const path = new URL(request.url ?? "/", `http://${host}`).pathname;
  if (request.method === "GET") return serveGet(ctx, path, response);
  const action = request.method === "POST" ? ctx.actions[path] : undefined;
  if (!action) throw new HttpError(404, "Not found");
  return runAction(action, host, request, response);
}

/**
 * Only this machine, and only under its own name: a page on another site cannot drive the playground (DNS
 * rebinding, cross-site form posts). Returns the Host header.
 */
function checkHost(request: IncomingMessage, port: number): string {
  const host = request.headers.host ?? "";
  if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) throw new HttpError(403, "The playground answers only on localhost.");
  return host;
}

function serveGet(ctx: ServerContext, path: string, response: ServerResponse): void {
  if (path === "/") return servePage(ctx, response);
  if (path === "/events") return openEvents(ctx, response);
  if (path === "/api/state") return serveState(ctx, response);
  const file = staticFiles[path];
  if (!file) throw new HttpError(404, "Not found");
  send(response, 200, file.type, file.body);
}

function servePage(ctx: ServerContext, response: ServerResponse): void {
  const panes = CHANNELS.map((channel) => ({ ...channel, html: ctx.view.paneHtml(channel.id) }));
  const forum = { ...HELP_FORUM, listHtml: forumState(ctx).list, tags: forumChannel(ctx).available_tags ?? [] };
  send(response, 200, "text/html; charset=utf-8", renderPage({ panes, forum, role: ctx.role(), botName: BOT_USER.username, visitorName: VISITOR.username }));
}

function forumChannel(ctx: ServerContext) {
  const forum = ctx.emulator.channel(HELP_FORUM_ID);
  if (!forum) throw new Error("the playground's #help-forum is missing");
  return forum;
}

/** #help-forum's post list, and each post's header (for the post that is open). */
function forumState(ctx: ServerContext): { list: string; headers: Record<string, string> } {
  const forum = forumChannel(ctx);
  const threads = ctx.emulator.threadsOf(PLAYGROUND_GUILD_ID).filter((thread) => thread.parent_id === HELP_FORUM_ID);
  const replies = (threadId: string) => Math.max(0, ctx.view.visibleMessages(threadId).length - 1);
  return {
    list: renderForumList(threads, forum, replies, { user: (id) => ctx.view.userName(id) }),
    headers: Object.fromEntries(threads.map((thread) => [thread.id, renderThreadHeader(thread, forum)])),
  };
}

/** Opens a post: its header and its thread's messages, rendered like a channel's. */
async function openPost(ctx: ServerContext, body: Record<string, unknown>) {
  const threadId = body["threadId"];
  const thread = typeof threadId === "string" && isForumPost(ctx.emulator, threadId) ? ctx.emulator.channel(threadId) : undefined;
  if (!thread) throw new HttpError(404, "That post does not exist (any more).");
  return { ok: true, threadId: thread.id, header: renderThreadHeader(thread, forumChannel(ctx)), html: ctx.view.paneHtml(thread.id) };
}

/** The page's starting point on every (re)connection: the role and every pane's messages. */
function openEvents(ctx: ServerContext, response: ServerResponse): void {
  const reset = { role: ctx.role(), panes: CHANNELS.map((c) => ({ channelId: c.id, html: ctx.view.paneHtml(c.id) })), forum: forumState(ctx) };
  ctx.stream.open(response, { event: "reset", data: reset });
}

/** The channels as the API has them, for scripts and tests that want data rather than HTML. */
function serveState(ctx: ServerContext, response: ServerResponse): void {
  const channels = CHANNELS.map((c) => ({ id: c.id, name: c.name, messages: ctx.view.visibleMessages(c.id) }));
  const posts = ctx.emulator
    .threadsOf(PLAYGROUND_GUILD_ID)
    .filter((thread) => thread.parent_id === HELP_FORUM_ID)
    .map((thread) => ({ ...thread, messages: ctx.view.visibleMessages(thread.id) }));
  send(
    response,
    200,
    "application/json",
    JSON.stringify({ role: ctx.role(), visitorId: VISITOR.id, botId: BOT_USER.id, channels, forum: { id: HELP_FORUM_ID, posts } }),
  );
}

async function runAction(action: Action, host: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (!(request.headers["content-type"] ?? "").startsWith("application/json")) throw new HttpError(415, "Send JSON.");
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== `http://${host}`) throw new HttpError(403, "Cross-origin requests are refused.");
  const body = await readJson(request);
  let result: unknown;
  try {
    result = await action(body);
  } catch (error) {
    // The emulator refuses what Discord would refuse (a button that is gone, a modal never opened): say so.
    if (error instanceof HttpError) throw error;
    throw new HttpError(400, error instanceof Error ? error.message.replace(/^Discord emulator: /, "") : String(error));
  }
  send(response, 200, "application/json", JSON.stringify(result));
}

function sendError(response: ServerResponse, error: unknown, logger: Logger | undefined): void {
  const status = error instanceof HttpError ? error.status : 500;
  if (status === 500) logger?.error({ event: "playground_error", err: String(error).slice(0, 200) }, "playground request failed");
  if (!response.headersSent)
    send(response, status, "application/json", JSON.stringify({ ok: false, error: error instanceof HttpError ? error.message : "Internal error" }));
  else response.end();
}

function send(response: ServerResponse, status: number, type: string, body: string | Buffer): void {
  response.writeHead(status, {
    "content-type": type,
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    // Inline style attributes carry embed colours; scripts come only from this server.
    "content-security-policy":
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'none'",
  });
  response.end(body);
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, "Request too large.");
    chunks.push(chunk as Buffer);
  }
  try {
    const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new HttpError(400, "Send a JSON object.");
}
