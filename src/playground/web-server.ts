/**
 * The playground's web server (node:http, 127.0.0.1 only): serves the page, a small JSON API for what the visitor
 * does (send a message, run /ask, click a button, submit a modal, switch between member and moderator), and a
 * server-sent-events stream of what happens in the local Discord stand-in, rendered to HTML on the server. Every
 * action goes through the emulator exactly as a Discord client's would, so the page shows what the bot really sent.
 */
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { CommandOptionInput, DiscordEmulator } from "../discord-emulator/emulator.ts";
import type { EmulatorEvent, Interaction, Message } from "../discord-emulator/types.ts";
import type { Logger } from "../log.ts";
import { renderPage } from "./page.ts";
import { actorFor, BOT_USER, CHANNELS, knownNames, PLAYGROUND_GUILD_ID, type Role, VISITOR } from "./playground-guild.ts";
import type { MarkdownNames } from "./render-markdown.ts";
import { type RenderContext, renderMessage, visibleTo } from "./render-message.ts";
import { renderModal } from "./render-modal.ts";

export interface PlaygroundServer {
  /** `http://localhost:PORT`. */
  readonly url: string;
  readonly port: number;
  /** The visitor's current role. */
  role(): Role;
  close(): Promise<void>;
}

/** Discord shows "This interaction failed" when the app does not answer within 3 seconds. */
const INTERACTION_ACK_MS = 3_000;
const MAX_BODY_BYTES = 64 * 1024;
/** Discord's limit for a member's message. */
const MAX_MESSAGE_CHARS = 2_000;
const CHANNEL_IDS = new Set<string>(CHANNELS.map((c) => c.id));

