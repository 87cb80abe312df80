/**
 * The playground's one server, as the local Discord stand-in is seeded with it: #general where members ask,
 * #docent-review where the bot mirrors answers for moderators, the bot, and the visitor ("you"), who can act as an
 * ordinary member or as a moderator (Manage Messages). Ids are fixed so links and logs stay readable.
 */
import { ChannelType, PermissionFlagsBits } from "discord-api-types/v10";
import { DEFAULT_EVERYONE_PERMISSIONS } from "../discord-emulator/payloads.ts";
import type { EmulatorGuildOptions, EmulatorUser } from "../discord-emulator/types.ts";

export const PLAYGROUND_GUILD_ID = "800000000000000001";
export const GENERAL_CHANNEL_ID = "800000000000000010";
export const REVIEW_CHANNEL_ID = "800000000000000011";
export const MODERATORS_ROLE_ID = "800000000000000300";
/** #help-forum: a forum (channel type 15) whose new posts Docent answers unasked. */
export const HELP_FORUM_ID = "800000000000000012";
/** Docent's own role: Manage Threads, so that it can tag and archive forum posts. */
export const DOCENT_ROLE_ID = "800000000000000301";

/** The forum's tags: Docent's three (the FORUM_*_TAG defaults of the playground) and two a poster may pick. */
export const FORUM_TAGS = [
  { id: "800000000000000400", name: "Answered by Docent" },
  { id: "800000000000000401", name: "Needs a human" },
  { id: "800000000000000402", name: "Solved" },
  { id: "800000000000000403", name: "API" },
  { id: "800000000000000404", name: "ChatGPT" },
] as const;
export const HELP_FORUM = { id: HELP_FORUM_ID, name: "help-forum", topic: "One post per question: Docent answers each new post" } as const;

export const BOT_USER: EmulatorUser = { id: "800000000000000100", username: "Docent", bot: true };
export const VISITOR: EmulatorUser = { id: "800000000000000200", username: "you" };
/** Owns the server, so that the visitor is not the owner (Discord gives an owner every permission). Never shown. */
const OWNER: EmulatorUser = { id: "800000000000000201", username: "server-owner" };

/** Discord's Manage Messages permission: what makes a moderator here. */
export const MANAGE_MESSAGES = PermissionFlagsBits.ManageMessages;

export type Role = "member" | "moderator";

/** What an interaction carries about the visitor in each role: permissions (string, as on Discord) and roles. */
export function actorFor(role: Role): { memberPermissions: string; memberRoles: string[] } {
  return role === "moderator"
    ? { memberPermissions: (DEFAULT_EVERYONE_PERMISSIONS | MANAGE_MESSAGES).toString(), memberRoles: [MODERATORS_ROLE_ID] }
    : { memberPermissions: DEFAULT_EVERYONE_PERMISSIONS.toString(), memberRoles: [] };
}

export const CHANNELS = [
  { id: GENERAL_CHANNEL_ID, name: "general", topic: "Ask Docent about the API's data-privacy and security policies" },
  { id: REVIEW_CHANNEL_ID, name: "docent-review", topic: "Docent's answers, mirrored for moderators" },
] as const;

export const CHANNEL_IDS: ReadonlySet<string> = new Set(CHANNELS.map((c) => c.id));

export const playgroundGuild: EmulatorGuildOptions = {
  id: PLAYGROUND_GUILD_ID,
  name: "Docent playground",
  ownerId: OWNER.id,
  channels: [
    ...CHANNELS.map(({ id, name }) => ({ id, name })),
    { id: HELP_FORUM_ID, name: HELP_FORUM.name, type: ChannelType.GuildForum, availableTags: FORUM_TAGS.map((tag) => ({ ...tag })) },
  ],
  roles: [
    { id: MODERATORS_ROLE_ID, name: "Moderators", permissions: (DEFAULT_EVERYONE_PERMISSIONS | MANAGE_MESSAGES).toString() },
    { id: DOCENT_ROLE_ID, name: "Docent", permissions: (DEFAULT_EVERYONE_PERMISSIONS | PermissionFlagsBits.ManageThreads).toString() },
  ],
  members: [{ user: VISITOR }, { user: OWNER }, { user: BOT_USER, roles: [DOCENT_ROLE_ID] }],
};

/** Display names for mentions: users, roles and channels the playground knows. */
export const knownNames = {
  users: new Map<string, string>([
    [BOT_USER.id, BOT_USER.username],
    [VISITOR.id, VISITOR.username],
    [OWNER.id, OWNER.username],
  ]),
  roles: new Map<string, string>([
    [PLAYGROUND_GUILD_ID, "everyone"],
    [MODERATORS_ROLE_ID, "Moderators"],
  ]),
  channels: new Map<string, string>([...CHANNELS.map(({ id, name }): [string, string] => [id, name]), [HELP_FORUM_ID, HELP_FORUM.name]]),
};
