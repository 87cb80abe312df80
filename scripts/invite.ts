/**
 * `npm run invite [-- --client-id ID]`: prints the OAuth2 URL that adds the bot with the scopes and the permissions
 * the configured features need. The application id comes from --client-id or from DISCORD_TOKEN (no request made).
 */
import { runCli, parseArguments, usageError } from "../src/cli/run-cli.ts";
import { loadConfig } from "../src/config.ts";
import { channelNeeds, permissionLabel } from "../src/discord/setup/channel-needs.ts";
import { applicationIdFromToken, invitePermissionNames, inviteUrl } from "../src/discord/setup/invite-url.ts";

const USAGE = "npm run invite [-- --client-id <application id>]";

runCli(async () => {
  const { values } = parseArguments({ options: { "client-id": { type: "string" } }, strict: true }, USAGE);
  const config = loadConfig();
  const clientId = values["client-id"] ?? (config.DISCORD_TOKEN ? applicationIdFromToken(config.DISCORD_TOKEN) : null);
  if (!clientId || !/^\d{15,21}$/.test(clientId)) {
    throw usageError(
      clientId ? `--client-id ${clientId} is not a Discord id (15-21 digits).` : "No application id: DISCORD_TOKEN is not set (or not a bot token).",
      `${USAGE} — the Application ID is on the developer portal's General Information page.`,
    );
  }
  const needs = channelNeeds(config);
  // The URL alone on stdout (for a pipe); what it asks for on stderr, for the person.
  process.stdout.write(`${inviteUrl(clientId, needs)}\n`);
  process.stderr.write(
    `Open it, pick your server and authorise. Scopes: bot, applications.commands. Permissions: ${invitePermissionNames(needs).map(permissionLabel).join(", ")}.\n`,
  );
  return 0;
});
