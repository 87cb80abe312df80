import {
  type APIApplication,
  type APIChannel,
  type APIGuild,
  type APIGuildMember,
  type APIRole,
  type APIUser,
  ApplicationFlags,
  DiscordAPIError,
  type REST,
  Routes,
} from "discord.js";
import { printable } from "../../terminal-text.ts";
import { type ChannelNeed, permissionLabel } from "./channel-needs.ts";
import { channelPermissions, type PermissionInputs } from "./channel-permissions.ts";
import { commandDrift } from "./command-drift.ts";

export type CheckStatus = "ok" | "fail" | "warn" | "skip";

/** One line of the doctor's checklist. */
export interface Check {
  /** Stable id: `token`, `intent`, `channel:<setting>:<id>`, `commands`, `index`, `config:<name>`. */
  id: string;
  title: string;
  status: CheckStatus;
  detail: string;
  /** What to do, for a failure or a warning. */
  fix?: string;
  /** A failure that makes the bot useless: `npm start` stops on it. */
  stopsStart?: boolean;
}

/** Where to find the token and the intent in the developer portal. */
const PORTAL = "https://discord.com/developers/applications";

/**
 * Docent's setup on Discord, checked over REST as the bot (no gateway login): the token, the Message Content intent,
 * each configured channel and the bot's permissions there, and the registered slash commands. Checks that depend on
 * a failed one are skipped with the reason.
 */
export async function checkDiscordSetup(options: {
  rest: REST;
  needs: readonly ChannelNeed[];
  /** The slash command definitions (src/discord/commands.ts). */
  commands: readonly { name: string }[];
  /** Commands are registered in this guild instead of globally (DISCORD_GUILD_ID). */
  commandGuildId?: string | undefined;
}): Promise<Check[]> {
  const { rest } = options;
  let bot: APIUser;
  try {
    bot = (await rest.get(Routes.user("@me"))) as APIUser;
  } catch (error) {
    const rejected = error instanceof DiscordAPIError && error.status === 401;
    const token: Check = rejected
      ? {
          id: "token",
          title: "Token",
          status: "fail",
          detail: "Discord rejected DISCORD_TOKEN (authentication failed).",
          fix: `Copy the bot token again (${PORTAL} → your application → Bot → Reset Token) into DISCORD_TOKEN in .env.`,
          stopsStart: true,
        }
      : {
          id: "token",
          title: "Token",
          status: "fail",
          detail: `Could not reach Discord to check the token (${describeFailure(error)}).`,
          fix: "Check the network, and DISCORD_API_URL if you set it (leave it empty for discord.com).",
        };
    const reason = rejected ? "the token was rejected" : "Discord could not be reached";
    return [token, ...["intent", "channels", "commands"].map((id) => skipped(id, reason))];
  }
  const checks: Check[] = [{ id: "token", title: "Token", status: "ok", detail: `accepted: the bot is @${printable(bot.username)} (id ${bot.id}).` }];

  const application = await get<APIApplication>(rest, Routes.currentApplication()).catch(() => null);
  const intentBits = ApplicationFlags.GatewayMessageContent | ApplicationFlags.GatewayMessageContentLimited;
  checks.push(
    application === null
      ? {
          id: "intent",
          title: "Message Content intent",
          status: "warn",
          detail: "could not read the application's settings.",
          fix: "Check it by hand: Bot → Privileged Gateway Intents.",
        }
      : ((application.flags ?? 0) & intentBits) !== 0
        ? { id: "intent", title: "Message Content intent", status: "ok", detail: "enabled." }
        : {
            id: "intent",
            title: "Message Content intent",
            status: "fail",
            detail: "not enabled: Discord refuses the bot's login, and mentions would arrive without their text.",
            fix: `${PORTAL} → your application → Bot → Privileged Gateway Intents → turn on Message Content Intent, and save.`,
            stopsStart: true,
          },
  );

  checks.push(...(await checkChannels(rest, bot.id, options.needs)));
  checks.push(
    await checkCommands(rest, application?.id ?? bot.id, options.commands, options.commandGuildId).catch((error: unknown) => ({
      id: "commands",
      title: "Slash commands",
      status: "fail" as const,
      detail: `Discord failed to list them (${describeFailure(error)}).`,
      fix: "Run npm run doctor again; if it keeps failing, check DISCORD_API_URL and Discord's status page.",
    })),
  );
  return checks;
}

/** An unexpected error in a few printable words. */
function describeFailure(error: unknown): string {
  return printable(String((error as Error)?.message ?? error)).slice(0, 120);
}

function skipped(id: string, reason: string): Check {
  const titles: Record<string, string> = { intent: "Message Content intent", channels: "Channels and permissions", commands: "Slash commands" };
  return { id, title: titles[id] ?? id, status: "skip", detail: `not checked: ${reason}.` };
}

/** A GET that answers null on 403/404 (the caller says what that means) and throws on anything else. */
async function get<T>(rest: REST, route: `/${string}`): Promise<T | null> {
  try {
    return (await rest.get(route)) as T;
  } catch (error) {
    if (error instanceof DiscordAPIError && (error.status === 403 || error.status === 404)) return null;
    throw error;
  }
}

/** What the permission math needs of a guild, fetched once per guild. */
interface GuildFacts {
  guild: APIGuild;
  roles: APIRole[];
  member: APIGuildMember;
}

