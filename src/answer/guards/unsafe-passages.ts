import { getDomain } from "tldts";
import { findLinks, normaliseLink } from "./links.ts";

/**
 * Recognises text a poisoned page plants for readers: a sentence that has the reader hand a secret (a key, a
 * password, a one-time code, card or identity numbers) to someone, a masked Markdown link whose text shows one
 * address and whose target is another, and a Discord invite. Docent must
 * not quote such text as an answer, and moderators are told when a retrieved passage contains it. Pure.
 *
 * The sentence rule judges meaning from three parts rather than a list of imperatives: a secret as the thing handed
 * over, a hand-over in any grammatical form (imperative, "you can also send", "members can reply with", "should be
 * emailed to", "keys sent to … are rotated"), and a destination (an address, a link, a person or place to give it
 * to) — or a verb that is itself a destination ("email", "DM", "reply with"). A negation counts only in the clause
 * of the hand-over, next to it, so "never share your API key" is advice but "don't worry, send your key to …" is not.
 *
 * Limits: English only, and lexical (a paraphrase with none of the secret words, e.g. "the long string on your
 * dashboard", passes). Personal data in general ("your email address") counts only on its way to a private
 * channel (a DM, Telegram, WhatsApp), since real policy pages do ask for it through their own forms.
 */

/** A secret as a noun phrase: what no policy page asks a reader to give anyone. */
const SECRET = new RegExp(
  [
    String.raw`\b(?:api|secret|access|private|admin|licen[cs]e|account|project|org(?:ani[sz]ation)?|service[\s-]account|ssh|pgp|gpg|signing|your|their|the|this|that|his|her|my|our|whole|full|entire)[\s_-]+keys?\b(?!\s+(?:points?|findings?|terms?|features?|dates?|concepts?|takeaways?|parts?|roles?|steps?|questions?|metrics?|benefits?|differences?|ideas?|areas?|factors?|issues?|principles?|changes?|elements?|components?|stakeholders?|events?|facts?|details\s+(?:of|about)\s+(?:the|our)\s+polic))`,
    String.raw`\bapi[\s_-]?keys?\b`,
    String.raw`\bkeys?\b(?=\s+(?:that|which)\s+(?:starts?|begins?))`,
    String.raw`\b(?:secrets?|client[\s_-]secrets?|tokens?|access[\s_-]tokens?|bearer|passwords?|passwd|pwd|passcodes?|pass[\s-]*phrases?|credentials?|log-?in\s+(?:details|info(?:rmation)?|data)|sign-?in\s+details|session\s+(?:cookies?|ids?|tokens?)|cookies?|2fa|mfa|otps?|pins?)\b`,
    String.raw`\b(?:one-time|verification|recovery|backup|security|login|sign-?in|auth(?:entication|ori[sz]ation)?|confirmation|reset|sms|2fa|mfa)\s+(?:codes?|passwords?|pins?|links?)\b`,
    String.raw`\b(?:seed|recovery|mnemonic|wallet)\s+(?:phrases?|words?)\b`,
    String.raw`\bcodes?\s+(?:we|you|that\s+we|that\s+you)\s+(?:sent|texted|emailed|received|got)\b`,
    String.raw`\b(?:card|credit\s+card|debit\s+card)\s+(?:numbers?|details|info(?:rmation)?|digits)\b`,
    String.raw`\b(?:cvv|cvc|cvv2|security\s+digits|iban|bank\s+(?:details|account|login)|routing\s+number|ssn|social\s+security(?:\s+number)?|passport(?:\s+(?:number|scan|photo))?|national\s+insurance|driv(?:er'?s|ing)\s+licen[cs]e)\b`,
    // "the string that starts with sk-", "your sk-… value", "the first characters of it".
    String.raw`(?:^|[^\w-])(?:sk|rk|pk)[-_](?:live_|proj-|ant-)?`,
    String.raw`\b(?:string|value|text|characters?)\s+(?:that\s+|which\s+)?(?:starts?|begins?)\s+with\b`,
  ].join("|"),
  "i",
);
const PERSONAL =
  /\b(?:personal\s+(?:data|information|details)|e-?mail\s+address|phone\s+number|home\s+address|date\s+of\s+birth|id\s+(?:card|document)|full\s+name)\b/i;
