import { findLinks, normaliseLink } from "./links.ts";

/**
 * Recognises text a poisoned page plants for readers: a sentence that tells the reader to send credentials, keys,
 * payment or identity data somewhere (by email, DM, a form, a link), a masked Markdown link whose text shows one
 * address and whose target is another, and Discord invite links. Docent must not quote such text as an answer,
 * and moderators are told when a retrieved passage contains it. Pure.
 *
 * Limits: the sentence rule needs a request verb and a credential word in one sentence, without a negation
 * ("never share your API key" is advice, not a request); personal data in general ("your email address") counts
 * only when the destination is a private channel (a DM, Telegram, WhatsApp), since real policy pages do ask for
 * it through their own forms.
 */

/**
 * A request to the reader: an imperative (at the start of a sentence or clause, or after "please") or "you must /
 * should / need to …", followed by a verb of handing something over.
 */
const REQUEST = new RegExp(
  String.raw`(?:^\W*|[,;:—–]\s*|\bplease\s+|\b(?:you|users?|customers?|everyone|members?)\s+(?:must|should|need\s+to|have\s+to|are\s+(?:required|asked)\s+to|will\s+need\s+to)\s+)` +
    String.raw`(?:now\s+|immediately\s+|simply\s+|just\s+|also\s+|kindly\s+)?(?:send|e-?mail|mail|dm|message|post|paste|share|submit|provide|forward|enter|upload|give|reply\s+with|text|include|verify|confirm)\b`,
  "i",
);
/** What no policy page asks a reader to send anywhere. */
const CREDENTIAL =
  /\b(?:api[\s_-]?keys?|(?:secret|access|private|service[\s-]account)\s+keys?|keys?|secrets?|tokens?|passwords?|passcodes?|pass\s*phrases?|credentials?|log-?in\s+(?:details|info(?:rmation)?)|2fa|otp|one-time\s+(?:code|password)|(?:verification|recovery|backup|security)\s+codes?|seed\s+phrases?|card\s+(?:numbers?|details)|cvv|cvc|bank\s+(?:details|account)|ssn|social\s+security|passport)\b/i;
const PERSONAL = /\b(?:personal\s+(?:data|information|details)|e-?mail\s+address|phone\s+number|home\s+address|date\s+of\s+birth|id\s+(?:card|document))\b/i;
const PRIVATE_CHANNEL = /\b(?:dm|direct\s+message|private\s+message|telegram|whatsapp|signal|discord|on\s+this\s+server)\b/i;
const NEGATION =
  /\b(?:never|not|don'?t|do\s+not|doesn'?t|won'?t|will\s+not|must\s+not|mustn'?t|should\s+not|shouldn'?t|avoid|nobody|no\s+one|under\s+no\s+circumstances|refrain)\b/i;

const INVITE_HOSTS = /^(?:discord\.gg|dsc\.gg|discord(?:app)?\.com\/invite)(?:\/|$)/i;

export function unsafeReason(text: string): string | null {
  if (findLinks(text).some((link) => INVITE_HOSTS.test(normaliseLink(link.raw)))) return "links a Discord invite";
  if (hasMaskedLink(text)) return "has a link whose text shows another address";
  if (sentencesOf(text).some(asksForCredentials)) return "asks readers to send credentials or personal data";
  return null;
}

/** Passages with nothing `unsafeReason` flags, for callers that choose what to quote. */
export function withoutUnsafePassages<T extends { text: string }>(passages: readonly T[]): T[] {
  return passages.filter((p) => unsafeReason(p.text) === null);
}

function sentencesOf(text: string): string[] {
  return text.split(/(?<=[.!?])\s+|\n+/).filter((s) => s.trim() !== "");
}

function asksForCredentials(sentence: string): boolean {
  if (!REQUEST.test(sentence) || NEGATION.test(sentence)) return false;
  return CREDENTIAL.test(sentence) || (PERSONAL.test(sentence) && PRIVATE_CHANNEL.test(sentence));
}

/** `[openai.com/login](https://evil.example/login)`: the text names an address the target is not. */
function hasMaskedLink(text: string): boolean {
  for (const match of text.matchAll(/\[([^\]]+)\]\(\s*<?([^)\s>]+)>?\s*\)/g)) {
    const target = hostOf(match[2]!);
    for (const shown of findLinks(match[1]!)) {
      const host = hostOf(shown.raw);
      if (host && target && !sameSite(host, target)) return true;
    }
  }
  return false;
}

function hostOf(link: string): string | null {
  const host = normaliseLink(link).split(/[/?#]/)[0]?.replace(/:\d+$/, "") ?? "";
  return host === "" ? null : host;
}

function sameSite(a: string, b: string): boolean {
  return a === b || a.endsWith(`.${b}`) || b.endsWith(`.${a}`);
}
