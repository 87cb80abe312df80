/**
 * The gateway half of the emulator: Discord's WebSocket protocol (v10, JSON text frames, no compression) served
 * with `ws` on the emulator's HTTP server.
 *
 * HELLO -> IDENTIFY -> READY + GUILD_CREATE*, heartbeats answered with ACKs, dispatches numbered per session, and
 * sessions that survive a disconnect so the client can RESUME (op 6) and get the dispatches it missed replayed.
 *
 * Sharding as on Discord: with N shards every IDENTIFY must carry `shard: [id, N]` (else close 4011; a wrong id or
 * count closes 4010); a shard's READY lists only its guilds, whose GUILD_CREATEs follow on that connection; a
 * dispatch about a guild goes to the sessions of shard `(guild_id >> 22) % N`, anything else to shard 0.
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { GatewayCloseCodes, GatewayIntentBits, GatewayOpcodes } from "discord-api-types/v10";
import { WebSocket, WebSocketServer } from "ws";

/** The shard that receives a guild's events: `(guild_id >> 22) % shardCount`, as Discord routes them. */
export function shardOf(guildId: string, shardCount: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
}

/** Dispatches kept per session for replay on RESUME; far more than a test can miss during one reconnect. */
const REPLAY_BUFFER = 1000;

interface DispatchFrame {
  op: GatewayOpcodes.Dispatch;
  s: number;
  t: string;
  d: unknown;
}

/** A gateway session: outlives its socket so that a RESUME can pick it up. */
interface Session {
  id: string;
  /** The shard this session identified as. */
  shardId: number;
  seq: number;
  history: DispatchFrame[];
  socket: WebSocket | null;
}

/** What the gateway needs from the rest of the emulator. */
export interface GatewayOptions {
  /** The bot token IDENTIFY and RESUME must carry (with or without a "Bot " prefix). */
  token: string;
  heartbeatIntervalMs: number;
  /** Number of shards the bot must connect with (1: unsharded). */
  shardCount: number;
  /** URL sent as READY's `resume_gateway_url`. */
  resumeUrl: () => string;
  /** READY's `d` for a new session of a shard (the gateway adds `session_id` and `resume_gateway_url`). */
  readyPayload: (shardId: number) => Record<string, unknown>;
  /** GUILD_CREATE payloads sent right after READY, one per guild of the shard. */
  guildCreatePayloads: (shardId: number) => unknown[];
  /** Answers op 8 (REQUEST_GUILD_MEMBERS) with the members matching the request. */
  guildMembers: (request: { guild_id?: unknown; user_ids?: unknown; query?: unknown; limit?: unknown }) => unknown[];
  /** Called when a session becomes live (after READY or RESUMED). */
  onSessionLive?: (sessionId: string, resumed: boolean, shardId: number) => void;
  /**
   * The privileged intents (GuildMembers, GuildPresences, MessageContent bits) the application may ask for; an
   * IDENTIFY asking for another is closed with 4014, as on Discord. Unset: all of them.
   */
  allowedPrivilegedIntents?: number;
}

/** What {@link GatewayServer.sessionInfo} reports about one session. */
export interface GatewaySessionInfo {
  sessionId: string;
  shardId: number;
  /** Whether its socket is open (a session whose socket closed stays resumable). */
  connected: boolean;
  /** The dispatches it was sent (or buffered) that are still in its replay buffer, oldest first. */
  dispatches: Array<{ s: number; t: string; id?: string; guildId?: string }>;
}

/** Serves Discord's gateway protocol to any number of connections. */
export class GatewayServer {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sessions = new Map<string, Session>();
  private readonly sockets = new Set<WebSocket>();

  constructor(private readonly options: GatewayOptions) {
    this.wss.on("connection", (socket) => this.onConnection(socket));
  }

  /** Hands an HTTP upgrade on a gateway path to the WebSocket server. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(request, socket, head, (ws) => this.wss.emit("connection", ws, request));
  }

  /** Number of sessions currently connected and identified (or resumed). */
  get liveSessionCount(): number {
    let count = 0;
    for (const session of this.sessions.values()) if (session.socket?.readyState === WebSocket.OPEN) count += 1;
    return count;
  }

