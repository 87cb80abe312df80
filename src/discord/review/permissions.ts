import { GuildMember, type Interaction, PermissionFlagsBits, PermissionsBitField } from "discord.js";

/**
 * Who may act on reviews: members with Manage Messages in the channel, or with one of MODERATOR_ROLE_IDS.
 * Decided from the member data Discord sends with the interaction, at click time; never from a custom id.
 */
export function isModerator(interaction: Interaction, moderatorRoleIds: ReadonlySet<string>): boolean {
  if (interaction.memberPermissions?.has(PermissionFlagsBits.ManageMessages)) return true;
  return hasModeratorRole(interaction, moderatorRoleIds);
}

/**
 * For what reaches beyond the channel it is run in (`/docent gaps` reads the whole review channel): a moderator
 * role, or Manage Messages from the member's roles across the server. `interaction.memberPermissions` is the
 * member's permissions in the channel, overwrites included, so any channel that grants Manage Messages would
 * otherwise hand over the whole report.
 */
export function isGuildModerator(interaction: Interaction, moderatorRoleIds: ReadonlySet<string>): boolean {
  if (hasModeratorRole(interaction, moderatorRoleIds)) return true;
  return guildPermissions(interaction)?.has(PermissionFlagsBits.ManageMessages) ?? false;
}

function hasModeratorRole(interaction: Interaction, moderatorRoleIds: ReadonlySet<string>): boolean {
  const member = interaction.member;
  if (!member || moderatorRoleIds.size === 0) return false;
  const roles: Iterable<string> = Array.isArray(member.roles) ? member.roles : member.roles.cache.keys();
  for (const role of roles) if (moderatorRoleIds.has(role)) return true;
  return false;
}

/** The member's server-wide permissions from their roles (owner and Administrator: all), ignoring channel overwrites. */
function guildPermissions(interaction: Interaction): Readonly<PermissionsBitField> | null {
  const member = interaction.member;
  if (member instanceof GuildMember) return member.permissions;
  const guild = interaction.guild;
  if (!member || !guild) return null;
  if (guild.ownerId === interaction.user.id) return new PermissionsBitField(PermissionsBitField.All);
  let bits = guild.roles.everyone.permissions.bitfield;
  for (const id of member.roles as string[]) bits |= guild.roles.cache.get(id)?.permissions.bitfield ?? 0n;
  const permissions = new PermissionsBitField(bits);
  return permissions.has(PermissionFlagsBits.Administrator) ? new PermissionsBitField(PermissionsBitField.All) : permissions;
}