const staticFiles = {
  "/client.js": { type: "text/javascript; charset=utf-8", body: readFileSync(new URL("./client.js", import.meta.url)) },
  "/page.css": { type: "text/css; charset=utf-8", body: readFileSync(new URL("./page.css", import.meta.url)) },
} as const;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function startPlaygroundServer(options: { emulator: DiscordEmulator; port: number; reviewAvailable: boolean; logger?: Logger }): Promise<PlaygroundServer> {
  const { emulator } = options;
  let role: Role = "member";
  let port = 0;
  const streams = new Set<ServerResponse>();
  /** Who started each interaction, where: modals are shown only to the user whose click opened them. */
  const interactions = new Map<string, { channelId: string; messageId: string | null; userId: string }>();
  const acknowledged = new Set<string>();
  const ackWaiters = new Map<string, () => void>();
  const users = new Map(knownNames.users);

  const names: MarkdownNames = {
    user: (id) => users.get(id),
    role: (id) => knownNames.roles.get(id),
    channel: (id) => knownNames.channels.get(id),
    jump: (guildId, channelId, messageId) => (guildId === PLAYGROUND_GUILD_ID && CHANNEL_IDS.has(channelId) ? `#m-${messageId}` : undefined),
  };
  const ctx: RenderContext = { names, viewerId: VISITOR.id, lookup: (id) => emulator.message(id) };
  const learnUsers = (message: Message): void => {
    for (const user of [message.author, ...message.mentions]) users.set(user.id, user.global_name ?? user.username);
  };
  const messageUpdate = (message: Message) => {
    learnUsers(message);
    return visibleTo(message, VISITOR.id)
      ? { id: message.id, channelId: message.channel_id, authorId: message.author.id, html: renderMessage(message, ctx) }
      : { id: message.id, channelId: message.channel_id, remove: true };
  };
  const paneHtml = (channelId: string): string =>
    emulator
      .messages(channelId)
      .filter((m) => visibleTo(m, VISITOR.id))
      .map((m) => (learnUsers(m), renderMessage(m, ctx)))
      .join("");

  const broadcast = (event: string, data: unknown): void => {
    const frame = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const stream of streams) stream.write(frame);
  };

  const onEvent = (event: EmulatorEvent): void => {
    switch (event.type) {
      case "message_create":
      case "message_update":
        if (CHANNEL_IDS.has(event.message.channel_id)) broadcast("message", messageUpdate(event.message));
        break;
      case "message_delete":
        broadcast("delete", { id: event.id, channelId: event.channelId });
        break;
      case "typing":
        if (CHANNEL_IDS.has(event.channelId)) broadcast("typing", { channelId: event.channelId, userId: event.userId, name: users.get(event.userId) ?? "Someone" });
        break;
      case "interaction_create":
        interactions.set(event.interaction.id, { channelId: event.interaction.channel_id, messageId: event.interaction.message?.id ?? null, userId: event.interaction.member.user.id });
        if (interactions.size > 500) interactions.delete(interactions.keys().next().value ?? "");
        break;
      case "interaction_callback": {
        acknowledged.add(event.interactionId);
        if (acknowledged.size > 1000) acknowledged.delete(acknowledged.values().next().value ?? "");
        ackWaiters.get(event.interactionId)?.();
        const origin = interactions.get(event.interactionId);
        if (event.callbackType === 9 && origin?.userId === VISITOR.id) {
          broadcast("modal", { ...renderModal(event.data), channelId: origin.channelId, messageId: origin.messageId });
        }
        break;
      }
      default:
        break;
    }
  };
  emulator.events.on("event", onEvent);

  /** Resolves true once the bot answered the interaction (any initial callback), false after Discord's 3 s. */
  const answered = (interactionId: string): Promise<boolean> => {
    if (acknowledged.has(interactionId)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        ackWaiters.delete(interactionId);
        resolve(false);
      }, INTERACTION_ACK_MS);
      ackWaiters.set(interactionId, () => {
        clearTimeout(timer);
        ackWaiters.delete(interactionId);
        resolve(true);
      });
    });
  };
  const interactionResult = async (interaction: Interaction) => ({ ok: true, interactionId: interaction.id, failed: !(await answered(interaction.id)) });

  const actions: Record<string, (body: Record<string, unknown>) => Promise<unknown>> = {
    "/api/messages": async (body) => {
      const channelId = channelOf(body);
      const content = requiredText(body, "content", MAX_MESSAGE_CHARS);
      // "@Docent" typed on the page becomes a real mention, as Discord's autocomplete would make it.
      const withMention = content.replace(/(^|[\s(])@docent\b/gi, `$1<@${BOT_USER.id}>`);
      const message = await emulator.sendUserMessage({ channelId, author: VISITOR, content: withMention });
      return { ok: true, id: message.id };
    },
    "/api/command": async (body) => {
      const channelId = channelOf(body);
      const command = slashCommandOf(body);
      return interactionResult(await emulator.runSlashCommand({ channelId, user: VISITOR, ...command, ...actorFor(role) }));
    },
    "/api/click": async (body) => {
      const channelId = channelOf(body);
      const messageId = requiredText(body, "messageId", 32);
      const customId = requiredText(body, "customId", 100);
      return interactionResult(await emulator.clickButton({ channelId, messageId, customId, user: VISITOR, ...actorFor(role) }));
    },
    "/api/modal": async (body) => {
      const channelId = channelOf(body);
      const customId = requiredText(body, "customId", 100);
      const raw = body["fields"];
      if (!raw || typeof raw !== "object") throw new HttpError(400, "fields must be an object of text input ids to values");
      const fields = Object.fromEntries(Object.entries(raw as Record<string, unknown>).map(([k, v]) => [k, String(v).slice(0, 4_000)]));
      const messageId = typeof body["messageId"] === "string" && body["messageId"] ? body["messageId"] : undefined;
      return interactionResult(await emulator.submitModal({ channelId, customId, fields, user: VISITOR, ...(messageId ? { messageId } : {}), ...actorFor(role) }));
    },
    "/api/role": async (body) => {
      if (body["role"] !== "member" && body["role"] !== "moderator") throw new HttpError(400, 'role must be "member" or "moderator"');
      role = body["role"];
      broadcast("role", { role });
      return { ok: true, role };
    },
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    // Only this machine, and only under its own name: a page on another site cannot drive the playground
    // (DNS rebinding, cross-site form posts).
    const host = request.headers.host ?? "";
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) throw new HttpError(403, "The playground answers only on localhost.");
    const path = new URL(request.url ?? "/", `http://${host}`).pathname;
    if (request.method === "GET" && path === "/") {
      const panes = CHANNELS.map((channel) => ({ ...channel, html: paneHtml(channel.id) }));
      return send(response, 200, "text/html; charset=utf-8", renderPage({ panes, role, reviewAvailable: options.reviewAvailable, botName: BOT_USER.username, visitorName: VISITOR.username }));
    }
    const file = request.method === "GET" ? staticFiles[path as keyof typeof staticFiles] : undefined;
    if (file) return send(response, 200, file.type, file.body);
    if (request.method === "GET" && path === "/events") return openStream(response);
    if (request.method === "GET" && path === "/api/state") {
      const channels = CHANNELS.map((c) => ({ id: c.id, name: c.name, messages: emulator.messages(c.id).filter((m) => visibleTo(m, VISITOR.id)) }));
      return send(response, 200, "application/json", JSON.stringify({ role, reviewAvailable: options.reviewAvailable, visitorId: VISITOR.id, botId: BOT_USER.id, channels }));
    }
    const action = request.method === "POST" ? actions[path] : undefined;
    if (!action) throw new HttpError(404, "Not found");
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
  };

  const openStream = (response: ServerResponse): void => {
    response.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", connection: "keep-alive", "x-accel-buffering": "no" });
    const reset = { role, panes: CHANNELS.map((c) => ({ channelId: c.id, html: paneHtml(c.id) })) };
    response.write(`retry: 1000\nevent: reset\ndata: ${JSON.stringify(reset)}\n\n`);
    streams.add(response);
    response.on("close", () => streams.delete(response));
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      const status = error instanceof HttpError ? error.status : 500;
      if (status === 500) options.logger?.error({ event: "playground_error", err: String(error).slice(0, 200) }, "playground request failed");
      if (!response.headersSent) send(response, status, "application/json", JSON.stringify({ ok: false, error: error instanceof HttpError ? error.message : "Internal error" }));
      else response.end();
    });
  });
  const keepAlive = setInterval(() => {
    for (const stream of streams) stream.write(": keep-alive\n\n");
  }, 15_000);
  keepAlive.unref();

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    // Loopback only: the playground drives a bot and must never be reachable from the network.
    server.listen(options.port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://localhost:${port}`,
    port,
    role: () => role,
    async close() {
      clearInterval(keepAlive);
      emulator.events.off("event", onEvent);
      for (const stream of streams) stream.end();
      streams.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function send(response: ServerResponse, status: number, type: string, body: string | Buffer): void {
  response.writeHead(status, {
    "content-type": type,
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    // Inline style attributes carry embed colours; scripts come only from this server.
    "content-security-policy": "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'none'",
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

/** The slash commands the bot registers, as the page sends them: `/ask question [public]`, `/docent status`, `/docent gaps [days]`. */
function slashCommandOf(body: Record<string, unknown>): { name: string; options: CommandOptionInput[] } {
  if (body["name"] === "ask") {
    const question = requiredText(body, "question", 1_500);
    return { name: "ask", options: [{ name: "question", type: 3, value: question }, ...(body["public"] === true ? [{ name: "public", type: 5, value: true }] : [])] };
  }
  if (body["name"] === "docent" && body["subcommand"] === "status") {
    // A subcommand option carries no value on Discord; the empty one here is ignored by discord.js.
    return { name: "docent", options: [{ name: "status", type: 1, value: "" }] };
  }
  if (body["name"] === "docent" && body["subcommand"] === "gaps") {
    const days = body["days"];
    if (days !== undefined && !(Number.isInteger(days) && (days as number) >= 1 && (days as number) <= 365)) throw new HttpError(400, "days must be a whole number from 1 to 365.");
    const options = days === undefined ? [] : [{ name: "days", type: 4, value: days as number }];
    return { name: "docent", options: [{ name: "gaps", type: 1, value: "", options } as CommandOptionInput] };
  }
  throw new HttpError(400, "Unknown command: the playground knows /ask, /docent status and /docent gaps [days].");
}

function channelOf(body: Record<string, unknown>): string {
  const id = body["channelId"];
  if (typeof id !== "string" || !CHANNEL_IDS.has(id)) throw new HttpError(400, "Unknown channel.");
  return id;
}

function requiredText(body: Record<string, unknown>, name: string, max: number): string {
  const value = body[name];
  if (typeof value !== "string" || value.trim() === "") throw new HttpError(400, `${name} is required.`);
  if (value.length > max) throw new HttpError(400, `${name} is longer than ${max} characters.`);
  return value;
}
