import type { Client } from "discord.js";
import { createEngine, type Engine } from "../answer/create-engine.ts";
import { allowedChannelIds, type Config, moderatorRoleIds } from "../config.ts";
import type { Logger } from "../log.ts";
import { createDiscordClient } from "./create-client.ts";
import { attachHandlers } from "./handlers.ts";
import { LoadControl } from "./load-control.ts";
import { renderStatus } from "./index-status.ts";
import { loginOrExplain } from "./login.ts";

export interface RunningBot {
  client: Client;
  engine: Engine;
  stop(): Promise<void>;
}

/**
 * Builds and logs in the bot: engine (ingesting knowledge first if there is no index), load control, the
 * discord.js client and its handlers. Shared by `npm start` against Discord (one process, or each shard process of
 * the sharding manager with `managedShard`) and the local playground, so all run exactly the same bot.
 */
export async function startDocentBot(options: { config: Config; logger: Logger; token: string; restApiUrl?: string | undefined; globalRequestsPerSecond?: number; managedShard?: boolean }): Promise<RunningBot> {
  const { config, logger } = options;
  const engine = await createEngine(config, { logger, ingestIfMissing: true, onNotice: (text) => logger.info(text) });
  const client = createDiscordClient({
    restApiUrl: options.restApiUrl ?? config.DISCORD_API_URL,
    ...(options.globalRequestsPerSecond ? { globalRequestsPerSecond: options.globalRequestsPerSecond } : {}),
    ...(options.managedShard ? { managedShard: true } : {}),
  });
  // A shard's log lines carry its id, so the lines of several shard processes can be told apart.
  const shardIds = client.options.shards as number[];
  const botLogger = options.managedShard ? logger.child({ shard: shardIds.length === 1 ? shardIds[0] : shardIds }) : logger;
  const load = new LoadControl({ cooldownMs: config.COOLDOWN_SECONDS * 1000, maxConcurrent: config.MAX_CONCURRENT_ANSWERS, maxQueued: config.MAX_QUEUED_QUESTIONS });
  const review = { channelId: config.REVIEW_CHANNEL_ID ?? null, mode: config.REVIEW_MODE, moderatorRoleIds: moderatorRoleIds(config) };
  const describeStatus = async () =>
    renderStatus(await engine.store.status(), { answerer: config.LLM_PROVIDER, retrieval: config.RETRIEVAL_MODE, reviewMode: config.REVIEW_MODE, reviewChannelId: review.channelId });
  attachHandlers(client, { engine, load, logger: botLogger, allowedChannels: allowedChannelIds(config), review, describeStatus });
  try {
    await loginOrExplain(client, options.token);
  } catch (error) {
    await client.destroy();
    engine.close();
    throw error;
  }
  botLogger.info({ event: "ready", user: client.user?.tag, guilds: client.guilds.cache.size, shardCount: client.options.shardCount, pid: process.pid }, "Docent is online");
  return {
    client,
    engine,
    async stop() {
      await client.destroy();
      engine.close();
    },
  };
}
