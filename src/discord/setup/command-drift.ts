/**
 * Registered slash commands against the definitions in src/discord/commands.ts (pure). Discord hands back what was
 * registered with its own fields added (ids, versions, defaults), so a registered command matches when every field
 * the definition sets is the same there; an unset boolean counts as false, and option lists must have the same length.
 */
export interface CommandDrift {
  missing: string[];
  outdated: string[];
  /** Registered but no longer defined: harmless to the bot, but members still see them. */
  extra: string[];
}

interface Named {
  name: string;
}

export function commandDrift(definitions: readonly Named[], registered: readonly unknown[]): CommandDrift {
  const byName = new Map<string, unknown>();
  for (const command of registered) {
    const name = (command as { name?: unknown } | null)?.name;
    if (typeof name === "string") byName.set(name, command);
  }
  const missing: string[] = [];
  const outdated: string[] = [];
  for (const definition of definitions) {
    const remote = byName.get(definition.name);
    if (remote === undefined) missing.push(definition.name);
    else if (!sameAsDefined(definition, remote)) outdated.push(definition.name);
  }
  const defined = new Set(definitions.map((d) => d.name));
  return { missing, outdated, extra: [...byName.keys()].filter((name) => !defined.has(name)) };
}

function sameAsDefined(local: unknown, remote: unknown): boolean {
  if (Array.isArray(local)) {
    const list = remote ?? [];
    return Array.isArray(list) && list.length === local.length && local.every((item, index) => sameAsDefined(item, list[index]));
  }
  if (local !== null && typeof local === "object") {
    if (remote === null || typeof remote !== "object") return false;
    return Object.entries(local).every(
      ([key, value]) => value === undefined || value === null || sameAsDefined(value, (remote as Record<string, unknown>)[key]),
    );
  }
  if (typeof local === "boolean") return local === (remote ?? false);
  return local === remote;
}
