import type { AnswerResult, DraftAnswer } from "../answer/answer-types.ts";
import { PERSONAL_DATA_NOTICE, REFUSAL_TEXT } from "../answer/engine/render-answer.ts";

/** Discord's limit on a message's content. */
export const DISCORD_CONTENT_LIMIT = 2000;
const FOOTER = "-# Answered only from the policy pages above. Reply to this message or mention me again to follow up.";

/**
 * Renders an answer as Discord Markdown within 2,000 characters: greeting, lead, cited bullets, numbered sources
 * (links wrapped in <> so Discord shows no previews), footer. Too long → bullets are shortened, then the last
 * ones dropped with a note; the result always fits. Pure.
 */
export function formatDiscordAnswer(result: AnswerResult, askerId: string | null, options: { header?: string } = {}): string {
  const greeting = askerId ? `Hi <@${askerId}>! ` : "";
  const notice = `${options.header ? `${options.header}\n` : ""}${result.redacted.length > 0 ? `${PERSONAL_DATA_NOTICE}\n\n` : ""}`;
  if (result.refused || !result.draft) return fitToLimit(`${notice}${greeting}${result.refusalText ?? REFUSAL_TEXT}`);
  const draft = result.draft;
  const fallback = result.fallbackReason ? "\n-# The chat model's answer could not be verified, so these are direct quotes." : "";
  for (const maxBullet of [400, 280, 200, 140]) {
    for (let keep = draft.bullets.length; keep >= 1; keep--) {
      const text = compose(draft, { notice, greeting, fallback, maxBullet, keep });
      if (text.length <= DISCORD_CONTENT_LIMIT) return text;
    }
  }
  return fitToLimit(compose(draft, { notice, greeting, fallback, maxBullet: 100, keep: 1 }));
}

function compose(draft: DraftAnswer, o: { notice: string; greeting: string; fallback: string; maxBullet: number; keep: number }): string {
  const bullets = draft.bullets.slice(0, o.keep);
  const cited = new Set(bullets.flatMap((b) => b.n));
  // The lead of a chat answer carries its own markers; keep their sources listed too.
  for (const m of draft.lead.matchAll(/\[(\d+)\]/g)) cited.add(Number(m[1]));
  const lines = [`${o.notice}${o.greeting}${draft.lead}`];
  for (const bullet of bullets) lines.push(`- ${shorten(bullet.text, o.maxBullet)} ${bullet.n.map((n) => `[${n}]`).join("")}`.trimEnd());
  if (bullets.length < draft.bullets.length)
    lines.push(`-# ${draft.bullets.length - bullets.length} more point(s) left out to fit Discord; the sources have the full text.`);
  if (draft.note) lines.push(`-# ${draft.note}`);
  const sources = draft.sources.filter((s) => cited.has(s.n) || cited.size === 0);
  if (sources.length > 0) {
    lines.push("**Sources**");
    for (const s of sources) lines.push(`[${s.n}] [${escapeLinkText(s.title)}](<${s.url}>)${s.pageDate ? ` · updated ${s.pageDate}` : ""}`);
  }
  lines.push(`${FOOTER}${o.fallback}`);
  return lines.join("\n");
}

/** Shortens at a word boundary, marking the cut; a quote stays a verbatim prefix of the source sentence. */
export function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(" ");
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

function fitToLimit(text: string): string {
  return text.length <= DISCORD_CONTENT_LIMIT ? text : shorten(text, DISCORD_CONTENT_LIMIT);
}

function escapeLinkText(text: string): string {
  return text.replace(/[[\]]/g, "");
}