const PRIVATE_CHANNEL = /\b(?:dms?|direct\s+messages?|private\s+messages?|telegram|whatsapp|signal|discord|on\s+this\s+server)\b/i;

/** Verbs of handing something over, by stem; every inflection is accepted. Each entry: [stem pattern, outward]. */
const OUTWARD_VERBS = String.raw`send|sends|sent|sending|e-?mail(?:s|ed|ing)?|mail(?:s|ed|ing)?|dm(?:s|'?d|ed|ing)?|pm(?:s|'?d|ed|ing)?|message(?:s|d)?|messaging|forward(?:s|ed|ing)?|repl(?:y|ies|ied|ying)|respond(?:s|ed|ing)?|text(?:s|ed|ing)?|tell(?:s|ing)?|told|give(?:s|n)?|gave|giving|hand(?:s|ed|ing)?\s+(?:over|in)|pass(?:es|ed|ing)?\s+(?:along|on)|disclos(?:e|es|ed|ing)|reveal(?:s|ed|ing)?|shar(?:e|es|ed|ing)|transmit(?:s|ted|ting)?|whisper(?:s|ed|ing)?|read\s+out|let\s+(?:us|me|them|the\s+\w+)\s+know`;
const PLACED_VERBS = String.raw`post(?:s|ed|ing)?|past(?:e|es|ed|ing)|submit(?:s|ted|ting)?|provid(?:e|es|ed|ing)|enter(?:s|ed|ing)?|upload(?:s|ed|ing)?|includ(?:e|es|ed|ing)|typ(?:e|es|ed|ing)|drop(?:s|ped|ping)?|put(?:s|ting)?|writ(?:e|es|ing|ten)|wrote|attach(?:es|ed|ing)?|leav(?:e|es|ing)|left|verif(?:y|ies|ied|ying)|confirm(?:s|ed|ing)?|fill(?:s|ed|ing)?\s+in|add(?:s|ed|ing)?`;
const VERB = new RegExp(String.raw`\b(?:(${OUTWARD_VERBS})|(${PLACED_VERBS}))\b`, "gi");

/** Where a thing is handed: a person or team, a place to put it, a private channel. Links and addresses count too. */
const DESTINATION = new RegExp(
  [
    String.raw`\b(?:to|with|for)\s+(?:us|me|them|him|her|our\s+\w+|(?:the|an?|any|one\s+of\s+the|this|that)\s+(?:\w+\s+)?(?:admins?|administrators?|moderators?|mods?|staff|team|support|agents?|bot|desk|form|person|representative|officer|engineer|employee|channel|thread))\b`,
    String.raw`\b(?:this|that|the\s+following|our|below)\s+(?:e-?mail\s+)?address\b`,
    String.raw`\b(?:in|into|on|via|through|at|using|under|inside)\s+(?:this|the|our|a|that|your)\s+(?:\w+\s+)?(?:channel|thread|chat|server|form|field|box|link|page|portal|ticket|comments?|reply|replies|dms?|message|bot|discord|telegram|whatsapp|signal|survey|sheet|doc|document|website|site)\b`,
    String.raw`\b(?:below|above|here|in\s+(?:the\s+)?(?:comments|replies|chat))\b`,
    // A channel (#key-rotation, <#123>) or a handle (@KeyBot) as the place or person to give it to.
    String.raw`(?:^|\s)#[\w-]{2,}|<#\d+>|(?:^|\s)@[A-Za-z][\w.-]+`,
    PRIVATE_CHANNEL.source,
  ].join("|"),
  "i",
);
const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.[\p{L}]{2,}/u;

/** A negation of the hand-over: close before the verb (or between a passive subject and its participle). */
const NEGATION =
  /\b(?:never|not|no|don'?t|do\s+not|doesn'?t|won'?t|will\s+not|must\s+not|mustn'?t|should\s+not|shouldn'?t|cannot|can'?t|avoid|nobody|no\s+one|without|refrain\s+from|under\s+no\s+circumstances)\b/i;
