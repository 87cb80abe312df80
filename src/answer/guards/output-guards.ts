import { findLinks, normaliseLink } from "./links.ts";
import { findPersonalData } from "./redact.ts";
import { asksForSecretsAnywhere, siteOf } from "./unsafe-passages.ts";

/** What an answer may contain beyond plain words: its sources' links, and what its cited passages say. */
export interface OutputAllowance {
  links: ReadonlySet<string>;
  /** Text of the cited passages: an official contact address quoted from a source is not personal data. */
  sourceText: string;
}

/**
 * The last line of defence on anything Docent says, whatever produced it: no mass or role pings, no links
 * that the cited passages don't contain, no personal data. Pure.
 */
export function sanitizeOutput(text: string, allowance: OutputAllowance): string {
  const allowedLinks = allowance.links;
  let out = redactUnsourced(text, allowance.sourceText)
    // A zero-width space keeps the words readable but stops Discord from treating them as pings.
    .replace(/@(everyone|here)\b/gi, "@\u200b$1")
    .replace(/<@&\d+>/g, "[role]")
    .replace(/<@!?\d+>/g, "[user]");
  // A masked link keeps its Markdown only when its target is allowed and its text shows no other link. A relative
  // target ("/docs/x") written so in a cited passage stays too: it leads nowhere, and the quote stays verbatim.
  out = out.replace(/\[([^\]]*)\]\(\s*<?([^)\s>]+)>?\s*\)/g, (whole, label: string, href: string) => {
    const shown = findLinks(label);
    if (isAllowed(href, allowedLinks)) return shown.every((l) => normaliseLink(l.raw) === normaliseLink(href)) ? whole : label;
    return isRelative(href) && shown.length === 0 && allowance.sourceText.includes(whole) ? whole : label;
  });
  out = replaceLinks(out, (link) => (isAllowed(link, allowedLinks) ? link : "[link removed]"));
  return out;
}

function redactUnsourced(text: string, sourceText: string): string {
  let out = "";
  let at = 0;
  for (const found of findPersonalData(text)) {
    const value = text.slice(found.start, found.end);
    if (sourceText.includes(value)) continue;
    out += `${text.slice(at, found.start)}[${found.kind === "email" ? "email" : "removed"}]`;
    at = found.end;
  }
  return out + text.slice(at);
}

/**
 * Links Docent may print: the sources' own URLs and any link written in a cited passage. A passage that asks
 * readers for secrets vouches for nothing off its sources' sites: its other addresses and links are left out, so
 * they are removed from the answer (an email address becomes `[email]`) whichever sentence repeats them.
 */
export function collectAllowance(urls: readonly string[], passageTexts: readonly string[]): OutputAllowance {
  const allowed = new Set<string>();
  for (const url of urls) allowed.add(normaliseLink(url));
  const ownSites = new Set(urls.map(siteOf).filter((s): s is string => s !== null));
  const vouched = passageTexts.map((text) => (asksForSecretsAnywhere(text) ? withoutForeignAddresses(text, ownSites) : text));
  for (const text of vouched) for (const link of findLinks(text)) allowed.add(normaliseLink(link.raw));
  return { links: allowed, sourceText: vouched.join("\n") };
}

const ADDRESS = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/gu;

function withoutForeignAddresses(text: string, ownSites: ReadonlySet<string>): string {
  const foreign = (address: string) => !ownSites.has(siteOf(address) ?? "");
  const noEmails = text.replace(ADDRESS, (address) => (foreign(address) ? " ".repeat(address.length) : address));
  return replaceLinks(noEmails, (link) => (foreign(link) ? " ".repeat(link.length) : link));
}

function isRelative(href: string): boolean {
  return !/^(?:[a-z][a-z0-9+.-]*:|\/\/)/i.test(href) && findLinks(href).length === 0;
}

function isAllowed(link: string, allowed: ReadonlySet<string>): boolean {
  return allowed.has(normaliseLink(link));
}

function replaceLinks(text: string, replace: (link: string) => string): string {
  let out = "";
  let at = 0;
  for (const link of findLinks(text)) {
    out += text.slice(at, link.start) + replace(link.raw);
    at = link.end;
  }
  return out + text.slice(at);
}

/** For echoing a member's own words (the question line of an /ask answer): no pings, no links, no personal data. */
export function sanitizeEcho(text: string): string {
  return sanitizeOutput(text, { links: new Set(), sourceText: "" });
}
