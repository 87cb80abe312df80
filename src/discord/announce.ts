import { REST, Routes } from "discord.js";
import { DocentError } from "../errors.ts";

/**
 * Posts one message to a channel with the bot's token over Discord's REST API (no gateway connection), as
 * `ingest --announce` does. Nobody is pinged; link previews are suppressed.
 */
export async function postToChannel(options: { token: string; apiBase?: string | undefined; channelId: string; content: string }): Promise<string> {
  const rest = new REST({ ...(options.apiBase ? { api: options.apiBase } : {}), timeout: 15_000 }).setToken(options.token);
  try {
    const message = (await rest.post(Routes.channelMessages(options.channelId), {
      body: { content: options.content, allowed_mentions: { parse: [] }, flags: 1 << 2 },
    })) as { id: string };
    return message.id;
  } catch (error) {
    throw new DocentError("DISCORD_POST_FAILED", `Could not post the changelog to channel ${options.channelId} (${(error as Error).message?.slice(0, 120)}).`, {
      hint: "Check DISCORD_TOKEN, REVIEW_CHANNEL_ID and that the bot may send messages there. The ingest itself succeeded.",
      cause: error,
    });
  }
}
