import { type Interaction, PermissionFlagsBits } from "discord.js";

/**
 * Who may act on reviews: members with Manage Messages in the channel, or with one of MODERATOR_ROLE_IDS.
 * Decided from the member data Discord sends with the interaction, at click time; never from a custom id.
 */
export function isModerator(interaction: Interaction, moderatorRoleIds: ReadonlySet<string>): boolean {
  if (interaction.memberPermissions?.has(PermissionFlagsBits.ManageMessages)) return true;
  const member = interaction.member;
  if (!member || moderatorRoleIds.size === 0) return false;
  const roles: Iterable<string> = Array.isArray(member.roles) ? member.roles : member.roles.cache.keys();
  for (const role of roles) if (moderatorRoleIds.has(role)) return true;
  return false;
}
