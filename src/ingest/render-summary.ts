import type { ChangeCounts } from "./plan-changes.ts";
import type { IngestSummary } from "./run-ingest.ts";

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
    changes: summary.changes,
  };
}

/** A short report for a maintainer at a terminal. Pure. */
export function renderSummary(summary: IngestSummary): string {
  const lines: string[] = [];
  const head = summary.dryRun
    ? `Dry run: nothing written; the index stays at version ${summary.version ?? "(none)"}.`
    : summary.written
      ? `Index updated: version ${summary.previousVersion ?? "(none)"} → ${summary.version}.`
      : `Nothing changed; the index stays at version ${summary.version}.`;
  lines.push(head);
  lines.push(`  pages   ${counts(summary.pages)}`);
  lines.push(`  chunks  ${counts(summary.chunks)}  (${summary.embedded} embedded)`);
  for (const change of summary.changes.slice(0, 20)) {
    const sections = change.sections.length > 0 ? `: ${change.sections.slice(0, 3).join("; ")}${change.sections.length > 3 ? "; …" : ""}` : "";
    lines.push(`  ${change.status.padEnd(8)} ${change.title} <${change.url}>${change.status === "updated" ? sections : ""}`);
  }
  if (summary.changes.length > 20) lines.push(`  … and ${summary.changes.length - 20} more pages`);
  if (summary.errors.length > 0) {
    lines.push(`${summary.errors.length} file(s) skipped (their pages keep what was indexed before):`);
    for (const error of summary.errors) lines.push(`  ✗ ${error.file}: ${error.reason}`);
  }
  return lines.join("\n");
}

function counts(c: ChangeCounts): string {
  return `${c.added} added, ${c.updated} updated, ${c.removed} removed, ${c.unchanged} unchanged`;
}