  /** The sessions (live or resumable), in the order they identified. */
  sessionInfo(): GatewaySessionInfo[] {
    return [...this.sessions.values()].map((session) => ({
      sessionId: session.id,
      shardId: session.shardId,
      connected: session.socket?.readyState === WebSocket.OPEN,
      dispatches: session.history.map((frame) => {
        const d = (frame.d ?? {}) as Record<string, unknown>;
        return {
          s: frame.s,
          t: frame.t,
          ...(typeof d["id"] === "string" ? { id: d["id"] } : {}),
          ...(typeof d["guild_id"] === "string" ? { guildId: d["guild_id"] } : {}),
        };
      }),
    }));
  }

  /**
   * Sends a dispatch to the sessions of the shard it belongs to: the shard of its `guild_id`, or shard 0 when it
   * has none. A session whose socket is gone (client reconnecting) buffers it, and the client gets it on RESUME,
   * as on Discord.
   */
  dispatch(t: string, d: unknown): void {
    const guildId = (d as { guild_id?: unknown } | null)?.guild_id;
    const shardId = typeof guildId === "string" && /^\d+$/.test(guildId) ? shardOf(guildId, this.options.shardCount) : 0;
    for (const session of this.sessions.values()) if (session.shardId === shardId) this.dispatchTo(session, t, d);
  }

  /**
   * Sends op 7 RECONNECT to every connected session, or only to those of one shard; discord.js closes with 4200
   * and RESUMEs on a new socket.
   */
  requestReconnect(shardId?: number): void {
    for (const session of this.sessions.values()) {
      if (shardId !== undefined && session.shardId !== shardId) continue;
      if (session.socket) this.send(session.socket, { op: GatewayOpcodes.Reconnect, d: null, s: null, t: null });
    }
  }

  /** Terminates every connection. */
  async close(): Promise<void> {
    for (const socket of this.sockets) socket.terminate();
    this.sockets.clear();
    this.sessions.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private dispatchTo(session: Session, t: string, d: unknown): void {
    session.seq += 1;
    const frame: DispatchFrame = { op: GatewayOpcodes.Dispatch, s: session.seq, t, d };
    session.history.push(frame);
    if (session.history.length > REPLAY_BUFFER) session.history.shift();
    if (session.socket) this.send(session.socket, frame);
  }

  private send(socket: WebSocket, payload: unknown): void {
    if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(payload));
  }

  private tokenMatches(token: unknown): boolean {
    return typeof token === "string" && token.replace(/^Bot\s+/i, "") === this.options.token;
  }

  private onConnection(socket: WebSocket): void {
    this.sockets.add(socket);
    let session: Session | null = null;
    socket.on("message", (raw, isBinary) => {
      if (isBinary) {
        // Only JSON text frames are supported (no ETF, no zlib); Discord closes with 4002 on undecodable input.
        socket.close(GatewayCloseCodes.DecodeError, "Error while decoding payload.");
        return;
      }
      let payload: { op?: unknown; d?: unknown };
      try {
        payload = JSON.parse(raw.toString()) as { op?: unknown; d?: unknown };
      } catch {
        socket.close(GatewayCloseCodes.DecodeError, "Error while decoding payload.");
        return;
      }
      const d = (payload.d ?? {}) as Record<string, unknown>;
      switch (payload.op) {
        case GatewayOpcodes.Heartbeat:
          this.send(socket, { op: GatewayOpcodes.HeartbeatAck, d: null, s: null, t: null });
          return;
        case GatewayOpcodes.Identify: {
          if (session) {
            socket.close(GatewayCloseCodes.AlreadyAuthenticated, "You sent more than one identify payload.");
            return;
          }
          if (!this.tokenMatches(d["token"])) {
            socket.close(GatewayCloseCodes.AuthenticationFailed, "Authentication failed.");
            return;
          }
          if (this.disallowedIntents(d["intents"])) {
            socket.close(GatewayCloseCodes.DisallowedIntents, "Disallowed intent(s).");
            return;
          }
          const shard = this.checkShard(d["shard"]);
          if (typeof shard !== "number") {
            socket.close(shard.code, shard.reason);
            return;
          }
          session = this.identify(socket, shard);
          return;
        }
        case GatewayOpcodes.Resume: {
          if (!this.tokenMatches(d["token"])) {
            socket.close(GatewayCloseCodes.AuthenticationFailed, "Authentication failed.");
            return;
          }
          session = this.resume(socket, d);
          return;
        }
        case GatewayOpcodes.RequestGuildMembers: {
          if (!session) break;
          this.dispatchTo(session, "GUILD_MEMBERS_CHUNK", {
            guild_id: d["guild_id"],
            members: this.options.guildMembers(d),
            chunk_index: 0,
            chunk_count: 1,
            not_found: [],
            nonce: d["nonce"],
          });
          return;
        }
        case GatewayOpcodes.PresenceUpdate:
        case GatewayOpcodes.VoiceStateUpdate:
          if (!session) break;
          return;
        default:
          socket.close(GatewayCloseCodes.UnknownOpcode, "Unknown opcode.");
          return;
      }
      socket.close(GatewayCloseCodes.NotAuthenticated, "Not authenticated.");
    });
    socket.on("close", (code) => {
      this.sockets.delete(socket);
      if (session && session.socket === socket) {
        session.socket = null;
        // A normal close (1000/1001) ends the session on Discord; other codes (discord.js uses 4200) keep it
        // resumable.
        if (code === 1000 || code === 1001) this.sessions.delete(session.id);
      }
    });
    socket.on("error", () => {
      // A client vanishing mid-frame is normal during teardown; the close handler does the bookkeeping.
    });
    this.send(socket, { op: GatewayOpcodes.Hello, d: { heartbeat_interval: this.options.heartbeatIntervalMs }, s: null, t: null });
  }

