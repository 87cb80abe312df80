import { printable } from "../terminal-text.ts";
import type { ChangeCounts } from "./plan-changes.ts";
import type { IngestSummary, WithheldRemoval } from "./run-ingest.ts";
import type { SectionDiff } from "./section-diff.ts";

/** The machine-readable result of `ingest --json`. */
export function summaryJson(summary: IngestSummary) {
  return {
    version: summary.version,
    previousVersion: summary.previousVersion,
    dryRun: summary.dryRun,
    written: summary.written,
    pages: summary.pages,
    chunks: summary.chunks,
    embedded: summary.embedded,
    errors: summary.errors,
    notes: summary.notes,
    changes: summary.changes,
    ...(summary.withheld?.length ? { withheld: summary.withheld } : {}),
    ...(summary.gate ? { gate: summary.gate } : {}),
  };
}

/** A short report for a maintainer at a terminal; titles, files, URLs and reasons are made printable. Pure. */
export function renderSummary(summary: IngestSummary): string {
  const lines: string[] = [];
  const withheld = summary.withheld ?? [];
  if (withheld.length > 0) return renderWithheld(summary, withheld);
  const head = summary.dryRun
    ? `Dry run: nothing written; the index stays at version ${summary.version ?? "(none)"}.`
    : summary.gate && !summary.gate.passed
      ? `Gate failed: ${printable(summary.gate.reason)}. The new version was not published; the index stays at version ${summary.version ?? "(none)"}.`
      : summary.written
        ? `Index updated: version ${summary.previousVersion ?? "(none)"} → ${summary.version}.`
        : `Nothing changed; the index stays at version ${summary.version}.`;
  lines.push(head);
  if (summary.gate?.passed) lines.push(`  gate    passed: ${printable(summary.gate.reason)}`);
  lines.push(`  pages   ${counts(summary.pages)}`);
  lines.push(`  chunks  ${counts(summary.chunks)}  (${summary.embedded} embedded)`);
  for (const change of summary.changes.slice(0, 20)) {
    const sections = change.sections.length > 0 ? `: ${change.sections.slice(0, 3).map(printable).join("; ")}${change.sections.length > 3 ? "; …" : ""}` : "";
    lines.push(`  ${change.status.padEnd(8)} ${printable(change.title)} <${printable(change.url)}>${change.status === "updated" ? sections : ""}`);
    for (const diff of change.diffs?.slice(0, 3) ?? []) lines.push(`           ${wordDiffLine(diff)}`);
  }
  if (summary.changes.length > 20) lines.push(`  … and ${summary.changes.length - 20} more pages`);
  const fromWeb = (file: string) => /^https?:\/\//.test(file);
  const files = summary.errors.filter((error) => !fromWeb(error.file));
  const pages = summary.errors.filter((error) => fromWeb(error.file));
  if (files.length > 0) {
    lines.push(`${files.length} file(s) skipped (their pages keep what was indexed before):`);
    for (const error of files) lines.push(`  ✗ ${printable(error.file)}: ${printable(error.reason)}`);
  }
  if (pages.length > 0) {
    lines.push(`${pages.length} URL(s) not ingested (a gone page, 404 or 410, is removed; the others keep what was indexed before):`);
    for (const error of pages) lines.push(`  ✗ ${printable(error.file)}: ${printable(error.reason)}`);
  }
  for (const note of summary.notes) lines.push(`  note: ${printable(note)}`);
  return lines.join("\n");
}

/** A run that stopped because it would remove pages its sources do not name: what, from where, and the two ways on. */
function renderWithheld(summary: IngestSummary, withheld: readonly WithheldRemoval[]): string {
  const lines = [
    `${summary.dryRun ? "Dry run: " : ""}Nothing written: this run would remove ${withheld.length} page(s) that its sources do not name; the index stays at version ${summary.version ?? "(none)"}.`,
  ];
  for (const page of withheld.slice(0, 30))
    lines.push(`  would remove ${printable(page.title)} <${printable(page.url)}> (from ${page.sources.map(printable).join(", ")})`);
  if (withheld.length > 30) lines.push(`  … and ${withheld.length - 30} more pages`);
  lines.push(
    "To keep them, add their folders with --source (or list every folder in KNOWLEDGE_DIRS, then run without --source);",
    "to remove them, run again with --prune.",
  );
  return lines.join("\n");
}

/** A section's changed words as `[-old-]{+new+}` (the notation of `git diff --word-diff`). */
function wordDiffLine(diff: SectionDiff): string {
  const name = printable(diff.section.split(" > ").slice(1).join(" > ") || diff.section);
  if (diff.rewritten) return `${name}: rewritten`;
  const edits = diff.edits.map((e) => `${e.removed ? `[-${printable(e.removed)}-]` : ""}${e.added ? `{+${printable(e.added)}+}` : ""}`);
  return `${name}: ${edits.join(" … ")}${diff.more > 0 ? ` (+${diff.more} more)` : ""}`;
}

function counts(c: ChangeCounts): string {
  return `${c.added} added, ${c.updated} updated, ${c.removed} removed, ${c.unchanged} unchanged`;
}
