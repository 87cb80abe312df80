/**
 * The playground, composed: a local Discord stand-in on loopback (the emulator the tests use), the real Docent bot
 * logged in to it through `startDocentBot` (same engine, discord.js client and handlers as production), and the
 * web page that shows its channels. Nothing here is stored beyond the process.
 */
import { randomBytes } from "node:crypto";
import { type Config, parseConfig } from "../config.ts";
import { type DiscordEmulator, startDiscordEmulator } from "../discord-emulator/emulator.ts";
import { type RunningBot, startDocentBot } from "../discord/start-bot.ts";
import { DocentError } from "../errors.ts";
import { createLogger, type Logger } from "../log.ts";
import { BOT_USER, GENERAL_CHANNEL_ID, MODERATORS_ROLE_ID, PLAYGROUND_GUILD_ID, playgroundGuild, REVIEW_CHANNEL_ID } from "./playground-guild.ts";
import { type PlaygroundServer, startPlaygroundServer } from "./web-server.ts";

export interface Playground {
  /** The page, e.g. `http://localhost:3000`. */
  readonly url: string;
  readonly port: number;
  readonly emulator: DiscordEmulator;
  readonly bot: RunningBot;
  /** The configuration the bot runs with (the environment's, with the playground's channels filled in). */
  readonly config: Config;
  /** Whether this build of the bot has a review channel setting (REVIEW_CHANNEL_ID) and so mirrors to #docent-review. */
  readonly reviewAvailable: boolean;
  readonly server: PlaygroundServer;
  stop(): Promise<void>;
}

/**
 * The bot's configuration for the playground: the environment's settings as they are (index, providers, cooldown,
 * queue), with what only makes sense for this local server filled in: its guild, #general as the channel where
 * mentions are answered, #docent-review as the review channel, and its Moderators role. Keys this build of the bot
 * does not know are dropped by the schema, so older builds simply run without a review channel.
 */
export function playgroundConfig(env: Record<string, string | undefined>): { config: Config; reviewAvailable: boolean } {
  const config = parseConfig({
    ...env,
    DISCORD_TOKEN: "",
    DISCORD_API_URL: "",
    DISCORD_GUILD_ID: PLAYGROUND_GUILD_ID,
    ALLOWED_CHANNEL_IDS: GENERAL_CHANNEL_ID,
    REVIEW_CHANNEL_ID,
    MODERATOR_ROLE_IDS: MODERATORS_ROLE_ID,
  });
  return { config, reviewAvailable: (config as Record<string, unknown>)["REVIEW_CHANNEL_ID"] === REVIEW_CHANNEL_ID };
}

export async function startPlayground(options: { env: Record<string, string | undefined>; port?: number; logger?: Logger }): Promise<Playground> {
  const { config, reviewAvailable } = playgroundConfig(options.env);
  const logger = options.logger ?? createLogger(config.LOG_LEVEL);
  const port = options.port ?? config.PLAYGROUND_PORT;
  // A throwaway token: the stand-in checks it like Discord would, and it is worthless anywhere else.
  const token = `playground.${randomBytes(18).toString("base64url")}`;
  const emulator = await startDiscordEmulator({ botToken: token, botUser: BOT_USER, guilds: [playgroundGuild] });
  let bot: RunningBot | undefined;
  try {
    bot = await startDocentBot({ config, logger, token, restApiUrl: emulator.restApiUrl });
    const server = await startPlaygroundServer({ emulator, port, reviewAvailable, logger }).catch((error: unknown) => {
      if ((error as { code?: unknown }).code === "EADDRINUSE") {
        throw new DocentError("CONFIG_INVALID", `PLAYGROUND_PORT ${port} is already in use on 127.0.0.1.`, { hint: "Stop what uses it, or set PLAYGROUND_PORT to another port (0 picks a free one).", cause: error });
      }
      throw error;
    });
    const running = bot;
    let stopped: Promise<void> | undefined;
    return {
      url: server.url,
      port: server.port,
      emulator,
      bot: running,
      config,
      reviewAvailable,
      server,
      stop() {
        stopped ??= (async () => {
          await server.close();
          // The client first, or discord.js tries to reconnect to the closing stand-in.
          await running.stop();
          await emulator.close();
        })();
        return stopped;
      },
    };
  } catch (error) {
    await bot?.stop().catch(() => {});
    await emulator.close();
    throw error;
  }
}