async function checkChannels(rest: REST, botId: string, needs: readonly ChannelNeed[]): Promise<Check[]> {
  const checks: Check[] = [];
  const guilds = new Map<string, Promise<GuildFacts | null>>();
  const factsOf = (guildId: string) => {
    let facts = guilds.get(guildId);
    if (!facts) {
      facts = (async () => {
        const [guild, roles, member] = await Promise.all([
          get<APIGuild>(rest, Routes.guild(guildId)),
          get<APIRole[]>(rest, Routes.guildRoles(guildId)),
          get<APIGuildMember>(rest, Routes.guildMember(guildId, botId)),
        ]);
        return guild && roles && member ? { guild, roles, member } : null;
      })();
      guilds.set(guildId, facts);
    }
    return facts;
  };
  for (const need of needs) {
    if (need.ids.length === 0) {
      checks.push({
        id: `channel:${need.setting}`,
        title: need.purpose,
        status: "skip",
        detail:
          need.setting === "ALLOWED_CHANNEL_IDS"
            ? "ALLOWED_CHANNEL_IDS is empty: Docent answers in every channel it can see (none checked one by one)."
            : `${need.setting} is not set.`,
      });
      continue;
    }
    for (const id of need.ids) {
      checks.push(
        await checkChannel(rest, botId, need, id, factsOf).catch((error: unknown) => ({
          id: `channel:${need.setting}:${id}`,
          title: `${need.purpose} (${need.setting})`,
          status: "fail" as const,
          detail: `channel ${id}: Discord failed to answer (${describeFailure(error)}).`,
          fix: "Run npm run doctor again; if it keeps failing, check DISCORD_API_URL and Discord's status page.",
        })),
      );
    }
  }
  return checks;
}

async function checkChannel(
  rest: REST,
  botId: string,
  need: ChannelNeed,
  id: string,
  factsOf: (guildId: string) => Promise<GuildFacts | null>,
): Promise<Check> {
  const base = { id: `channel:${need.setting}:${id}`, title: `${need.purpose} (${need.setting})` };
  const channel = await get<APIChannel & { guild_id?: string; name?: string; permission_overwrites?: [] }>(rest, Routes.channel(id));
  if (channel === null || !channel.guild_id) {
    return {
      ...base,
      status: "fail",
      detail: `channel ${id} does not exist, or the bot cannot see it.`,
      fix: `Copy the id again (Discord settings → Advanced → Developer Mode on; right-click the channel → Copy Channel ID) into ${need.setting}, and make sure the bot is in that server and may View Channel there.`,
    };
  }
  const facts = await factsOf(channel.guild_id);
  const name = `#${printable(channel.name ?? id)} (${id})`;
  if (facts === null) {
    return {
      ...base,
      status: "fail",
      detail: `${name}: could not read the server's roles or the bot's membership.`,
      fix: "Invite the bot to that server (npm run invite).",
    };
  }
  const permissions = channelPermissions({
    guildId: facts.guild.id,
    ownerId: facts.guild.owner_id,
    roles: facts.roles,
    member: { userId: botId, roleIds: facts.member.roles },
    overwrites: channel.permission_overwrites ?? [],
  });
  const missing = need.permissions.filter((permission) => !permissions.has(permission));
  if (missing.length === 0 && need.private && everyoneCanView(facts, channel.permission_overwrites ?? [])) {
    return {
      ...base,
      status: "warn",
      detail: `${name}: every member can see it, and it shows the questions and the passages behind each answer.`,
      fix: `In ${name} → Edit Channel → Permissions, deny View Channel to @everyone and allow it to the moderators' role and the bot's role.`,
    };
  }
  if (missing.length === 0) {
    return { ...base, status: "ok", detail: `${name}: ${need.permissions.map(permissionLabel).join(", ")}.` };
  }
  const labels = missing.map(permissionLabel).join(", ");
  return {
    ...base,
    status: "fail",
    detail: `${name}: the bot lacks ${labels} (${need.why}).`,
    fix: `In ${name} → Edit Channel → Permissions, allow ${labels} for the bot's role (or give its role these permissions in Server Settings → Roles).`,
  };
}

/** Whether a member with no roles (what @everyone gets) may view the channel. */
function everyoneCanView(facts: GuildFacts, overwrites: PermissionInputs["overwrites"]): boolean {
  const nobody = { userId: "0", roleIds: [] };
  return channelPermissions({ guildId: facts.guild.id, ownerId: facts.guild.owner_id, roles: facts.roles, member: nobody, overwrites }).has("ViewChannel");
}

async function checkCommands(rest: REST, applicationId: string, commands: readonly { name: string }[], guildId: string | undefined): Promise<Check> {
  const where = guildId ? `in guild ${guildId} (DISCORD_GUILD_ID)` : "globally";
  const registered = await get<unknown[]>(rest, guildId ? Routes.applicationGuildCommands(applicationId, guildId) : Routes.applicationCommands(applicationId));
  if (registered === null) {
    return {
      id: "commands",
      title: "Slash commands",
      status: "fail",
      detail: `could not read the commands registered ${where}.`,
      fix: "Check DISCORD_GUILD_ID, and that the bot was invited with the applications.commands scope (npm run invite).",
    };
  }
  const drift = commandDrift(commands, registered);
  const names = (list: string[]) => list.map((name) => `/${printable(name)}`).join(", ");
  if (drift.missing.length > 0 || drift.outdated.length > 0) {
    const parts = [drift.missing.length ? `not registered: ${names(drift.missing)}` : "", drift.outdated.length ? `outdated: ${names(drift.outdated)}` : ""];
    return {
      id: "commands",
      title: "Slash commands",
      status: "fail",
      detail: `${parts.filter(Boolean).join("; ")} (${where}).`,
      fix: `Run npm run register-commands${guildId ? "" : " (global commands can take up to an hour to appear)"}.`,
    };
  }
  return {
    id: "commands",
    title: "Slash commands",
    status: "ok",
    detail: `${names(commands.map((c) => c.name))} registered ${where}, as defined${drift.extra.length ? `; also registered, no longer defined: ${names(drift.extra)}` : ""}.`,
  };
}
