import type { DraftAnswer } from "../answer-types.ts";

export const REFUSAL_TEXT =
  "The policy pages I have don't cover that, so I won't guess. Try rephrasing with the product or policy you mean, or ask a moderator here; for questions about your own account, contact the provider's support team.";

/**
 * Plain Markdown rendering of an answer, for the terminal and the JSON `answer` field: lead, bullets with
 * numbered markers, then the numbered sources. Pure. Links are written out once, in the source list.
 */
export function renderAnswer(draft: DraftAnswer, options: { personalDataNotice?: boolean } = {}): string {
  const lines: string[] = [];
  if (options.personalDataNotice) lines.push(PERSONAL_DATA_NOTICE, "");
  lines.push(draft.lead);
  for (const bullet of draft.bullets) lines.push(`- ${bullet.text} ${bullet.n.map((n) => `[${n}]`).join("")}`);
  if (draft.note) lines.push("", draft.note);
  if (draft.sources.length > 0) {
    lines.push("", "Sources:");
    for (const source of draft.sources) lines.push(`[${source.n}] ${source.title}${source.pageDate ? ` (updated ${source.pageDate})` : ""}: ${source.url}`);
  }
  return lines.join("\n");
}

export const OFF_TOPIC_TEXT =
  "I can only answer questions about the data-privacy and security policies in my pages, so I can't help with that one. For problems with your own account or billing, contact the provider's support team.";

/** The refusal for a question whose focus no page mentions, naming it as the asker wrote it. */
export function notMentionedText(missing: string): string {
  return `The pages I have don't mention ${missing}, so I won't guess. Ask a moderator here, or check the provider's own documentation for it.`;
}

export function renderRefusal(options: { personalDataNotice?: boolean; text?: string } = {}): string {
  const text = options.text ?? REFUSAL_TEXT;
  return options.personalDataNotice ? `${PERSONAL_DATA_NOTICE}\n\n${text}` : text;
}

export const PERSONAL_DATA_NOTICE =
  "Heads-up: your message seems to contain personal data or a secret. I left it out of my search and this answer; consider deleting your message (and rotating any key you pasted).";
