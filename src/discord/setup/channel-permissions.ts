import { type APIOverwrite, type APIRole, OverwriteType, PermissionFlagsBits, PermissionsBitField } from "discord.js";

/** What the permission math needs to know about a guild, a member and a channel (all as Discord's REST sends them). */
export interface PermissionInputs {
  guildId: string;
  ownerId: string;
  roles: readonly Pick<APIRole, "id" | "permissions">[];
  member: { userId: string; roleIds: readonly string[] };
  overwrites: readonly Pick<APIOverwrite, "id" | "type" | "allow" | "deny">[];
}

/**
 * A member's permissions in a channel, as Discord computes them (pure): the owner and Administrator get everything;
 * otherwise @everyone and the member's roles, then the channel's @everyone overwrite, its role overwrites together,
 * and the member's own overwrite. Without View Channel nothing else applies, and without Send Messages neither do
 * embeds nor files (Discord's implicit permissions).
 */
export function channelPermissions(inputs: PermissionInputs): PermissionsBitField {
  const all = PermissionsBitField.All;
  if (inputs.member.userId === inputs.ownerId) return new PermissionsBitField(all);
  const memberRoles = new Set(inputs.member.roleIds);
  let bits = 0n;
  for (const role of inputs.roles) if (role.id === inputs.guildId || memberRoles.has(role.id)) bits |= BigInt(role.permissions);
  if ((bits & PermissionFlagsBits.Administrator) !== 0n) return new PermissionsBitField(all);

  const apply = (allow: bigint, deny: bigint) => {
    bits = (bits & ~deny) | allow;
  };
  const everyone = inputs.overwrites.find((o) => o.type === OverwriteType.Role && o.id === inputs.guildId);
  if (everyone) apply(BigInt(everyone.allow), BigInt(everyone.deny));
  let roleAllow = 0n;
  let roleDeny = 0n;
  for (const o of inputs.overwrites) {
    if (o.type === OverwriteType.Role && o.id !== inputs.guildId && memberRoles.has(o.id)) {
      roleAllow |= BigInt(o.allow);
      roleDeny |= BigInt(o.deny);
    }
  }
  apply(roleAllow, roleDeny);
  const own = inputs.overwrites.find((o) => o.type === OverwriteType.Member && o.id === inputs.member.userId);
  if (own) apply(BigInt(own.allow), BigInt(own.deny));

  if ((bits & PermissionFlagsBits.ViewChannel) === 0n) return new PermissionsBitField(0n);
  if ((bits & PermissionFlagsBits.SendMessages) === 0n) {
    bits &= ~(PermissionFlagsBits.EmbedLinks | PermissionFlagsBits.AttachFiles | PermissionFlagsBits.MentionEveryone | PermissionFlagsBits.SendTTSMessages);
  }
  return new PermissionsBitField(bits);
}