  /** Whether an IDENTIFY's intents ask for a privileged intent the application has not been granted. */
  private disallowedIntents(intents: unknown): boolean {
    const allowed = this.options.allowedPrivilegedIntents;
    if (allowed === undefined) return false;
    const privileged = GatewayIntentBits.GuildMembers | GatewayIntentBits.GuildPresences | GatewayIntentBits.MessageContent;
    return (Number(intents ?? 0) & privileged & ~allowed) !== 0;
  }

  /** The shard id an IDENTIFY's `shard` field names, or the close Discord answers a missing or invalid one with. */
  private checkShard(shard: unknown): number | { code: number; reason: string } {
    const count = this.options.shardCount;
    if (shard === undefined || shard === null) {
      return count === 1 ? 0 : { code: GatewayCloseCodes.ShardingRequired, reason: "Sharding required." };
    }
    const [id, total] = Array.isArray(shard) && shard.length === 2 ? (shard as unknown[]) : [];
    if (!Number.isInteger(id) || total !== count || (id as number) < 0 || (id as number) >= count) {
      return { code: GatewayCloseCodes.InvalidShard, reason: "Invalid shard." };
    }
    return id as number;
  }

  private identify(socket: WebSocket, shardId: number): Session {
    // A fresh IDENTIFY for a shard retires that shard's sessions nobody is connected to (a crashed process's);
    // a session that is still connected keeps receiving, as two bot instances on one shard do on Discord.
    for (const [id, old] of this.sessions) if (old.shardId === shardId && !old.socket) this.sessions.delete(id);
    const session: Session = { id: randomBytes(16).toString("hex"), shardId, seq: 0, history: [], socket };
    this.sessions.set(session.id, session);
    this.dispatchTo(session, "READY", {
      ...this.options.readyPayload(shardId),
      session_id: session.id,
      resume_gateway_url: this.options.resumeUrl(),
    });
    for (const guild of this.options.guildCreatePayloads(shardId)) this.dispatchTo(session, "GUILD_CREATE", guild);
    this.options.onSessionLive?.(session.id, false, shardId);
    return session;
  }

  private resume(socket: WebSocket, d: Record<string, unknown>): Session | null {
    const session = typeof d["session_id"] === "string" ? this.sessions.get(d["session_id"]) : undefined;
    if (!session) {
      // d: false tells the client the session cannot be resumed and it must IDENTIFY afresh.
      this.send(socket, { op: GatewayOpcodes.InvalidSession, d: false, s: null, t: null });
      return null;
    }
    const seq = typeof d["seq"] === "number" ? d["seq"] : 0;
    if (seq > session.seq) {
      socket.close(GatewayCloseCodes.InvalidSeq, "Invalid seq.");
      return null;
    }
    const previous = session.socket;
    session.socket = socket;
    if (previous && previous !== socket) previous.terminate();
    for (const frame of session.history) if (frame.s > seq) this.send(socket, frame);
    this.dispatchTo(session, "RESUMED", {});
    this.options.onSessionLive?.(session.id, true, session.shardId);
    return session;
  }
}
