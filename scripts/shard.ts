/**
 * One shard of the bot, spawned by the sharding manager (`npm start` with SHARD_COUNT): the same bot as a single
 * process, with the shard id and count discord.js reads from the variables the manager sets. Exits when the
 * manager asks (SIGTERM) or goes away (its IPC channel closes), so no shard outlives it.
 */
import "../src/cli/quiet-native-logs.ts";
import { runCli } from "../src/cli/run-cli.ts";
import { loadConfig, requireDiscordToken } from "../src/config.ts";
import { openApp } from "../src/app/engine.ts";
import { ShardHandover } from "../src/app/shard-handover.ts";
import { SUCCESSOR_ARG } from "../src/app/sharding.ts";
import { startDocentBot } from "../src/app/start-bot.ts";
import { createLogger } from "../src/log.ts";

/** How long a shard waits for its successor to be ready before it just drains (spawn, index, login). */
const HANDOVER_TIMEOUT_MS = 90_000;

runCli(async () => {
  const config = loadConfig();
  const token = requireDiscordToken(config);
  const logger = createLogger(config.LOG_LEVEL === "warn" ? "info" : config.LOG_LEVEL);
  process.on("unhandledRejection", (error) => logger.error({ event: "unhandled_rejection", err: String(error).slice(0, 200) }, "unhandled rejection"));
  // The manager built the index before it spawned any shard.
  // Started by a rolling restart: claims each event with its predecessor until that one has gone.
  const handover = new ShardHandover(process, { successor: process.argv.includes(SUCCESSOR_ARG) });
  const bot = await startDocentBot({ app: await openApp(config), logger, token, managedShard: true, claim: handover.claim });
  let stopping = false;
  const stop = async (reason: string) => {
    if (stopping) return;
    stopping = true;
    const shard = (bot.client.options.shards as number[])[0];
    logger.info({ event: "shutdown", reason, shard, pid: process.pid }, "shard shutting down");
    // SIGTERM to this shard alone is a rolling restart: a successor takes over before this one stops answering.
    // (When the whole manager stops, it answers that there is no successor.)
    // SIGINT (Ctrl-C in a terminal reaches the whole process group) stops without a successor.
    if (reason === "SIGTERM") {
      // The successor serves /healthz and /metrics on this shard's port.
      await bot.releaseMetricsPort();
      const handedOver = await handover.handOver(HANDOVER_TIMEOUT_MS);
      logger.info({ event: "handover", handedOver, shard, pid: process.pid }, handedOver ? "successor ready: finishing the answers in flight" : "no successor");
    }
    await bot.stop();
    process.exit(0);
  };
  // `on`, not `once`: the manager sends a second SIGTERM during a handover, which must not kill the process.
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.once("disconnect", () => void stop("manager gone"));
  return new Promise<number>(() => {});
});
