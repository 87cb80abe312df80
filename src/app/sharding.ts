/**
 * `npm start` with SHARD_COUNT: discord.js's ShardingManager runs one process per shard (the shard entry script,
 * which starts the same bot as a single process does). Discord sends each shard the events of the guilds
 * `(guild_id >> 22) % shardCount` maps to it, so every message reaches exactly one shard and is answered once.
 * A shard that exits is spawned again; the manager logs spawns, readiness, deaths and reconnects with shard ids
 * and process ids, never message content.
 */
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { DiscordAPIError, REST, Routes, type Shard, ShardingManager } from "discord.js";
import type { Config } from "../config.ts";
import { DocentError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { HandoverDesk } from "./shard-handover.ts";

/** The argument a successor shard process is started with (see src/app/shard-handover.ts). */
export const SUCCESSOR_ARG = "--successor";

/** Discord allows one IDENTIFY per 5 s per concurrency bucket; discord.js's default spacing between shards. */
const IDENTIFY_SPACING_MS = 5_500;
/** How long a shard may take from spawn to ready (opening the index, logging in, receiving its guilds). */
const SHARD_READY_TIMEOUT_MS = 60_000;

export interface RunningManager {
  manager: ShardingManager;
  /** Stops respawning, asks every shard to shut down (SIGTERM) and waits for them. */
  stop(): Promise<void>;
}

interface GatewayBot {
  shards: number;
  session_start_limit: { max_concurrency: number };
}

/** How many shards to run and how far apart to start them. */
export interface ShardPlan {
  totalShards: number;
  /** The count Discord recommends for the bot's guilds. */
  recommended: number;
  maxConcurrency: number;
  /** Milliseconds between two shard spawns. */
  delay: number;
}

/**
 * Asks `GET /gateway/bot` (through DISCORD_API_URL when set, so a REST proxy or a local stand-in is honoured) for
 * the recommended shard count and the IDENTIFY concurrency. Also proves the token before any shard starts, so a
 * rejected token stops the program instead of making shards die and respawn forever.
 */
export async function planShards(config: Config, token: string): Promise<ShardPlan> {
  const rest = new REST({ ...(config.DISCORD_API_URL ? { api: config.DISCORD_API_URL } : {}), timeout: 15_000 }).setToken(token);
  let gateway: GatewayBot;
  try {
    gateway = (await rest.get(Routes.gatewayBot())) as GatewayBot;
  } catch (error) {
    if (error instanceof DiscordAPIError && error.status === 401) {
      throw new DocentError("DISCORD_TOKEN_REJECTED", "Discord rejected DISCORD_TOKEN (authentication failed).", {
        hint: "Copy the bot token again from the Discord developer portal (Bot tab) into .env.",
        cause: error,
      });
    }
    throw new DocentError("DISCORD_UNAVAILABLE", `Could not ask Discord for the shard count (${String((error as Error).message).slice(0, 120)}).`, {
      hint: "Check the network and DISCORD_API_URL (leave it empty for discord.com).",
      cause: error,
    });
  }
  const totalShards = config.SHARD_COUNT === "auto" ? gateway.shards : (config.SHARD_COUNT ?? 1);
  const maxConcurrency = Math.max(1, gateway.session_start_limit?.max_concurrency ?? 1);
  // Shards are spawned one after the other; shard k and k + maxConcurrency share an IDENTIFY bucket.
  return { totalShards, recommended: gateway.shards, maxConcurrency, delay: Math.ceil(IDENTIFY_SPACING_MS / maxConcurrency) };
}

/**
 * Starts the sharding manager over `shardFile` and resolves once every shard is ready. `execArgv` is what the
 * shard processes run Node with (e.g. `--import tsx` for a TypeScript entry). The index must exist already: the
 * entry point builds it once, before this, so shards starting together never ingest at the same time.
 */
export async function startShardingManager(options: {
  plan: ShardPlan;
  logger: Logger;
  token: string;
  shardFile: string;
  execArgv: string[];
  /** How long `stop()` waits for the shards to finish their answers (SHUTDOWN_GRACE_MS plus time to close). */
  stopTimeoutMs?: number;
}): Promise<RunningManager> {
  const { logger, token } = options;
  const { totalShards, recommended, maxConcurrency, delay } = options.plan;

  const manager = new ShardingManager(options.shardFile, { totalShards, token, respawn: true, mode: "process", execArgv: options.execArgv });
  const state = { stopping: false, handedOver: new WeakSet<Shard>() };
  const desk = new HandoverDesk();
  // A shard process sent SIGTERM alone (a rolling restart) is replaced successor-first: see shard-handover.ts.
  const startSuccessor = async (old: Shard) => {
    state.handedOver.add(old);
    // No respawn of the old process: it exits by itself once its answers are done (its second SIGTERM is ignored).
    old.kill();
    const successor = manager.createShard(old.id);
    successor.args = [...successor.args, SUCCESSOR_ARG];
    await successor.spawn(SHARD_READY_TIMEOUT_MS);
    return { send: (message: unknown) => successor.process?.send(message as object) };
  };
  manager.on("shardCreate", (shard: Shard) => {
    watchShard(shard, totalShards, logger, state);
    shard.on("spawn", (child) =>
      desk.serve(child as ChildProcess, shard.id, {
        stopping: () => state.stopping,
        startSuccessor: () => startSuccessor(shard),
        onEvent: (event) => logger.info({ event, shard: shard.id, totalShards }, "rolling restart of a shard"),
      }),
    );
  });
  logger.info({ event: "sharding_start", totalShards, recommended, maxConcurrency, spawnDelayMs: delay }, "starting shards");

  const stop = async (): Promise<void> => {
    state.stopping = true;
    manager.respawn = false;
    const exits: Array<Promise<unknown>> = [];
    for (const shard of manager.shards.values()) {
      const child = shard.process;
      if (!child || child.exitCode !== null || child.signalCode !== null) continue;
      exits.push(once(child, "exit"));
      // Shard#kill sends SIGTERM (the shard logs out and exits) and tells the shard not to respawn.
      shard.kill();
    }
    const timeout = new Promise((resolve) => setTimeout(resolve, options.stopTimeoutMs ?? 10_000).unref());
    await Promise.race([Promise.all(exits), timeout]);
  };

  try {
    await manager.spawn({ amount: totalShards, delay, timeout: SHARD_READY_TIMEOUT_MS });
  } catch (error) {
    await stop();
    throw new DocentError("SHARD_FAILED", `A shard failed to start (${String((error as Error).message).slice(0, 160)}).`, {
      hint: "The shard's own log lines above say why.",
      cause: error,
    });
  }
  logger.info({ event: "sharding_ready", totalShards }, "all shards ready");
  return { manager, stop };
}

/** Logs a shard's life cycle: ids, process ids and exit codes only. Quiet about the shutdown it was asked for. */
function watchShard(shard: Shard, totalShards: number, logger: Logger, state: { stopping: boolean; handedOver: WeakSet<Shard> }): void {
  const base = { shard: shard.id, totalShards };
  // Process mode: the shard's child is a ChildProcess.
  const proc = (child: unknown) => child as { pid?: number; exitCode?: number | null; signalCode?: string | null };
  shard.on("spawn", (child) => logger.info({ ...base, event: "shard_spawn", pid: proc(child).pid }, "shard process started"));
  shard.on("ready", () => logger.info({ ...base, event: "shard_ready", pid: shard.process?.pid }, "shard ready"));
  shard.on("death", (child) => {
    if (state.stopping) logger.info({ ...base, event: "shard_stop", pid: proc(child).pid }, "shard process stopping");
    else if (state.handedOver.has(shard)) logger.info({ ...base, event: "shard_handed_over", pid: proc(child).pid }, "old shard process finishing its answers");
    else
      logger.warn(
        { ...base, event: "shard_death", pid: proc(child).pid, exitCode: proc(child).exitCode, signal: proc(child).signalCode },
        "shard process exited; spawning it again",
      );
  });
  shard.on("disconnect", () => state.stopping || logger.warn({ ...base, event: "shard_disconnect" }, "shard disconnected from the gateway"));
  shard.on("reconnecting", () => state.stopping || logger.info({ ...base, event: "shard_reconnecting" }, "shard reconnecting"));
  shard.on("resume", () => logger.info({ ...base, event: "shard_resume" }, "shard resumed"));
  shard.on("error", (error: Error) => logger.error({ ...base, event: "shard_error", err: String(error.message).slice(0, 200) }, "shard error"));
}
