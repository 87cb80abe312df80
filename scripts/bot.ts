/** `npm start`: the Discord bot. Composition root: config and logger, then the bot, until a signal stops it. */
import "../src/cli/quiet-native-logs.ts";
import { runCli } from "../src/cli/run-cli.ts";
import { loadConfig, requireDiscordToken } from "../src/config.ts";
import { startDocentBot } from "../src/discord/start-bot.ts";
import { createLogger } from "../src/log.ts";

runCli(async () => {
  const config = loadConfig();
  const token = requireDiscordToken(config);
  const logger = createLogger(config.LOG_LEVEL === "warn" ? "info" : config.LOG_LEVEL);
  process.on("unhandledRejection", (error) => logger.error({ event: "unhandled_rejection", err: String(error).slice(0, 200) }, "unhandled rejection"));
  const bot = await startDocentBot({ config, logger, token });
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
