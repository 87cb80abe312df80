import { OAuth2Scopes, PermissionFlagsBits } from "discord.js";
import type { ChannelNeed, PermissionName } from "./channel-needs.ts";

/** The scopes Docent's invite asks for: the bot user, and its slash commands. */
export const INVITE_SCOPES = [OAuth2Scopes.Bot, OAuth2Scopes.ApplicationsCommands] as const;

/** Discord's page that adds an application to a server. */
const AUTHORIZE_URL = "https://discord.com/oauth2/authorize";

/** The permissions the enabled features need: the union of the enabled rows, as names in a stable order. */
export function invitePermissionNames(needs: readonly ChannelNeed[]): PermissionName[] {
  const wanted = new Set(needs.filter((need) => need.enabled).flatMap((need) => need.permissions));
  return (Object.keys(PermissionFlagsBits) as PermissionName[]).filter((name) => wanted.has(name));
}

export function invitePermissionBits(needs: readonly ChannelNeed[]): bigint {
  return invitePermissionNames(needs).reduce((bits, name) => bits | PermissionFlagsBits[name], 0n);
}

/** The OAuth2 URL that adds the bot with exactly those scopes and permissions (pure). */
export function inviteUrl(applicationId: string, needs: readonly ChannelNeed[]): string {
  const url = new URL(AUTHORIZE_URL);
  url.searchParams.set("client_id", applicationId);
  url.searchParams.set("scope", INVITE_SCOPES.join(" "));
  url.searchParams.set("permissions", invitePermissionBits(needs).toString());
  return url.toString();
}

/**
 * The application id inside a bot token: its first part is the bot user's id in base64, and a bot's user id is its
 * application's id. Null when the token does not have that shape (then ask for --client-id).
 */
export function applicationIdFromToken(token: string): string | null {
  const first = token.split(".")[0] ?? "";
  const decoded = Buffer.from(first, "base64").toString("utf8");
  return /^\d{15,21}$/.test(decoded) ? decoded : null;
}
