import { redact } from "./redact.ts";

/**
 * The last line of defence on anything Docent says, whatever produced it: no mass or role pings, no links
 * that the cited passages don't contain, no personal data. Pure.
 */
export function sanitizeOutput(text: string, allowedLinks: ReadonlySet<string>): string {
  let out = text
    // A zero-width space keeps the words readable but stops Discord from treating them as pings.
    .replace(/@(everyone|here)\b/gi, "@\u200b$1")
    .replace(/<@&\d+>/g, "[role]")
    .replace(/<@!?\d+>/g, "[user]");
  out = out.replace(/\[([^\]]*)\]\(([^)\s]+)\)/g, (whole, label: string, href: string) => (isAllowed(href, allowedLinks) ? whole : label));
  out = out.replace(/\b(?:https?:\/\/|www\.)[^\s<>()\]]+|\b(?:[a-z0-9-]+\.)+(?:com|co|net|org|io|gg|ai|dev|app|xyz|info|me|ly|link)(?:\/[^\s<>()\]]*)?/gi, (link) =>
    isAllowed(link, allowedLinks) ? link : "[link removed]",
  );
  return redact(out).text;
}

/** Links Docent may print: the sources' own URLs and any link written in a cited passage. */
export function collectAllowedLinks(urls: readonly string[], passageTexts: readonly string[]): Set<string> {
  const allowed = new Set<string>();
  for (const url of urls) allowed.add(normaliseLink(url));
  for (const text of passageTexts) {
    for (const match of text.matchAll(/\b(?:https?:\/\/|www\.)[^\s<>()\]]+|\b(?:[a-z0-9-]+\.)+(?:com|co|net|org|io|gg|ai|dev|app)(?:\/[^\s<>()\]]*)?/gi)) {
      allowed.add(normaliseLink(match[0]));
    }
  }
  return allowed;
}

function isAllowed(link: string, allowed: ReadonlySet<string>): boolean {
  return allowed.has(normaliseLink(link));
}

function normaliseLink(link: string): string {
  return link
    .toLowerCase()
    .replace(/^https?:\/\//, "")
    .replace(/^www\./, "")
    .replace(/[.,;:!?'"`*_]+$/, "")
    .replace(/\/+$/, "");
}
