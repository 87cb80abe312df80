import type { Client } from "discord.js";
import { allowedChannelIds, DEFAULT_COOLDOWN_SECONDS, forumConfig, moderatorRoleIds } from "../config.ts";
import { createDiscordClient } from "../discord/create-client.ts";
import { ForumHealth } from "../discord/forum/forum-health.ts";
import { attachHandlers } from "../discord/handlers.ts";
import { renderStatus } from "../discord/index-status.ts";
import { LoadControl } from "../discord/load-control.ts";
import { loginOrExplain } from "../discord/login.ts";
import type { Logger } from "../log.ts";
import { type App, createEngine, type Engine } from "./engine.ts";

export interface RunningBot {
  client: Client;
  engine: Engine;
  stop(): Promise<void>;
}

/**
 * Builds and logs in the bot over an opened app (its index already built): engine, load control, the discord.js
 * client and its handlers. Shared by `npm start` against Discord (one process, or each shard process of the
 * sharding manager with `managedShard`) and the local playground, so all run exactly the same bot. It takes the
 * app over: `stop()`, or a failed start, closes it.
 */
export async function startDocentBot(options: {
  app: App;
  logger: Logger;
  token: string;
  restApiUrl?: string | undefined;
  globalRequestsPerSecond?: number;
  managedShard?: boolean;
}): Promise<RunningBot> {
  const { app, logger } = options;
  const { config } = app;
  const engine = await createEngine(app, { logger }).catch((error: unknown) => {
    app.close();
    throw error;
  });
  const client = createDiscordClient({
    restApiUrl: options.restApiUrl ?? config.DISCORD_API_URL,
    ...(options.globalRequestsPerSecond ? { globalRequestsPerSecond: options.globalRequestsPerSecond } : {}),
    ...(options.managedShard ? { managedShard: true } : {}),
  });
  // A shard's log lines carry its id, so the lines of several shard processes can be told apart.
  const shardIds = client.options.shards as number[];
  const botLogger = options.managedShard ? logger.child({ shard: shardIds.length === 1 ? shardIds[0] : shardIds }) : logger;
  const load = new LoadControl({
    cooldownMs: (config.COOLDOWN_SECONDS ?? DEFAULT_COOLDOWN_SECONDS) * 1000,
    maxConcurrent: config.MAX_CONCURRENT_ANSWERS,
    maxQueued: config.MAX_QUEUED_QUESTIONS,
  });
  const review = { channelId: config.REVIEW_CHANNEL_ID ?? null, mode: config.REVIEW_MODE, moderatorRoleIds: moderatorRoleIds(config) };
  const forum = { settings: forumConfig(config), health: new ForumHealth(botLogger) };
  const describeStatus = async () =>
    [
      renderStatus(await app.store.status(), {
        answerer: config.LLM_PROVIDER,
        retrieval: config.RETRIEVAL_MODE,
        reviewMode: config.REVIEW_MODE,
        reviewChannelId: review.channelId,
      }),
      ...forum.health.statusLines(forum.settings.forumChannelIds),
    ].join("\n");
  attachHandlers(client, { engine, load, logger: botLogger, allowedChannels: allowedChannelIds(config), review, describeStatus, forum });
  try {
    await loginOrExplain(client, options.token);
  } catch (error) {
    await client.destroy();
    app.close();
    throw error;
  }
  botLogger.info(
    { event: "ready", user: client.user?.tag, guilds: client.guilds.cache.size, shardCount: client.options.shardCount, pid: process.pid },
    "Docent is online",
  );
  return {
    client,
    engine,
    async stop() {
      await client.destroy();
      app.close();
    },
  };
}
