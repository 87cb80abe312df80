import { printable } from "../terminal-text.ts";
import type { PageChange } from "./plan-changes.ts";

const LIMIT = 2000;

/**
 * The changelog a maintainer posts to the review channel after an ingest that changed something: pages added,
 * updated (with the sections that changed) and removed. Fits one Discord message; links without previews. Pure.
 */
export function renderChangelog(input: { previousVersion: number | null; version: number | null; changes: readonly PageChange[] }): string {
  const head = `**Knowledge updated** · index version ${input.previousVersion ?? "(new)"} → ${input.version}`;
  const lines: string[] = [];
  const icon = { added: "🆕", updated: "✏️", removed: "🗑️", unchanged: "" } as const;
  for (const change of input.changes) {
    if (change.status === "unchanged") continue;
    const sections =
      change.status === "updated" && change.sections.length > 0
        ? `\n  -# changed: ${change.sections.map((s) => printable(s.split(" > ").slice(1).join(" › ") || s)).join("; ")}`
        : "";
    lines.push(`${icon[change.status]} ${change.status} · [${printable(change.title).replace(/[[\]]/g, "")}](<${printable(change.url)}>)${sections}`);
  }
  if (lines.length === 0) return `${head}\nNo page changed.`;
  let text = head;
  for (let i = 0; i < lines.length; i++) {
    const rest = lines.length - i;
    const next = `${text}\n${lines[i]}`;
    if (next.length > LIMIT - 40) return `${text}\n…and ${rest} more page change(s).`;
    text = next;
  }
  return text;
}
