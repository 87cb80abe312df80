/**
 * The playground, composed: a local Discord stand-in on loopback (the emulator the tests use), the real Docent bot
 * logged in to it through `startDocentBot` (same engine, discord.js client and handlers as production), and the
 * web page that shows its channels. Nothing here is stored beyond the process.
 */
import { randomBytes } from "node:crypto";
import type { Config } from "../config.ts";
import { type DiscordEmulator, startDiscordEmulator } from "../discord-emulator/emulator.ts";
import { DocentError } from "../errors.ts";
import type { Logger } from "../log.ts";
import {
  BOT_USER,
  FORUM_TAGS,
  GENERAL_CHANNEL_ID,
  HELP_FORUM_ID,
  MODERATORS_ROLE_ID,
  PLAYGROUND_GUILD_ID,
  playgroundGuild,
  REVIEW_CHANNEL_ID,
} from "../playground/playground-guild.ts";
import { type PlaygroundServer, startPlaygroundServer } from "../playground/web-server.ts";
import type { App } from "./engine.ts";
import { type RunningBot, startDocentBot } from "./start-bot.ts";

export interface Playground {
  /** The page, e.g. `http://localhost:3000`. */
  readonly url: string;
  readonly port: number;
  readonly emulator: DiscordEmulator;
  readonly bot: RunningBot;
  /** The configuration the bot runs with (the environment's, with the playground's channels filled in). */
  readonly config: Config;
  readonly server: PlaygroundServer;
  stop(): Promise<void>;
}

/**
 * The playground's own cooldown where the user's environment sets none: one person asking again in a local sandbox
 * is not a flood to slow down. A COOLDOWN_SECONDS in `.env` still applies.
 */
export const PLAYGROUND_COOLDOWN_SECONDS = 0;

/**
 * The bot's configuration for the playground: the environment's settings as they are (index, providers, cooldown,
 * queue), with what only makes sense for this local server filled in: its guild, #general as the channel where
 * mentions are answered, #docent-review as the review channel, its Moderators role, and #help-forum as a forum
 * whose posts are answered unasked. Derived from the
 * configuration the entry point parsed, so the environment is read once. Where the user set no COOLDOWN_SECONDS,
 * the playground's own default applies ({@link PLAYGROUND_COOLDOWN_SECONDS}).
 */
export function playgroundConfig(config: Config): Config {
  return Object.freeze({
    ...config,
    COOLDOWN_SECONDS: config.COOLDOWN_SECONDS ?? PLAYGROUND_COOLDOWN_SECONDS,
    DISCORD_TOKEN: undefined,
    DISCORD_API_URL: undefined,
    DISCORD_GUILD_ID: PLAYGROUND_GUILD_ID,
    ALLOWED_CHANNEL_IDS: `${GENERAL_CHANNEL_ID},${HELP_FORUM_ID}`,
    REVIEW_CHANNEL_ID,
    MODERATOR_ROLE_IDS: MODERATORS_ROLE_ID,
    // #help-forum is answered unasked, with the forum's own tag names unless the user named others.
    FORUM_CHANNEL_IDS: HELP_FORUM_ID,
    FORUM_ANSWERED_TAG: config.FORUM_ANSWERED_TAG ?? FORUM_TAGS[0].name,
    FORUM_NEEDS_HUMAN_TAG: config.FORUM_NEEDS_HUMAN_TAG ?? FORUM_TAGS[1].name,
    FORUM_SOLVED_TAG: config.FORUM_SOLVED_TAG ?? FORUM_TAGS[2].name,
  });
}

/**
 * Starts the stand-in, logs the bot in to it and serves the page. `app` is opened with {@link playgroundConfig}'s
 * configuration and its index is built; the playground takes it over (`stop()`, or a failed start, closes it).
 */
export async function startPlayground(options: { app: App; logger: Logger; port?: number }): Promise<Playground> {
  const { app, logger } = options;
  const { config } = app;
  const port = options.port ?? config.PLAYGROUND_PORT;
  // A throwaway token: the stand-in checks it like Discord would, and it is worthless anywhere else.
  const token = `playground.${randomBytes(18).toString("base64url")}`;
  const emulator = await startDiscordEmulator({ botToken: token, botUser: BOT_USER, guilds: [playgroundGuild] }).catch((error: unknown) => {
    app.close();
    throw error;
  });
  let bot: RunningBot | undefined;
  try {
    bot = await startDocentBot({ app, logger, token, restApiUrl: emulator.restApiUrl });
    // The review channel is always set here (playgroundConfig), so the review pane is always there.
    const server = await startPlaygroundServer({ emulator, port, logger }).catch((error: unknown) => {
      if ((error as { code?: unknown }).code === "EADDRINUSE") {
        throw new DocentError("PORT_IN_USE", `PLAYGROUND_PORT ${port} is already in use on 127.0.0.1.`, {
          hint: "Stop what uses it, or set PLAYGROUND_PORT to another port (0 picks a free one).",
          cause: error,
        });
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
    // A started bot closes the app when it stops; a bot that failed to start has closed it already.
    await bot?.stop().catch(() => {});
    await emulator.close();
    throw error;
  }
}
