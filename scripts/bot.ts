/**
 * `npm start`: the Discord bot. Composition root: config and logger, then the bot, until a signal stops it.
 * Without a DISCORD_TOKEN it starts the local playground instead (the same bot against a Discord stand-in).
 * With SHARD_COUNT it runs discord.js's ShardingManager instead, one `scripts/shard.ts` process per shard.
 */
import "../src/cli/quiet-native-logs.ts";
import { fileURLToPath } from "node:url";
import { runCli } from "../src/cli/run-cli.ts";
import { loadConfig, requireDiscordToken } from "../src/config.ts";
import { buildIndexIfMissing, openApp } from "../src/app/engine.ts";
import { runPlayground } from "../src/app/run-playground.ts";
import { planShards, startShardingManager } from "../src/app/sharding.ts";
import { startDocentBot } from "../src/app/start-bot.ts";
import { createLogger } from "../src/log.ts";

runCli(async () => {
  const config = loadConfig();
  if (!config.DISCORD_TOKEN) {
    return runPlayground(config, { reason: "No DISCORD_TOKEN set: starting the local playground instead of Discord (put DISCORD_TOKEN in .env to run the real bot)." });
  }
  const token = requireDiscordToken(config);
  const logger = createLogger(config.LOG_LEVEL === "warn" ? "info" : config.LOG_LEVEL);
  process.on("unhandledRejection", (error) => logger.error({ event: "unhandled_rejection", err: String(error).slice(0, 200) }, "unhandled rejection"));
  // With shards, the token is checked and the shard count asked for before anything else.
  const plan = config.SHARD_COUNT === undefined ? null : await planShards(config, token);
  const app = await openApp(config);
  await buildIndexIfMissing(app, (text) => logger.info(text)).catch((error: unknown) => {
    app.close();
    throw error;
  });
  let bot: { stop(): Promise<void> };
  if (plan === null) bot = await startDocentBot({ app, logger, token });
  else {
    // Shards open the index themselves; it was built here, once, so they never ingest at the same time.
    app.close();
    bot = await startShardingManager({
      plan,
      logger,
      token,
      shardFile: fileURLToPath(new URL("./shard.ts", import.meta.url)),
      // Shard processes run the TypeScript entry under Node with tsx, as `npm start` does.
      execArgv: ["--import", import.meta.resolve("tsx")],
    });
  }
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
