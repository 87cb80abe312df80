/**
 * `npm start`: the Discord bot. Composition root: config and logger, then the bot, until a signal stops it.
 * Without a DISCORD_TOKEN it starts the local playground instead (the same bot against a Discord stand-in).
 * With SHARD_COUNT it runs discord.js's ShardingManager instead, one `scripts/shard.ts` process per shard.
 * Each of the three loads only its own modules (the playground's emulator and web server, or discord.js's
 * manager), when it is chosen.
 */
import "../src/cli/quiet-native-logs.ts";
import { runCli } from "../src/cli/run-cli.ts";
import { siblingScript } from "../src/cli/sibling-script.ts";
import { loadConfig, requireDiscordToken } from "../src/config.ts";
import { createLogger } from "../src/log.ts";

runCli(async () => {
  const config = loadConfig();
  if (!config.DISCORD_TOKEN) {
    // Loaded only on the path taken: the playground, one bot, or the sharding manager.
    const { runPlayground } = await import("../src/app/run-playground.ts");
    return runPlayground(config, {
      reason: "No DISCORD_TOKEN set: starting the local playground instead of Discord (put DISCORD_TOKEN in .env to run the real bot).",
    });
  }
  const token = requireDiscordToken(config);
  // Before anything logs in: a setup that makes the bot useless stops here with its fix; `npm run doctor` checks all.
  await (await import("../src/app/doctor.ts")).runStartupChecks(config);
  const logger = createLogger(config.LOG_LEVEL === "warn" ? "info" : config.LOG_LEVEL);
  process.on("unhandledRejection", (error) => logger.error({ event: "unhandled_rejection", err: String(error).slice(0, 200) }, "unhandled rejection"));
  // With shards, the token is checked and the shard count asked for before anything else.
  const sharding = config.SHARD_COUNT === undefined ? null : await import("../src/app/sharding.ts");
  const plan = sharding === null ? null : await sharding.planShards(config, token);
  const { buildIndexIfMissing, openApp } = await import("../src/app/engine.ts");
  const app = await openApp(config);
  await buildIndexIfMissing(app, (text) => logger.info(text)).catch((error: unknown) => {
    app.close();
    throw error;
  });
  let bot: { stop(): Promise<void> };
  if (sharding === null || plan === null) {
    const { startDocentBot } = await import("../src/app/start-bot.ts");
    bot = await startDocentBot({ app, logger, token });
  } else {
    // Shards open the index themselves; it was built here, once, so they never ingest at the same time.
    app.close();
    // The shard entry beside this one, run the way this one runs (compiled, or the TypeScript source through tsx).
    const shard = siblingScript(import.meta.url, "shard");
    bot = await sharding.startShardingManager({
      plan,
      logger,
      token,
      shardFile: shard.file,
      execArgv: shard.execArgv,
      // A shard told to stop finishes its answers first (SHUTDOWN_GRACE_MS), then closes the gateway and the index.
      stopTimeoutMs: config.SHUTDOWN_GRACE_MS + 10_000,
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
