/** `npm run register-commands`: registers the slash commands, globally or for DISCORD_GUILD_ID. Never run at bot start-up. */
import { DiscordAPIError, REST, Routes } from "discord.js";
import { runCli } from "../src/cli/run-cli.ts";
import { loadConfig, requireDiscordToken } from "../src/config.ts";
import { commands } from "../src/discord/commands.ts";
import { DocentError } from "../src/errors.ts";

runCli(async () => {
  const config = loadConfig();
  const token = requireDiscordToken(config);
  const rest = new REST({ ...(config.DISCORD_API_URL ? { api: config.DISCORD_API_URL } : {}) }).setToken(token);
  let applicationId: string;
  try {
    applicationId = ((await rest.get(Routes.user("@me"))) as { id: string }).id;
  } catch (error) {
    if (error instanceof DiscordAPIError && error.status === 401) {
      throw new DocentError("DISCORD_TOKEN_REJECTED", "Discord rejected DISCORD_TOKEN while looking up the application.", {
        hint: "Check DISCORD_TOKEN (and DISCORD_API_URL if you set it).",
        cause: error,
      });
    }
    throw new DocentError("DISCORD_UNAVAILABLE", "Could not look up the application on Discord.", {
      hint: "Check the network and DISCORD_API_URL (leave it empty for discord.com).",
      cause: error,
    });
  }
  const route = config.DISCORD_GUILD_ID ? Routes.applicationGuildCommands(applicationId, config.DISCORD_GUILD_ID) : Routes.applicationCommands(applicationId);
  const registered = (await rest.put(route, { body: commands })) as unknown[];
  process.stdout.write(
    `Registered ${registered.length} command(s) ${config.DISCORD_GUILD_ID ? `in guild ${config.DISCORD_GUILD_ID} (available at once)` : "globally (may take up to an hour to appear)"}: ${commands.map((c) => `/${c.name}`).join(", ")}\n`,
  );
  return 0;
});
