import { Client, type ClientOptions, GatewayIntentBits, Partials } from "discord.js";
import { withoutShardVariables } from "../config.ts";

/**
 * The discord.js client with the intents Docent needs: guild messages and their content (to see mentions
 * and questions). `restApiUrl` points REST at a proxy or a local Discord stand-in; the gateway address then
 * comes from that API's /gateway/bot, as with real Discord. Mentions are off by default for every message.
 *
 * `managedShard`: the process is a shard spawned by discord.js's ShardingManager (`SHARD_COUNT` set); the client
 * then takes its shard id and the shard count from the SHARDS and SHARD_COUNT variables the manager gives it.
 * Otherwise the client is the bot's only shard, whatever those variables say.
 */
export function createDiscordClient(options: { restApiUrl?: string | undefined; globalRequestsPerSecond?: number; managedShard?: boolean } = {}): Client {
  const clientOptions: ClientOptions = {
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
    partials: [Partials.Channel],
    allowedMentions: { parse: [], repliedUser: false },
    rest: {
      ...(options.restApiUrl ? { api: options.restApiUrl } : {}),
      // Discord's global limit is 50 requests/s; a local stand-in has none.
      ...(options.globalRequestsPerSecond ? { globalRequestsPerSecond: options.globalRequestsPerSecond } : {}),
      timeout: 15_000,
    },
  };
  if (options.managedShard) return new Client(clientOptions);
  return withoutShardVariables(() => new Client({ ...clientOptions, shards: [0], shardCount: 1 }));
}
