import type { Client } from "discord.js";
import { DocentError } from "../errors.ts";

/** Logs in, turning Discord's refusals into messages that say what to fix. */
export async function loginOrExplain(client: Client, token: string): Promise<void> {
  try {
    await client.login(token);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "TokenInvalid" || /invalid token|4004|Authentication failed/i.test(String((error as Error).message))) {
      throw new DocentError("DISCORD_TOKEN_REJECTED", "Discord rejected DISCORD_TOKEN (authentication failed).", {
        hint: "Copy the bot token again from the Discord developer portal (Bot tab) into .env.",
        cause: error,
      });
    }
    if (/disallowed intents|4014/i.test(String((error as Error).message))) {
      throw new DocentError("DISCORD_INTENT_REFUSED", "Discord refused the Message Content intent.", {
        hint: "Enable 'Message Content Intent' for the bot in the Discord developer portal (Bot tab).",
        cause: error,
      });
    }
    throw new DocentError("DISCORD_UNAVAILABLE", `Could not connect to Discord (${(error as Error).message?.slice(0, 120)}).`, {
      hint: "Check the network and DISCORD_API_URL (leave it empty for discord.com).",
      cause: error,
    });
  }
}
