/**
 * `npm run playground`, and `npm start` without a DISCORD_TOKEN: opens the index (building it if there is none),
 * starts the playground, prints its address, and runs until Ctrl+C or SIGTERM.
 */
import type { Writable } from "node:stream";
import type { Config } from "../config.ts";
import { createLogger } from "../log.ts";
import { buildIndexIfMissing, openApp } from "./engine.ts";
import { playgroundConfig, startPlayground } from "./playground.ts";

export async function runPlayground(environment: Config, options: { out?: Writable; reason?: string } = {}): Promise<number> {
  const out = options.out ?? process.stdout;
  const config = playgroundConfig(environment);
  const logger = createLogger(config.LOG_LEVEL);
  process.on("unhandledRejection", (error) => logger.error({ event: "unhandled_rejection", err: String(error).slice(0, 200) }, "unhandled rejection"));
  if (options.reason) out.write(`${options.reason}\n`);
  out.write("Starting the Docent playground (the first run builds the index from the knowledge pages)…\n");
  const app = await openApp(config);
  await buildIndexIfMissing(app, (text) => logger.info(text)).catch((error: unknown) => {
    app.close();
    throw error;
  });
  const playground = await startPlayground({ app, logger });
  out.write(
    `${[
      "",
      `  Docent playground: ${playground.url}`,
      "",
      "  The real Docent bot, logged in to a Discord stand-in on this machine. Open the address in a browser and",
      `  mention @${playground.bot.client.user?.username ?? "Docent"} or use /ask in #general. Answers are mirrored to #docent-review.`,
      "  Listening on 127.0.0.1 only; nothing reaches Discord and nothing is kept after it stops. Ctrl+C stops it.",
      "",
    ].join("\n")}\n`,
  );
  const stop = async (signal: string): Promise<void> => {
    logger.info({ event: "shutdown", signal }, "shutting down");
    await playground.stop();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop("SIGINT"));
  process.once("SIGTERM", () => void stop("SIGTERM"));
  return new Promise<number>(() => {});
}
