import { printable } from "../terminal-text.ts";
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
    notes: summary.notes,
    changes: summary.changes,
    ...(summary.gate ? { gate: summary.gate } : {}),
  };
}

/** A short report for a maintainer at a terminal; titles, files, URLs and reasons are made printable. Pure. */
export function renderSummary(summary: IngestSummary): string {
  const lines: string[] = [];
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

function counts(c: ChangeCounts): string {
  return `${c.added} added, ${c.updated} updated, ${c.removed} removed, ${c.unchanged} unchanged`;
}
