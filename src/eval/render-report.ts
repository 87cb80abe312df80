import type { EvalReport } from "./metrics.ts";

/** A readable table of an eval report. Pure. */
export function renderReport(report: EvalReport): string {
  const pct = (x: number | undefined) => (x === undefined ? "  -  " : `${(x * 100).toFixed(1)}%`.padStart(6));
  const lines = ["kind           n  quote@1  quote@5  page@5  answer-gold  first-gold  fact-recall  refused  violations"];
  for (const [kind, k] of Object.entries(report.kinds)) {
    lines.push(
      `${kind.padEnd(13)}${String(k.n).padStart(3)}  ${pct(k.quoteHit1)}   ${pct(k.quoteHit5)}  ${pct(k.pageHit5)}   ${pct(k.answerGold)}      ${pct(k.firstGold)}      ${pct(k.factRecall)}   ${pct(k.refused / k.n)}  ${String(k.violations ?? 0).padStart(5)}`,
    );
  }
  lines.push("");
  lines.push(`refusal rate: answerable ${pct(report.refusalAnswerable)}, unanswerable ${pct(report.refusalUnanswerable)}`);
  lines.push(`citations: ${report.citations}, failing verification: ${report.badCitations}; injection/PII violations: ${report.violations}`);
  lines.push(`latency per question (warm, in-process): p50 ${report.latencyMs.p50} ms, p95 ${report.latencyMs.p95} ms`);
  if (report.failures.length > 0) {
    lines.push("", "Failures:");
    for (const f of report.failures) lines.push(`  ${f.id}: ${f.problem}`);
  }
  return lines.join("\n");
}
