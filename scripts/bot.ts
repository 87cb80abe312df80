/** `npm start`: the Discord bot. Composition root: config, logger, engine, load control, client, handlers. */
import "../src/cli/quiet-native-logs.ts";
import { runCli } from "../src/cli/run-cli.ts";
import { allowedChannelIds, loadConfig, requireDiscordToken } from "../src/config.ts";
import { createEngine } from "../src/answer/create-engine.ts";
import { createDiscordClient } from "../src/discord/create-client.ts";
import { attachHandlers } from "../src/discord/handlers.ts";
import { LoadControl } from "../src/discord/load-control.ts";
import { loginOrExplain } from "../src/discord/login.ts";
import { createLogger } from "../src/log.ts";

runCli(async () => {
  const config = loadConfig();
  const token = requireDiscordToken(config);
  const logger = createLogger(config.LOG_LEVEL === "warn" ? "info" : config.LOG_LEVEL);
  const engine = await createEngine(config, { logger, ingestIfMissing: true, onNotice: (text) => logger.info(text) });
  const client = createDiscordClient({ restApiUrl: config.DISCORD_API_URL });
  const load = new LoadControl({ cooldownMs: config.COOLDOWN_SECONDS * 1000, maxConcurrent: config.MAX_CONCURRENT_ANSWERS, maxQueued: config.MAX_QUEUED_QUESTIONS });
  attachHandlers(client, { engine, load, logger, allowedChannels: allowedChannelIds(config) });

  const stop = async (signal: string) => {
    logger.info({ event: "shutdown", signal }, "shutting down");
    await client.destroy();
    engine.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop("SIGINT"));
  process.once("SIGTERM", () => void stop("SIGTERM"));
  process.on("unhandledRejection", (error) => logger.error({ event: "unhandled_rejection", err: String(error).slice(0, 200) }, "unhandled rejection"));

  await loginOrExplain(client, token);
  logger.info({ event: "ready", user: client.user?.tag, guilds: client.guilds.cache.size }, "Docent is online");
  // Keep running until a signal arrives.
  return new Promise<number>(() => {});
});
