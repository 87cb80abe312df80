import { printable } from "../terminal-text.ts";
import type { PageChange } from "./plan-changes.ts";
import type { SectionDiff } from "./section-diff.ts";

const LIMIT = 2000;

/**
 * The changelog a maintainer posts to the review channel after an ingest that changed something: pages added,
 * updated (each changed section with its changed words: ~~old~~ → **new**) and removed. Fits one Discord message; links without previews. Pure.
 */
export function renderChangelog(input: { previousVersion: number | null; version: number | null; changes: readonly PageChange[] }): string {
  const head = `**Knowledge updated** · index version ${input.previousVersion ?? "(new)"} → ${input.version}`;
  const lines: string[] = [];
  const icon = { added: "🆕", updated: "✏️", removed: "🗑️", unchanged: "" } as const;
  for (const change of input.changes) {
    if (change.status === "unchanged") continue;
    const sections =
      change.status !== "updated" || change.sections.length === 0
        ? ""
        : change.diffs && change.diffs.length > 0
          ? sectionLines(change.diffs)
          : `\n  -# changed: ${change.sections.map((s) => printable(sectionName(s))).join("; ")}`;
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

const SHOWN_SECTIONS = 3;

/** One subtext line per changed section (the first few), page text escaped so it cannot format the message. */
function sectionLines(diffs: readonly SectionDiff[]): string {
  const lines = diffs.slice(0, SHOWN_SECTIONS).map((d) => {
    const words = d.rewritten
      ? "rewritten"
      : d.edits
          .map((e) => (e.removed && e.added ? `~~${md(e.removed)}~~ → **${md(e.added)}**` : e.added ? `+ **${md(e.added)}**` : `~~${md(e.removed)}~~`))
          .join("; ");
    return `\n  -# ${md(sectionName(d.section))}: ${words}${d.more > 0 ? ` (+${d.more} more)` : ""}`;
  });
  const rest = diffs.length - SHOWN_SECTIONS;
  return lines.join("") + (rest > 0 ? `\n  -# …and ${rest} more section(s)` : "");
}

/** The heading path without the page title, which the line already shows. */
function sectionName(path: string): string {
  return path.split(" > ").slice(1).join(" › ") || path;
}

/** Page text shown as itself: no Discord formatting or terminal controls (the post suppresses link previews). */
function md(text: string): string {
  return printable(text).replace(/[\\*_~`|[\]<>#]/g, "\\$&");
}
