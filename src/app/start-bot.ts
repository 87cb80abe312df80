import { type Client, Status } from "discord.js";
import { allowedChannelIds, DEFAULT_COOLDOWN_SECONDS, forumConfig, moderatorRoleIds } from "../config.ts";
import { createDiscordClient } from "../discord/create-client.ts";
import { teeMetrics } from "../discord/bot-metrics.ts";
import { ForumHealth } from "../discord/forum/forum-health.ts";
import { attachHandlers } from "../discord/handlers.ts";
import { InFlight } from "../discord/in-flight.ts";
import { renderStatus } from "../discord/index-status.ts";
import { LoadControl } from "../discord/load-control.ts";
import { loginOrExplain } from "../discord/login.ts";
import type { Logger } from "../log.ts";
import { type App, createEngine, type Engine } from "./engine.ts";
import { type Health, type HealthServer, startHealthServer } from "./health-server.ts";
import { startOperatorWarnings } from "./operator-warnings.ts";
import { createPrometheusMetrics, type IndexSnapshot } from "./prometheus-metrics.ts";

/** How often the index version and age (for the gauges and the staleness warning) are read again. */
const INDEX_SNAPSHOT_MS = 60_000;
/** After the grace period, how long the askers' "restarting" notices get to go out before the gateway closes. */
const NOTICE_MS = 5_000;
/** A health check that waits longer than this on the index calls it unreadable. */
const INDEX_CHECK_MS = 5_000;

export interface RunningBot {
  client: Client;
  engine: Engine;
  /** Where GET /healthz and GET /metrics are served; null without METRICS_PORT. */
  metricsPort: number | null;
  /** Closes the metrics server early, so a successor process of the same shard can serve on its port. */
  releaseMetricsPort(): Promise<void>;
  /**
   * Graceful: new questions are told the bot is restarting, answers in flight get SHUTDOWN_GRACE_MS to finish
   * (then their askers are told it is restarting), then the gateway, the metrics server and the index close.
   */
  stop(): Promise<void>;
}

/**
 * Builds and logs in the bot over an opened app (its index already built): engine, load control, the discord.js
 * client and its handlers. Shared by `npm start` against Discord (one process, or each shard process of the
 * sharding manager with `managedShard`) and the local playground, so all run exactly the same bot. It takes the
 * app over: `stop()`, or a failed start, closes it.
 */
export async function startDocentBot(options: {
  app: App;
  logger: Logger;
  token: string;
  restApiUrl?: string | undefined;
  globalRequestsPerSecond?: number;
  managedShard?: boolean;
  /** During a rolling restart of its shard: whether this process handles an event (src/app/shard-handover.ts). */
  claim?: (eventId: string) => Promise<boolean>;
}): Promise<RunningBot> {
  const { app, logger } = options;
  const { config } = app;
  const engine = await createEngine(app, { logger }).catch((error: unknown) => {
    app.close();
    throw error;
  });
  const client = createDiscordClient({
    restApiUrl: options.restApiUrl ?? config.DISCORD_API_URL,
    ...(options.globalRequestsPerSecond ? { globalRequestsPerSecond: options.globalRequestsPerSecond } : {}),
    ...(options.managedShard ? { managedShard: true } : {}),
  });
  // A shard's log lines carry its id, so the lines of several shard processes can be told apart.
  const shardIds = client.options.shards as number[];
  const botLogger = options.managedShard ? logger.child({ shard: shardIds.length === 1 ? shardIds[0] : shardIds }) : logger;
  const load = new LoadControl({
    cooldownMs: (config.COOLDOWN_SECONDS ?? DEFAULT_COOLDOWN_SECONDS) * 1000,
    maxConcurrent: config.MAX_CONCURRENT_ANSWERS,
    maxQueued: config.MAX_QUEUED_QUESTIONS,
  });
  const review = { channelId: config.REVIEW_CHANNEL_ID ?? null, mode: config.REVIEW_MODE, moderatorRoleIds: moderatorRoleIds(config) };
  const forum = { settings: forumConfig(config), health: new ForumHealth(botLogger) };
  const describeStatus = async () =>
    [
      renderStatus(await app.store.status(), {
        answerer: config.LLM_PROVIDER,
        retrieval: config.RETRIEVAL_MODE,
        reviewMode: config.REVIEW_MODE,
        reviewChannelId: review.channelId,
      }),
      ...forum.health.statusLines(forum.settings.forumChannelIds),
    ].join("\n");
  const shard = options.managedShard ? shardIds[0] : undefined;
  const ops = await startOperations({ app, client, load, logger: botLogger, shard });
  const inFlight = new InFlight();
  attachHandlers(client, {
    engine,
    load,
    logger: botLogger,
    allowedChannels: allowedChannelIds(config),
    review,
    describeStatus,
    forum,
    metrics: ops.metrics,
    inFlight,
    ...(options.claim ? { claim: options.claim } : {}),
  });
  try {
    await loginOrExplain(client, options.token);
  } catch (error) {
    await client.destroy();
    await ops.close();
    app.close();
    throw error;
  }
  botLogger.info(
    { event: "ready", user: client.user?.tag, guilds: client.guilds.cache.size, shardCount: client.options.shardCount, pid: process.pid },
    "Docent is online",
  );
  let stopped: Promise<void> | null = null;
  const stop = async () => {
    ops.stopping = true;
    load.stopAdmitting();
    const graceMs = config.SHUTDOWN_GRACE_MS;
    botLogger.info({ event: "draining", inFlight: inFlight.size, graceMs }, "taking no new questions; finishing the answers in flight");
    const finished = await inFlight.idle(graceMs);
    if (!finished) {
      botLogger.warn({ event: "drain_timeout", inFlight: inFlight.size, graceMs }, "answers still running after SHUTDOWN_GRACE_MS: telling their askers");
      load.abandon();
      await inFlight.idle(NOTICE_MS);
    }
    await client.destroy();
    await ops.close();
    app.close();
    botLogger.info({ event: "stopped", finished }, "Docent stopped");
  };
  return {
    client,
    engine,
    metricsPort: ops.port,
    releaseMetricsPort: () => ops.closeServer(),
    stop() {
      stopped ??= stop();
      return stopped;
    },
  };
}

