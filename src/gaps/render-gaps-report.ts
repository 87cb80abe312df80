import type { GapsReport, GapsTopic, SkipCounts } from "./build-gaps-report.ts";

/** Discord's message content limit. */
export const DISCORD_CONTENT_LIMIT = 2000;
export const REPORT_FILE_NAME = "gaps-report.md";

/** The report as Markdown, for a terminal, a Discord message or the attached file. Pure. */
export function renderGapsReport(report: GapsReport): string {
  return [...headerLines(report), ...report.topics.flatMap((topic, i) => ["", ...topicLines(topic, i + 1)])].join("\n");
}

/**
 * The report as one Discord message: all of it when it fits in 2,000 characters; otherwise the header and as
 * many topics as fit, with the full report as a file to attach.
 */
export function gapsMessage(report: GapsReport): { content: string; file: { name: string; text: string } | null } {
  const full = renderGapsReport(report);
  if (full.length <= DISCORD_CONTENT_LIMIT) return { content: full, file: null };
  const lines = headerLines(report);
  let shown = 0;
  const closing = (left: number) => `\n\n… and ${left} more topic${left === 1 ? "" : "s"}: the full report is attached (${REPORT_FILE_NAME}).`;
  for (const [i, topic] of report.topics.entries()) {
    const next = [...lines, "", ...topicLines(topic, i + 1)];
    if (next.join("\n").length + closing(report.topics.length - i - 1).length > DISCORD_CONTENT_LIMIT) break;
    lines.splice(0, lines.length, ...next);
    shown += 1;
  }
  let content = lines.join("\n") + closing(report.topics.length - shown);
  // A header alone cannot overflow in practice; guard anyway so Discord never refuses the message.
  if (content.length > DISCORD_CONTENT_LIMIT) content = `${content.slice(0, DISCORD_CONTENT_LIMIT - 60)}…\n(full report attached: ${REPORT_FILE_NAME})`;
  return { content, file: { name: REPORT_FILE_NAME, text: full } };
}

function headerLines(report: GapsReport): string[] {
  const { totals } = report;
  const from = report.window.from.slice(0, 10);
  const to = report.window.to.slice(0, 10);
  const days = Math.round((Date.parse(report.window.to) - Date.parse(report.window.from)) / 86_400_000);
  const lines = [`**Knowledge gaps** · ${from} → ${to} (${days} day${days === 1 ? "" : "s"})`];
  const skipped = skippedText(report.skipped);
  if (totals.reviewed === 0) {
    lines.push("No review messages in this window: nothing to report. (Is REVIEW_MODE off, or REVIEW_CHANNEL_ID a different channel from the bot's?)");
    if (skipped) lines.push(skipped);
    return lines;
  }
  lines.push(
    `Reviewed ${totals.reviewed} question${totals.reviewed === 1 ? "" : "s"}: ${totals.answered} answered, ${totals.refused} refused · ${totals.wrong} marked wrong · ${totals.downvoted} voted down · ${totals.removed} removed`,
  );
  if (skipped) lines.push(skipped);
  if (report.topics.length === 0)
    lines.push("Nothing to report: no question in this window was refused, marked wrong, voted down, removed or answered uncertainly.");
  else lines.push(`${report.topics.length} topic${report.topics.length === 1 ? "" : "s"} Docent handled badly, most frequent first:`);
  return lines;
}

function topicLines(topic: GapsTopic, n: number): string[] {
  const kinds = Object.entries(topic.kinds)
    .filter(([, count]) => count > 0)
    .map(([kind, count]) => `${count} ${kind === "downvoted" ? "voted down" : kind}`);
  const closest = topic.closest ? `Closest: ${topic.closest.title}${sectionOf(topic.closest)} <${topic.closest.url}>` : "Closest: no page";
  return [
    `**${n}. ${topic.label}** — ${topic.count} question${topic.count === 1 ? "" : "s"} (${kinds.join(", ")})`,
    `   ${closest}`,
    `   → ${topic.action}`,
    ...(topic.examples.length ? [`   e.g. ${topic.examples.map((q) => `“${q}”`).join(" · ")}`] : []),
  ];
}

function sectionOf(page: { title: string; heading: string }): string {
  const section = page.heading.split(" > ").slice(1).join(" › ");
  return section ? ` › ${section}` : "";
}

function skippedText(skipped: SkipCounts): string | null {
  const parts = [
    skipped.otherAuthors ? `${skipped.otherAuthors} from other people or bots` : null,
    skipped.notReviews ? `${skipped.notReviews} of Docent's own posts that are not reviews` : null,
    skipped.olderFormat ? `${skipped.olderFormat} review message${skipped.olderFormat === 1 ? "" : "s"} from an older Docent without a record` : null,
    skipped.unreadable
      ? `${skipped.unreadable} review message${skipped.unreadable === 1 ? "" : "s"} whose record was unreadable or edited outside Docent`
      : null,
  ].filter(Boolean);
  return parts.length ? `Skipped: ${parts.join("; ")}.` : null;
}