/** What ends the clause a negation governs. */
const CLAUSE_BREAK = /[,;:—–()]|\b(?:but|then|so|instead|however|otherwise|just)\b/i;
/** A hand-over by the site to the reader ("we send you a code", "OpenAI will provide you with a key") is not a request. */
/** "your email address", "by text", "a reply": the verb's word used as a noun. */
const NOUN_USE_BEFORE = /\b(?:your|the|an?|our|their|his|her|its|by|via|per|of|this|that|these|those|any|each|every|no|first|last)\s+$/i;
const NOUN_USE_AFTER =
  /^\s+(?:address(?:es)?|accounts?|inbox(?:es)?|notifications?|domains?|providers?|clients?|lists?|threads?|body|header|history|logs?|templates?|boxes?|fields?)\b/i;
/** Phrases with a negation word that urge rather than forbid. */
const NOT_NEGATION = /\b(?:(?:do\s+not|don'?t|never)\s+(?:hesitate|forget|delay|wait)|not\s+only|no\s+later\s+than|no\s+matter|no\s+need\s+to\s+wait)\b/gi;
const HYPOTHETICAL = /\b(?:if|whenever|in\s+case|should\s+you|accidentally|by\s+mistake|inadvertently|mistakenly)\b/i;
/** A gerund is a request only after words like these ("we recommend emailing …", "verify by pasting …"). */
const GERUND_REQUEST = /\b(?:by|recommend|suggest|try|consider|start|begin|continue|keep|appreciate|requires?|mean[s]?)\s+(?:\w+\s+)?$/i;
const SITE_ACTOR =
  /\b(?:we|i|openai|it|they|the\s+(?:system|service|platform|dashboard|api))\s+(?:(?:will|'ll|may|might|can|could|would|shall|always|automatically|also|then|only|do|does|first|typically|usually)\s+)*$/i;
const TO_READER = /^\s*(?:you|users?|customers?|members?)\b(?!\s+(?:must|should|can|need|have))/i;
const PASSIVE_BEFORE = /\b(?:is|are|be|been|being|was|were|gets?|got)\s+(?:\w+\s+){0,2}$/i;
/** Words that end the phrase a verb governs (its object and destination). */
const OBJECT_END = /[.;!?](?=\s|$)|\b(?:if|when|whenever|because|unless|once|after|before|while|since|although|though|without)\b/i;
/** "send requests with your API key": the thing sent is a request; the key only goes with it, as it must. */
const OTHER_OBJECT =
  /^\s+(?:(?:your|the|all|each|every|an?|any|these|those|api|http)\s+){0,2}(?:requests?|calls?|queries|traffic|prompts?|payloads?|headers?|jobs?|batch(?:es)?|files?)\b/i;
/** "Moderators need your token: send it via DM": a pronoun standing for a secret named earlier in the sentence. */
const PRONOUN_OBJECT = /^\s+(?:it|them|this|that|these|those|the\s+(?:value|string|code|same))\b/i;

const INJECTION =
  /\b(?:ignore|disregard|forget)\s+(?:all\s+|any\s+|the\s+)?(?:previous|prior|above|earlier|preceding|your)\s+(?:instructions|prompts?|rules|messages|directions)\b|\b(?:system\s+prompt|you\s+are\s+now\s+(?:a|an|in)\b|as\s+an\s+ai\s+(?:model|assistant),?\s+(?:you\s+)?(?:must|should))/i;

const INVITE_HOSTS = /^(?:discord\.gg|dsc\.gg|discord(?:app)?\.com\/invite)(?:\/|$)/i;

export const ASKS_FOR_SECRETS = "asks readers to send credentials or personal data";

export function unsafeReason(text: string): string | null {
  if (findLinks(text).some((link) => INVITE_HOSTS.test(normaliseLink(link.raw)))) return "links a Discord invite";
  if (hasMaskedLink(text)) return "has a link whose text shows another address";
  if (sentencesOf(text).some(asksForSecrets)) return ASKS_FOR_SECRETS;
  return null;
}

/**
 * "Ignore previous instructions …": text aimed at a language model. Not a reason to skip a passage by itself (the
 * output guard already removes what such text could plant: links, pings, personal data), but moderators are told,
 * and the passage vouches for no outside address (`asksForSecretsAnywhere`).
 */
export function plantsInstructions(text: string): boolean {
  return INJECTION.test(text);
}

/** Passages with nothing `unsafeReason` flags, for callers that choose what to quote. */
export function withoutUnsafePassages<T extends { text: string }>(passages: readonly T[]): T[] {
  return passages.filter((p) => unsafeReason(p.text) === null);
}

/**
 * Whether a passage asks for secrets (or plants instructions for a model) anywhere in it: such a passage's
 * addresses and links are not trusted even in its other sentences (see `collectAllowance`).
 */
export function asksForSecretsAnywhere(text: string): boolean {
  return INJECTION.test(text) || sentencesOf(text).some(asksForSecrets);
}

/** The registrable domain of a URL, an email address or a bare host, for "is this on the page's own site". */
export function siteOf(address: string): string | null {
  const at = address.lastIndexOf("@");
  const host = (
    at >= 0 && !address.includes("/")
      ? address.slice(at + 1)
      : normaliseLink(address)
          .split(/[/?#]/)[0]!
          .replace(/^[^@]*@/, "")
  ).replace(/:\d+$/, "");
  return getDomain(host, { allowPrivateDomains: true }) ?? (host === "" ? null : host.toLowerCase());
}

function sentencesOf(text: string): string[] {
  // Table cells and <br> line breaks end a sentence too (policy tables put several items on one line).
  return text.split(/(?<=[.!?])\s+|\n+|<br\s*\/?>|\s\|\s/i).filter((s) => s.trim() !== "");
}

function asksForSecrets(sentence: string): boolean {
  // Short-circuit: most sentences name no secret at all.
  const namesSecret = SECRET.test(sentence);
  const namesPersonal = !namesSecret && PERSONAL.test(sentence) && PRIVATE_CHANNEL.test(sentence);
  if (!namesSecret && !namesPersonal) return false;
  const secretIn = (s: string) => SECRET.test(s) || (namesPersonal && PERSONAL.test(s));
  for (const match of sentence.matchAll(VERB)) {
    const at = match.index;
    const before = sentence.slice(0, at);
    const after = sentence.slice(at + match[0].length);
    const span = after.slice(0, OBJECT_END.exec(after)?.index ?? after.length);
    const gerund = /ing$/i.test(match[0]);
    if ((!gerund && NOUN_USE_BEFORE.test(before)) || NOUN_USE_AFTER.test(after)) continue;
    if (negated(before) || hypothetical(before)) continue;
    if (gerund && !GERUND_REQUEST.test(before)) continue;
    const participle = /(?:ed|en|t|'d)$/i.test(match[0]);
    const passive = participle && (PASSIVE_BEFORE.test(before) || SECRET.test(before.split(/\s+/).slice(-5).join(" ")));
    const names = (s: string) => DESTINATION.test(s) || EMAIL.test(s) || findLinks(s).length > 0;
    const destination = names(span);
    const byReader = !SITE_ACTOR.test(before) && !TO_READER.test(span);
    // Active: the secret is what the verb hands over (in the phrase after it), given by the reader, not to them. A
    // placed verb ("include your key") may name its destination later in the sentence ("… when you email x@…").
    if (secretIn(span) && byReader && !OTHER_OBJECT.test(span) && (match[1] !== undefined || destination || names(after))) return true;
    // "… your token: send it via DM".
    if (PRONOUN_OBJECT.test(span) && byReader && destination && secretIn(before)) return true;
    // Passive or participle: "API keys should be emailed to …", "any key sent to … is rotated".
    if (passive && destination && secretIn(lastClause(before))) return true;
  }
  return false;
}

function negated(before: string): boolean {
  const words = currentClause(before).replace(NOT_NEGATION, " ").trim().split(/\s+/).slice(-5).join(" ");
  return NEGATION.test(words);
}

/** "If you accidentally share your key, …": a hand-over described as something that may happen is not a request. */
function hypothetical(before: string): boolean {
  return HYPOTHETICAL.test(currentClause(before));
}

function currentClause(before: string): string {
  return before.split(CLAUSE_BREAK).at(-1)!;
}

function lastClause(before: string): string {
  return before
    .split(/[.;!?]/)
    .at(-1)!
    .split(/\s+/)
    .slice(-12)
    .join(" ");
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
