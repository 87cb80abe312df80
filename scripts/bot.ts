/**
 * `npm start`: the Discord bot. Composition root: config and logger, then the bot, until a signal stops it.
 * Without a DISCORD_TOKEN it starts the local playground instead (the same bot against a Discord stand-in).
 * With SHARD_COUNT it runs discord.js's ShardingManager instead, one `scripts/shard.ts` process per shard.
 * Each of the three loads only its own modules (the playground's emulator and web server, or discord.js's
 * manager), when it is chosen.
 */
import "../src/cli/quiet-native-logs.ts";
import { fileURLToPath } from "node:url";
import { runCli } from "../src/cli/run-cli.ts";
import { type Config, loadConfig, requireDiscordToken } from "../src/config.ts";
import { createLogger, type Logger } from "../src/log.ts";

runCli(async () => {
  const config = loadConfig();
  if (!config.DISCORD_TOKEN) {
    const { runPlayground } = await import("../src/playground/run-playground.ts");
    return runPlayground(process.env, { reason: "No DISCORD_TOKEN set: starting the local playground instead of Discord (put DISCORD_TOKEN in .env to run the real bot)." });
  }
  const token = requireDiscordToken(config);
  const logger = createLogger(config.LOG_LEVEL === "warn" ? "info" : config.LOG_LEVEL);
  process.on("unhandledRejection", (error) => logger.error({ event: "unhandled_rejection", err: String(error).slice(0, 200) }, "unhandled rejection"));
  const bot = config.SHARD_COUNT === undefined ? await startOneProcess(config, logger, token) : await startShards(config, logger, token);
  const stop = async (signal: string) => {
    logger.info({ event: "shutdown", signal }, "shutting down");
    await bot.stop();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop("SIGINT"));
  process.once("SIGTERM", () => void stop("SIGTERM"));
  // Keep running until a signal arrives.
  return new Promise<number>(() => {});
});

async function startOneProcess(config: Config, logger: Logger, token: string) {
  const { startDocentBot } = await import("../src/discord/start-bot.ts");
  return startDocentBot({ config, logger, token });
}

async function startShards(config: Config, logger: Logger, token: string) {
  const { startShardingManager } = await import("../src/discord/sharding.ts");
  // The shard entry beside this one, run the way this one runs: shard.js from the build (npm start), or
  // shard.ts with tsx (the tests run the TypeScript entry points).
  const compiled = import.meta.url.endsWith(".js");
  return startShardingManager({
    config,
    logger,
    token,
    shardFile: fileURLToPath(new URL(compiled ? "./shard.js" : "./shard.ts", import.meta.url)),
    execArgv: compiled ? [] : ["--import", import.meta.resolve("tsx")],
  });
}
