import type { Client } from "discord.js";
import { createEngine, type Engine } from "../answer/create-engine.ts";
import { allowedChannelIds, type Config, moderatorRoleIds } from "../config.ts";
import type { Logger } from "../log.ts";
import { createDiscordClient } from "./create-client.ts";
import { attachHandlers } from "./handlers.ts";
import { LoadControl } from "./load-control.ts";
import { readIndexStatus, renderStatus } from "./index-status.ts";
import { loginOrExplain } from "./login.ts";

export interface RunningBot {
  client: Client;
  engine: Engine;
  stop(): Promise<void>;
}

/**
 * Builds and logs in the bot: engine (ingesting knowledge first if there is no index), load control, the
 * discord.js client and its handlers. Shared by `npm start` against Discord and the local playground, so both
 * run exactly the same bot.
 */
export async function startDocentBot(options: { config: Config; logger: Logger; token: string; restApiUrl?: string | undefined; globalRequestsPerSecond?: number }): Promise<RunningBot> {
  const { config, logger } = options;
  const engine = await createEngine(config, { logger, ingestIfMissing: true, onNotice: (text) => logger.info(text) });
  const client = createDiscordClient({ restApiUrl: options.restApiUrl ?? config.DISCORD_API_URL, ...(options.globalRequestsPerSecond ? { globalRequestsPerSecond: options.globalRequestsPerSecond } : {}) });
  const load = new LoadControl({ cooldownMs: config.COOLDOWN_SECONDS * 1000, maxConcurrent: config.MAX_CONCURRENT_ANSWERS, maxQueued: config.MAX_QUEUED_QUESTIONS });
  const review = { channelId: config.REVIEW_CHANNEL_ID ?? null, mode: config.REVIEW_MODE, moderatorRoleIds: moderatorRoleIds(config) };
  const describeStatus = async () =>
    renderStatus(await readIndexStatus(engine.store), { answerer: config.LLM_PROVIDER, retrieval: config.RETRIEVAL_MODE, reviewMode: config.REVIEW_MODE, reviewChannelId: review.channelId });
  attachHandlers(client, { engine, load, logger, allowedChannels: allowedChannelIds(config), review, describeStatus });
  try {
    await loginOrExplain(client, options.token);
  } catch (error) {
    await client.destroy();
    engine.close();
    throw error;
  }
  logger.info({ event: "ready", user: client.user?.tag, guilds: client.guilds.cache.size }, "Docent is online");
  return {
    client,
    engine,
    async stop() {
      await client.destroy();
      engine.close();
    },
  };
}
