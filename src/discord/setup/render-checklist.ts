import { printableLines } from "../../terminal-text.ts";
import type { Check, CheckStatus } from "./setup-checks.ts";

const MARKS: Record<CheckStatus, string> = { ok: "✓", fail: "✗", warn: "!", skip: "-" };

/** The doctor's checklist: one line per check, its fix under each failure or warning, and a last line that sums up (pure). */
export function renderChecklist(checks: readonly Check[]): string {
  const lines = ["Docent doctor"];
  for (const check of checks) {
    lines.push(`${MARKS[check.status]} ${check.title}: ${check.detail}`);
    if (check.fix && (check.status === "fail" || check.status === "warn")) lines.push(`    → ${check.fix}`);
  }
  const failed = checks.filter((check) => check.status === "fail").length;
  const warned = checks.filter((check) => check.status === "warn").length;
  const warnings = warned === 0 ? "" : ` (and ${warned} warning${warned === 1 ? "" : "s"} to look at)`;
  lines.push(
    failed === 0
      ? `All checks passed${warnings}.`
      : `${failed} check${failed === 1 ? "" : "s"} failed${warnings}: fix ${failed === 1 ? "it" : "them"} and run npm run doctor again.`,
  );
  return printableLines(lines.join("\n"));
}

/** The one-line form `npm start` prints for a failure or warning it does not stop on. */
export function renderWarning(check: Check): string {
  return printableLines(`docent: warning: ${check.title}: ${check.detail}${check.fix ? ` → ${check.fix}` : ""}`);
}
