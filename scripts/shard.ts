/**
 * One shard of the bot, spawned by the sharding manager (`npm start` with SHARD_COUNT): the same bot as a single
 * process, with the shard id and count discord.js reads from the variables the manager sets. Exits when the
 * manager asks (SIGTERM) or goes away (its IPC channel closes), so no shard outlives it.
 */
import "../src/cli/quiet-native-logs.ts";
import { runCli } from "../src/cli/run-cli.ts";
import { loadConfig, requireDiscordToken } from "../src/config.ts";
import { openApp } from "../src/app/engine.ts";
import { startDocentBot } from "../src/app/start-bot.ts";
import { createLogger } from "../src/log.ts";

runCli(async () => {
  const config = loadConfig();
  const token = requireDiscordToken(config);
  const logger = createLogger(config.LOG_LEVEL === "warn" ? "info" : config.LOG_LEVEL);
  process.on("unhandledRejection", (error) => logger.error({ event: "unhandled_rejection", err: String(error).slice(0, 200) }, "unhandled rejection"));
  // The manager built the index before it spawned any shard.
  const bot = await startDocentBot({ app: await openApp(config), logger, token, managedShard: true });
  let stopping = false;
  const stop = async (reason: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ event: "shutdown", reason, shard: (bot.client.options.shards as number[])[0], pid: process.pid }, "shard shutting down");
    await bot.stop();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop("SIGINT"));
  process.once("SIGTERM", () => void stop("SIGTERM"));
  process.once("disconnect", () => void stop("manager gone"));
  return new Promise<number>(() => {});
});
