import { Client, GatewayIntentBits, Partials } from "discord.js";

/**
 * The discord.js client with the intents Docent needs: guild messages and their content (to see mentions
 * and questions). `restApiUrl` points REST at a proxy or a local Discord stand-in; the gateway address then
 * comes from that API's /gateway/bot, as with real Discord. Mentions are off by default for every message.
 */
export function createDiscordClient(options: { restApiUrl?: string | undefined; globalRequestsPerSecond?: number } = {}): Client {
  return new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
    partials: [Partials.Channel],
    allowedMentions: { parse: [], repliedUser: false },
    rest: {
      ...(options.restApiUrl ? { api: options.restApiUrl } : {}),
      // Discord's global limit is 50 requests/s; a local stand-in has none.
      ...(options.globalRequestsPerSecond ? { globalRequestsPerSecond: options.globalRequestsPerSecond } : {}),
      timeout: 15_000,
    },
  });
}
