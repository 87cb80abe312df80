import { createRequire } from "node:module";
import { LinkifyIt } from "linkify-it";

/** The IANA TLD list; a JSON module, loaded with require so plain Node ESM needs no import attribute. */
const tlds = createRequire(import.meta.url)("tlds") as string[];

/**
 * The one link detector for anything Docent prints or checks: linkify-it with the full TLD list, so links with a
 * scheme, `www.` links and bare domains (`evil.info/login`) are found by the same rules everywhere. Pure.
 */
export interface FoundLink {
  start: number;
  end: number;
  /** The link as written. */
  raw: string;
}

/** Reserved and private names are not in the IANA list, yet a reader still follows `evil.example/login`. */
const RESERVED_TLDS = ["example", "test", "invalid", "localhost", "local", "internal", "onion", "lan", "home", "corp"];
const linkify = new LinkifyIt({ fuzzyLink: true, fuzzyEmail: false, fuzzyIP: true }).tlds(tlds).tlds(RESERVED_TLDS, true);

/**
 * linkify-it, like a reader, ignores a scheme glued to a word ("Xhttps://…", "_https://…_", "1https://…"), but
 * Discord's Markdown still turns what follows into a live link. So the character before a scheme or `www.` is
 * blanked (offsets kept) before matching.
 */
const GLUED_SCHEME = /[^\s](?=(?:https?|ftp|wss?):\/\/|www\.)/gi;

export function findLinks(text: string): FoundLink[] {
  const unglued = text.replace(GLUED_SCHEME, " ");
  return (linkify.match(unglued) ?? []).map((m) => ({ start: m.index, end: m.lastIndex, raw: text.slice(m.index, m.lastIndex) }));
}

/** The form two links are compared in: no scheme, no `www.`, lower case, no trailing punctuation or slash. */
export function normaliseLink(link: string): string {
  return link
    .toLowerCase()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//, "")
    .replace(/^www\./, "")
    .replace(/[.,;:!?'"`*_~|>)\]]+$/, "")
    .replace(/\/+$/, "");
}

/** Whether the text contains a link at all (for the extractive answerer's and review checks). */
export function hasLink(text: string): boolean {
  return findLinks(text).length > 0;
}
