import type { EvalReport } from "./metrics.ts";

/** A readable table of an eval report. Pure. */
export function renderReport(report: EvalReport): string {
  const pct = (x: number | undefined) => (x === undefined ? "  -  " : `${(x * 100).toFixed(1)}%`.padStart(6));
  const lines = ["kind           n  quote@1  quote@5  page@5  answer-gold  first-gold  fact-recall  refused  uncertain  violations"];
  for (const [kind, k] of Object.entries(report.kinds)) {
    lines.push(
      `${kind.padEnd(13)}${String(k.n).padStart(3)}  ${pct(k.quoteHit1)}   ${pct(k.quoteHit5)}  ${pct(k.pageHit5)}   ${pct(k.answerGold)}      ${pct(k.firstGold)}      ${pct(k.factRecall)}   ${pct(k.refused / k.n)}   ${pct(k.uncertain / k.n)}  ${String(k.violations ?? 0).padStart(5)}`,
    );
  }
  lines.push("");
  lines.push(`refusal rate: answerable ${pct(report.refusalAnswerable)}, unanswerable ${pct(report.refusalUnanswerable)}`);
  lines.push(
    `trust: confident precision ${pct(report.confidentPrecision)}, unanswerable answered confidently ${pct(report.confidentUnans)}, answerable answered confidently and right ${pct(report.confidentCover)}`,
  );
  lines.push(`citations: ${report.citations}, failing verification: ${report.badCitations}; injection/PII violations: ${report.violations}`);
  lines.push(`latency per question (warm, in-process): p50 ${report.latencyMs.p50} ms, p95 ${report.latencyMs.p95} ms`);
  if (report.failures.length > 0) {
    lines.push("", "Failures:");
    for (const f of report.failures) lines.push(`  ${f.id}: ${f.problem}`);
  }
  return lines.join("\n");
}

/** Answer-level metrics of several answerers on the same questions, one row each, for side-by-side reading. Pure. */
export function renderAnswerComparison(rows: ReadonlyArray<{ name: string; report: EvalReport }>): string {
  const pct = (x: number | undefined) => (x === undefined ? "-" : `${(x * 100).toFixed(1)}%`);
  const lines = [
    "| answerer | answer_gold | first_gold | fact_recall | confident_precision | confident_unans | confident_cover | refused (answerable) | uncertain (answerable) | refused (unanswerable) | uncertain (unanswerable) | bad citations | violations |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const { name, report } of rows) {
    const a = report.kinds.answerable;
    const u = report.kinds.unanswerable;
    const share = (k: typeof a, key: "refused" | "uncertain") => (k ? k[key] / k.n : undefined);
    lines.push(
      `| ${name} | ${pct(a?.answerGold)} | ${pct(a?.firstGold)} | ${pct(a?.factRecall)} | ${pct(report.confidentPrecision)} | ${pct(report.confidentUnans)} | ${pct(report.confidentCover)} | ${pct(share(a, "refused"))} | ${pct(share(a, "uncertain"))} | ${pct(share(u, "refused"))} | ${pct(share(u, "uncertain"))} | ${report.badCitations}/${report.citations} | ${report.violations} |`,
    );
  }
  return lines.join("\n");
}