/**
 * What operators see: the index snapshot (read every minute), the log warnings, and with METRICS_PORT the
 * Prometheus metrics and the health endpoint (shard k of a sharded bot on METRICS_PORT + k).
 */
async function startOperations(options: { app: App; client: Client; load: LoadControl; logger: Logger; shard: number | undefined }) {
  const { app, client, load, logger, shard } = options;
  const { config } = app;
  let index: IndexSnapshot | null = null;
  const readIndex = async () => {
    try {
      const status = await app.store.status();
      index = { version: status.version, lastIngestAt: status.lastIngestAt ? Date.parse(status.lastIngestAt) : null };
    } catch (error) {
      logger.warn({ event: "index_status_failed", err: String((error as Error).message).slice(0, 200) }, "could not read the index status");
    }
  };
  await readIndex();
  const indexTimer = setInterval(() => void readIndex(), INDEX_SNAPSHOT_MS);
  indexTimer.unref();
  const warnings = startOperatorWarnings({
    logger,
    queue: () => load.stats,
    maxQueued: config.MAX_QUEUED_QUESTIONS,
    index: () => index,
    indexMaxAgeHours: config.INDEX_MAX_AGE_HOURS,
  });
  const prometheus = config.METRICS_PORT === undefined ? null : createPrometheusMetrics({ load, index: () => index, shard });
  const state = { stopping: false, port: null as number | null, metrics: teeMetrics(warnings.metrics, ...(prometheus ? [prometheus.metrics] : [])) };
  const health = async (): Promise<Health> => {
    const reasons: string[] = [];
    if (state.stopping) reasons.push("shutting down");
    // The manager's own status stays Ready after the first login; each shard's says whether it is connected now.
    const shards = [...client.ws.shards.values()];
    const down = shards.find((s) => s.status !== Status.Ready);
    const gateway = shards.length === 0 ? Status.Idle : (down?.status ?? Status.Ready);
    if (gateway !== Status.Ready) reasons.push(`gateway not connected (${Status[gateway] ?? gateway})`);
    let indexVersion: number | null = null;
    try {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${INDEX_CHECK_MS} ms`)), INDEX_CHECK_MS);
      });
      const info = await Promise.race([app.store.info(), late]).finally(() => clearTimeout(timer));
      if (info === null) reasons.push("index missing");
      else indexVersion = info.version;
    } catch (error) {
      reasons.push(`index does not open (${String((error as Error).message).slice(0, 120)})`);
    }
    return { ok: reasons.length === 0, reasons, details: { ...(shard !== undefined ? { shard } : {}), gateway: Status[gateway] ?? gateway, indexVersion } };
  };
  let server: HealthServer | null = null;
  if (prometheus && config.METRICS_PORT !== undefined) {
    const port = config.METRICS_PORT === 0 ? 0 : config.METRICS_PORT + (shard ?? 0);
    try {
      server = await startHealthServer({ host: config.METRICS_HOST, port, registry: prometheus.registry, health });
    } catch (error) {
      clearInterval(indexTimer);
      warnings.stop();
      app.close();
      throw error;
    }
    state.port = server.port;
    logger.info({ event: "metrics_listening", host: config.METRICS_HOST, port: server.port }, "serving /healthz and /metrics");
  }
  return {
    get metrics() {
      return state.metrics;
    },
    get port() {
      return state.port;
    },
    set stopping(value: boolean) {
      state.stopping = value;
    },
    async closeServer() {
      const closing = server;
      server = null;
      await closing?.close();
    },
    async close() {
      clearInterval(indexTimer);
      warnings.stop();
      await this.closeServer();
    },
  };
}
