import { createRequire } from "node:module";
import { isIPv6 } from "node:net";
import type nlpTwo from "compromise/two";
import { electronicFormatIBAN, isValidIBAN } from "ibantools";
import type * as phoneNumbers from "libphonenumber-js/max";
import { normaliseToken } from "../../retrieval/text-terms.ts";
import { defaultVocabulary, type Vocabulary } from "../../retrieval/vocabulary.ts";

/**
 * The detectors behind redaction, run on Unicode-normalised text (see normalised-view.ts). Kept libraries do the
 * judging where one exists — libphonenumber-js for phones, ibantools for IBANs, Node's own IPv6 parser, compromise's
 * person lexicon for names — and the rule tables below only find candidates or name a cue ("my password is").
 * Pure and conservative: a false positive costs a word, a miss leaks a secret.
 */
const require = createRequire(import.meta.url);
let tagger: typeof nlpTwo | undefined;
/**
 * compromise's tagger (lexicon and part-of-speech tags, which include first and last names). It takes about half a
 * second to load, so it is loaded on first use: only a question with a name or password cue pays that, once.
 */
function nlp(text: string) {
  tagger ??= require("compromise/two") as typeof nlpTwo;
  return tagger(text);
}

let phoneLibrary: typeof phoneNumbers | undefined;
/** libphonenumber-js with its full metadata, loaded on first use: only a text with seven digits or more needs it. */
function phones(): typeof phoneNumbers {
  phoneLibrary ??= require("libphonenumber-js/max") as typeof phoneNumbers;
  return phoneLibrary;
}

export type RedactionKind =
  | "email"
  | "secret"
  | "password"
  | "card"
  | "iban"
  | "phone"
  | "ip"
  | "url-credential"
  | "id-number"
  | "birth-date"
  | "address"
  | "name";

export interface Span {
  kind: RedactionKind;
  start: number;
  end: number;
}

/**
 * A rule: a pattern with the `d` flag for match indices. When it has a group named `v`, only that group is the
 * personal data (the cue before it, "my password is", stays); `accept` can reject a candidate.
 */
interface Rule {
  id: string;
  kind: RedactionKind;
  pattern: RegExp;
  accept?: (value: string) => boolean;
}

const hasDigit = (s: string) => /\d/.test(s);
/** "gpt-4o-realtime-preview-2025-06-03": words and date parts joined by dashes are a model name, not a key. */
const wordsAndDates = (s: string) =>
  /[-_]/.test(s) &&
  s.split(/[-_]+/).every((part) => /^[a-z]+$/i.test(part) || /^\d+$/.test(part) || /^[a-z]{1,4}\d{1,2}[a-z]?$/i.test(part) || /^\d[a-z]{1,2}$/i.test(part));
/** Base64 of readable sentences is a (possibly hostile) message, not a key: a key's bytes are random. */
const encodesText = (s: string) => {
  const decoded = Buffer.from(s, "base64").toString("latin1");
  return /^[\x20-\x7e]{16,}$/.test(decoded) && / \w+ /.test(decoded);
};
/** `<your-key>`, `${API_KEY}`, `xxxx`, `true`: a placeholder or a setting, not a secret. */
const notPlaceholder = (v: string) => !/^(?:true|false|null|none|undefined|string|required|optional|<[^>]*>|\$\{?\w+\}?|x{4,}|\*{3,}|\.{3,})$/i.test(v);
const mixedCase = (s: string) => /[a-z]/.test(s) && /[A-Z]/.test(s) && /\d/.test(s);

/** Provider keys and tokens, after gitleaks' rule ids. Pasted keys are exact shapes, so these are precise. */
const SECRET_RULES: Rule[] = [
  { id: "openai-anthropic-api-key", kind: "secret", pattern: /\b(?:sk|pk|rk)-[A-Za-z0-9_-]{12,}/dg },
  { id: "stripe-key", kind: "secret", pattern: /\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{10,}/dg },
  { id: "openai-org-user-project-id", kind: "secret", pattern: /\b(?:org|user|proj)-[A-Za-z0-9]{16,}\b/dg },
  { id: "aws-access-key-id", kind: "secret", pattern: /\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA)[A-Z0-9]{16}\b/dg },
  // 40 base64 characters with upper, lower and digits: the shape of an AWS secret access key.
  { id: "aws-secret-access-key", kind: "secret", pattern: /(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/dg, accept: mixedCase },
  { id: "github-token", kind: "secret", pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{22,})/dg },
  { id: "gitlab-token", kind: "secret", pattern: /\bglpat-[A-Za-z0-9_-]{20,}/dg },
  { id: "slack-token", kind: "secret", pattern: /\bxox[abprse]-[A-Za-z0-9-]{10,}|\bxapp-\d-[A-Za-z0-9-]{10,}|\bhooks\.slack\.com\/services\/[A-Za-z0-9/]+/dg },
  { id: "google-api-key", kind: "secret", pattern: /\bAIza[0-9A-Za-z_-]{30,}/dg },
  { id: "huggingface-token", kind: "secret", pattern: /\bhf_[A-Za-z0-9]{30,}/dg },
  { id: "npm-token", kind: "secret", pattern: /\bnpm_[A-Za-z0-9]{36}\b/dg },
  { id: "sendgrid-key", kind: "secret", pattern: /\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}/dg },
  { id: "discord-bot-token", kind: "secret", pattern: /\b[MNO][A-Za-z\d_-]{23,25}\.[A-Za-z\d_-]{6}\.[A-Za-z\d_-]{27,}/dg },
  { id: "jwt", kind: "secret", pattern: /\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/dg },
  {
    id: "private-key",
    kind: "secret",
    pattern: /-{3,}\s*BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?\s*-{3,}[\s\S]*?(?:-{3,}\s*END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?\s*-{3,}|$)/dgi,
  },
  { id: "putty-private-key", kind: "secret", pattern: /PuTTY-User-Key-File-\d[\s\S]*?(?:Private-MAC:\s*\S+|$)/dg },
  // `AWS_SECRET_ACCESS_KEY=…`, `export OPENAI_API_KEY="…"`, `"client_secret": "…"`, `DB_PASSWORD: …`: a variable whose
  // name ends in a secret word, assigned a value. The name must look like an identifier (an underscore, a dash or a dot
  // inside, or all capitals), so prose such as "Key: retention" is not taken.
  {
    id: "secret-assignment",
    kind: "secret",
    pattern:
      /(?<![\w-])["'`]?(?:[A-Za-z0-9]+[_.-])+(?:key|secret|token|password|passwd|pwd|pass|passphrase|credentials?|auth)["'`]?\s*(?::=|=>|=|:)\s*["'`]?(?<v>[^\s"'`,;]{4,})/dgi,
    accept: notPlaceholder,
  },
  {
    id: "secret-assignment-capitals",
    kind: "secret",
    pattern: /(?<![\w-])[A-Z0-9]*(?:KEY|SECRET|TOKEN|PASSWORD|PASSWD|PWD|PASSPHRASE)\s*(?::=|=>|=|:)\s*["'`]?(?<v>[^\s"'`,;]{4,})/dg,
    accept: notPlaceholder,
  },
  // Connection strings of any scheme with a password: postgres://user:pw@host, mongodb+srv://…, redis://:pw@host.
  { id: "connection-string", kind: "url-credential", pattern: /\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:(?<v>[^\s@/]+)@[^\s]+/dgi },
  { id: "connection-string-password", kind: "password", pattern: /(?:^|[;\s])(?:password|pwd)\s*=\s*(?<v>[^;\s]+)/dgi },
  {
    id: "authorization-header",
    kind: "secret",
    pattern: /\b(?:bearer|basic|token)\s+(?<v>[A-Za-z0-9._~+/=-]{6,})/dgi,
    accept: (v) => hasDigit(v) || v.length >= 20,
  },
  {
    id: "keyed-secret",
    kind: "secret",
    pattern:
      /\b(?:api[\s_-]?key|secret(?:[\s_-]?(?:access[\s_-]?)?key)?|access[\s_-]?key|client[\s_-]?secret|token)\b\s*(?:is|=|:)\s*["'`]?(?<v>[A-Za-z0-9._~+/=-]{8,})/dgi,
    accept: hasDigit,
  },
  // Long hex or base64-like runs (Azure keys, bearer tokens) that mix letters and digits.
  {
    id: "generic-high-entropy",
    kind: "secret",
    pattern: /\b(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]{32,}\b/dg,
    accept: (v) => !encodesText(v) && !wordsAndDates(v),
  },
];

const MONTH = "(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)";
const DATE = `(?:\\d{1,2}[./-]\\d{1,2}[./-]\\d{2,4}|\\d{4}-\\d{2}-\\d{2}|(?:\\d{1,2}(?:st|nd|rd|th)?\\s+(?:of\\s+)?)?${MONTH}\\.?(?:\\s+\\d{1,2}(?:st|nd|rd|th)?)?,?\\s+\\d{4})`;
const NUMBER_WORD =
  "(?:(?:twenty|thirty)[\\s-]+)?(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|thirtieth|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|oh|and)";
/** A date of birth in words or mixed ("the fourteenth of March nineteen eighty-seven", "March 14th '87"). */
const DATE_IN_WORDS = `(?:(?:the|of|${NUMBER_WORD}|\\d{1,4}(?:st|nd|rd|th)?|'\\d{2}|${MONTH}\\.?)(?:[\\s,/-]+|$)){2,12}`;
const STREET =
  "(?:Street|St|Road|Rd|Avenue|Ave|Boulevard|Blvd|Lane|Ln|Drive|Dr|Way|Court|Ct|Place|Pl|Square|Sq|Terrace|Close|Crescent|Parkway|Pkwy|Highway|Hwy|Straße|Strasse)";

/** Personal data recognised by its shape or by the words before it. */
const CONTEXT_RULES: Rule[] = [
  { id: "email", kind: "email", pattern: /[\p{L}\p{N}._%+-]+ ?@ ?[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}/dgu },
  { id: "email-bracketed-at", kind: "email", pattern: /[\w.+-]+\s*[[({<]\s*at\s*[\])}>]\s*[\w-]+(?:(?:\s*[[({<]\s*dot\s*[\])}>]\s*|\.|\s+dot\s+)[\w-]+)*/dgi },
  { id: "email-spelled-out", kind: "email", pattern: /[\w.+-]+\s+at\s+[\w-]+(?:\s+dot\s+[\w-]+)+|[\w+-]+(?:\.[\w+-]+)+\s+at\s+[\w-]+(?:\.[\w-]+)+/dgi },
  // "daniel at acme.io": a person's word before " at " and a domain after it; "look at openai.com" is left alone.
  {
    id: "email-word-at-domain",
    kind: "email",
    pattern: /(?<![\w.@])[\p{L}\d+_-]{2,}\s*(?:\s|\[|\(|\{)at(?:\s|\]|\)|\})\s*[\p{L}\d-]+(?:\.[\p{L}\d-]+)*\.\p{L}{2,}\b/dgu,
    accept: (v) => {
      const local = v.split(/[\s[({]/)[0]!;
      return /[\d_+-]/.test(local) || !ordinaryWord(local);
    },
  },
  {
    id: "url-credential",
    kind: "url-credential",
    pattern: /\bhttps?:\/\/[^\s/]*(?:\.openai\.azure\.com|\.azure\.com|\.cognitiveservices\.azure\.com)\S*|\bhttps?:\/\/[^\s:/@]+:[^\s@/]+@\S+/dgi,
  },
  {
    id: "password",
    kind: "password",
    pattern:
      /\b(?<cue>my|our|the)?\s*(?:password|passwd|passcode|passphrase|pass\s+phrase|pwd|pw|pin)\b(?:\s+for\s+[\w.-]+)?(?:\s+(?:is|was)(?:\s*[:=])?|\s+(?:=|:)|\s*[:=]|\s+[-–—]\s+)\s*(?<v>"[^"\n]{1,120}"|'[^'\n]{1,120}'|“[^”\n]{1,120}”|‘[^’\n]{1,120}’|`[^`\n]{1,120}`|[^\s"'`“‘]+)/dgi,
  },
  { id: "card-security-code", kind: "card", pattern: /\b(?:cvv2?|cvc2?|csc|cid|security\s+code)\b\s*(?:is|:|=|#)?\s*(?<v>\d{3,4})\b/dgi },
  {
    id: "card-expiry",
    kind: "card",
    pattern: /\b(?:exp(?:iry|ires|iration)?(?:\s+date)?|valid\s+(?:thru|through|until))\.?\s*(?:is|:)?\s*(?<v>(?:0?[1-9]|1[0-2])\s*[/-]\s*(?:20)?\d{2})\b/dgi,
  },
  { id: "ssn", kind: "id-number", pattern: /\b\d{3}-\d{2}-\d{4}\b/dg },
  {
    id: "national-id-in-context",
    kind: "id-number",
    pattern:
      /\b(?:ssn|social\s+security(?:\s+number)?|national\s+insurance(?:\s+number)?|tax\s+id|nino|ni(?=\s+(?:no|number)|\s*[:#]))\b(?:\s*(?:no\.?|number|#|is|:))*\s*(?<v>\d{3}[\s-]?\d{2}[\s-]?\d{4}|[A-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D])\b/dgi,
  },
  // UK National Insurance numbers (prefix letters as issued) and UK driving licence numbers have their own shapes.
  { id: "uk-nino", kind: "id-number", pattern: /\b(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b/dg },
  { id: "uk-driving-licence", kind: "id-number", pattern: /\b[A-Z9]{5}\d[0156]\d{4}[A-Z9]{2}\d[A-Z]{2}(?:\s?\d{2})?\b/dg },
  {
    id: "other-national-id-in-context",
    kind: "id-number",
    pattern:
      /\b(?:aadhaar|aadhar|pan(?:\s+card)?|dni|nie|nif|codice\s+fiscale|steuer-?id|tin|sin|bsn|personnummer|pesel|cpf|curp|nric|national\s+id|id\s+number|tax\s+(?:id|number)|licen[cs]e\s+(?:no\.?|number))\b(?:\s*(?:no\.?|number|#|is|:))*\s*(?<v>[A-Z0-9][A-Z0-9 ./-]{4,20}[A-Z0-9])\b/dgi,
    accept: (v) => (v.match(/\d/g)?.length ?? 0) >= 4,
  },
  {
    id: "document-number-in-context",
    kind: "id-number",
    pattern:
      /\b(?:passport|id\s+card|identity\s+card|driver'?s\s+licen[cs]e|driving\s+licen[cs]e|licen[cs]e)(?:\s+(?:no\.?|number|num|#))?\s*(?:is|:|#)?\s*(?<v>[A-Z0-9][A-Z0-9-]{5,14})\b/dgi,
    accept: hasDigit,
  },
  {
    id: "birth-date",
    kind: "birth-date",
    pattern: new RegExp(
      `\\b(?:born(?:\\s+on)?|date\\s+of\\s+birth|d\\.?o\\.?b\\.?|birth\\s*day|birth\\s*date)(?:\\s+(?:is|was))?\\s*[:-]?\\s*(?<v>${DATE}|${DATE_IN_WORDS})`,
      "dgi",
    ),
  },
  { id: "ipv4", kind: "ip", pattern: /\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\b/dg },
  { id: "ipv6", kind: "ip", pattern: /(?<![\w:])(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}(?![\w:])/dgi, accept: (v) => isIPv6(v) && /[0-9a-f]{2}/i.test(v) },
  // A house number with a street word ("221B Baker Street", "1200 Harbor Blvd Suite 410"), or after a cue in lower case.
  {
    id: "street-address",
    kind: "address",
    pattern: new RegExp(`\\b\\d{1,5}[A-Za-z]?\\s+(?:\\p{Lu}[\\p{L}.']*\\s+){1,4}${STREET}\\b\\.?(?:,?\\s*(?:Suite|Ste|Apt|Unit|Flat|#)\\s*\\w+)?`, "dgu"),
  },
  {
    id: "street-address-after-cue",
    kind: "address",
    pattern: new RegExp(
      `\\b(?:live|living|lives|located|based|ship|send|deliver|address)\\b(?:\\s+(?:at|to|is|on))?\\s*:?\\s*(?<v>\\d{1,5}[a-z]?\\s+(?:[\\p{L}.']+\\s+){1,4}${STREET})\\b`,
      "dgiu",
    ),
  },
  {
    id: "street-address-continental",
    kind: "address",
    pattern: /\b(?:ul|str|al)\.\s*\p{Lu}[\p{L}-]+\s+\d+[\w/]*|\b\d{2}-\d{3}\s+\p{Lu}\p{L}+|\b\p{Lu}\p{L}+\s+[A-Z]{2}\s+\d{5}(?:-\d{4})?\b/dgu,
  },
  { id: "uk-postcode", kind: "address", pattern: /\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b/dg },
];

/** Words that follow a password cue in ordinary questions ("my password is reset", "the password is required"). */
function plausiblePassword(value: string, hasOwner: boolean, after: string): boolean {
  const word = value.replace(/[.,;!?)]+$/, "");
  if (word.length < 4) return false;
  if (/[^\p{L}]/u.test(word)) return true;
  // A bare word is a password only when the sentence ends with it: "my password is swordfish." vs "… is reset every 90 days".
  if (!hasOwner || !/^\s*(?:$|[,.;:!?)—–-])/.test(after)) return false;
  return !nlp(word.toLowerCase()).has("(#Verb|#Adjective|#Adverb|#Determiner|#Preposition|#Pronoun|#Conjunction|#QuestionWord)");
}

export function detectByRules(text: string): Span[] {
  nlpBudget = NLP_CALLS_PER_TEXT;
  const spans: Span[] = [];
  for (const rule of [...SECRET_RULES, ...CONTEXT_RULES]) {
    for (const match of text.matchAll(rule.pattern)) {
      const [start, end] = match.indices?.groups?.v ?? match.indices![0]!;
      let value = text.slice(start, end);
      if (rule.kind === "password" && !plausiblePassword(value, Boolean(match.groups?.cue), text.slice(end))) continue;
      if (rule.accept && !rule.accept(value)) continue;
      value = value.replace(/[.,;!?)]+$/, "");
      spans.push({ kind: rule.kind, start, end: start + value.length });
    }
  }
  return spans;
}

/**
 * Card numbers: 13 to 19 digits (with or without spaces or dashes) that pass the Luhn check, with an expiry
 * ("11/27", "exp 11/27") and a security code after them taken too.
 */
export function detectCards(text: string): Span[] {
  const spans: Span[] = [];
  for (const match of text.matchAll(CARD_RUN) as IterableIterator<RegExpMatchArray & { index: number }>) {
    // Try the whole run, then without trailing groups: "4444 11" is a card number followed by an expiry month.
    const groups = [...match[0].matchAll(/\d+/g)];
    for (let keep = groups.length; keep >= 1; keep--) {
      const last = groups[keep - 1]!;
      const candidate = match[0].slice(0, last.index! + last[0].length);
      const digits = candidate.replace(/\D/g, "");
      if (digits.length < 13) break;
      if (digits.length > 19 || !cardShaped(groups.slice(0, keep).map((g) => g[0].length)) || !luhnOk(digits)) continue;
      const start = match.index;
      const after =
        /^\s*[,;(]?\s*(?:(?:exp(?:iry|ires|iration)?(?:\s+date)?|valid\s+(?:thru|through|until))\.?\s*:?\s*)?(?:0?[1-9]|1[0-2])\s*[/-]\s*(?:20)?\d{2}\b(?:\s*[,;]?\s*(?:cvv2?|cvc2?|csc|cid)?\s*:?\s*\d{3,4}\b)?/i.exec(
          text.slice(start + candidate.length),
        );
      spans.push({ kind: "card", start, end: start + candidate.length + (after?.[0].length ?? 0) });
      break;
    }
  }
  return spans;
}

/**
 * Digit groups joined by any separator a paste uses: spaces (one to three), dashes, en or em dashes, dots or slashes,
 * with or without spaces round them ("4111.1111.1111.1111", "4111 - 1111 - …", "4111/1111/…").
 */
const GROUP_SEPARATOR = String.raw`(?:[ \t]{1,3}|[ \t]?[-‐‑‒–—./_][ \t]?)`;
const CARD_RUN = new RegExp(String.raw`(?<![\d.])\d+(?:${GROUP_SEPARATOR}\d+){0,7}(?!\d)`, "g");

/** Card numbers are written as one run or in the issuers' groups (4-4-4-4…, 4-6-5, 4-6-4); other groupings are not cards. */
function cardShaped(lengths: readonly number[]): boolean {
  if (lengths.length === 1) return true;
  if (lengths.length === 3 && lengths[0] === 4 && lengths[1] === 6 && (lengths[2] === 4 || lengths[2] === 5)) return true;
  return lengths.slice(0, -1).every((n) => n === 4) && lengths.at(-1)! >= 1 && lengths.at(-1)! <= 4;
}

export function luhnOk(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

const IBAN_RUN = new RegExp(String.raw`\b[A-Z]{2}\d{2}(?:${GROUP_SEPARATOR}?[A-Z0-9]{4}){2,7}(?:${GROUP_SEPARATOR}?[A-Z0-9]{1,3})?\b`, "gi");

/** IBANs with or without spaces, valid by country length and checksum (ibantools). */
export function detectIbans(text: string): Span[] {
  const spans: Span[] = [];
  for (const match of text.matchAll(IBAN_RUN) as IterableIterator<RegExpMatchArray & { index: number }>) {
    let candidate = match[0];
    while (candidate.replace(/[^A-Z0-9]/gi, "").length >= 15) {
      if (isValidIBAN(electronicFormatIBAN(candidate.replace(/[^A-Z0-9]/gi, "")) ?? "")) {
        spans.push({ kind: "iban", start: match.index, end: match.index + candidate.length });
        break;
      }
      candidate = candidate.replace(new RegExp(`${GROUP_SEPARATOR}?[A-Z0-9]{1,4}$`, "i"), "");
    }
  }
  return spans;
}

/**
 * Regions whose national formats are tried when a number has no country code: the question rarely says where
 * its writer lives, so a number valid in any of them counts.
 */
const PHONE_REGIONS: phoneNumbers.CountryCode[] = ["US", "GB", "DE", "FR", "IN", "PL", "ES", "IT", "NL", "AU", "BR"];

const PHONE_RUN = /(?:\+|\(\s*)?\d[\d \t().–-]{5,24}\d/g;

/** Valid in one of the likely regions, or a possible number with its +country code. */
function isPhone(candidate: string, parse: (typeof phoneNumbers)["parsePhoneNumberFromString"]): boolean {
  const trimmed = candidate.trim();
  if (trimmed.startsWith("+")) return parse(trimmed.replace(/[^\d+]/g, ""))?.isPossible() ?? false;
  return PHONE_REGIONS.some((region) => parse(trimmed, region)?.isValid() ?? false);
}

/** Phone numbers: libphonenumber-js (valid in a likely region, or a possible +international number), or after a cue. */
export function detectPhones(text: string): Span[] {
  const spans: Span[] = [];
  // Every number kept below has seven digits or more: a text with fewer has none, and needs no metadata loaded.
  if ((text.match(/\d/g)?.length ?? 0) < 7) return spans;
  const { parsePhoneNumberFromString } = phones();
  const add = (start: number, end: number) => {
    const value = text.slice(start, end);
    // Digits glued to a word ("gpt-5-2025-08-07", "/articles/8590148-data-controls") belong to a name or a path.
    if (/[\p{L}\p{N}_/=.-]/u.test(text.charAt(start - 1)) || /^(?:[\p{L}\p{N}_]|-[\p{L}\p{N}])/u.test(text.slice(end, end + 2))) return;
    const digits = value.replace(/\D/g, "").length;
    // An ISO date or a version-like run is not a phone number, however a region's rules read it.
    if (
      digits < 7 ||
      value.includes("/") ||
      /^\d{1,4}\.\d+(?:-\d+)?$/.test(value) ||
      /§\s*$/.test(text.slice(Math.max(0, start - 3), start)) ||
      /^\d{4}-\d{2}-\d{2}$/.test(value) ||
      /^\d{1,2}[./]\d{1,2}[./]\d{2,4}$/.test(value)
    )
      return;
    spans.push({ kind: "phone", start, end });
  };
  // Each run of digits and phone punctuation is judged on its own (and without its trailing groups), instead of
  // scanning the whole text once per region: a 2,000-character paste of log lines took hundreds of milliseconds.
  for (const match of text.matchAll(PHONE_RUN) as IterableIterator<RegExpMatchArray & { index: number }>) {
    let candidate = match[0];
    for (let drops = 0; drops < 4 && (candidate.match(/\d/g)?.length ?? 0) >= 7; drops++) {
      if (isPhone(candidate, parsePhoneNumberFromString)) {
        add(match.index, match.index + candidate.length);
        break;
      }
      candidate = candidate.replace(/[\s().–-]*\d+[\s().–-]*$/, "");
    }
  }
  const cue =
    /\b(?:call|phone|tel|mobile|cell|whatsapp|signal|text|reach|ring|number)\b(?:\s+(?:me|us|is|at|on|number))*\s*[:#]?\s*(?<v>\(?\+?\d[\d\s().-]{5,18}\d)/dgi;
  for (const match of text.matchAll(cue)) {
    const [start, end] = match.indices!.groups!.v!;
    add(start, end);
  }
  return spans;
}

const WORD = "[\\p{L}][\\p{L}'’]*(?:-[\\p{L}][\\p{L}'’]*)*";
/**
 * Cues that a name follows. After a strong cue ("my name is") the first word is taken unless it is an ordinary word;
 * after a weak one ("I'm", "this is", a sign-off) a word counts only if it reads as a name.
 */
const NAME_CUES: Array<{ pattern: RegExp; strong: boolean }> = [
  {
    pattern:
      /\b(?:my\s+(?:full\s+|first\s+|last\s+|legal\s+|real\s+|given\s+)?name\s+is|my\s+(?:full\s+)?name's|my\s+name\s*:|(?:full\s+)?name\s*:|(?:you\s+can\s+|they\s+)?call\s+me|i\s+am\s+called|i'm\s+called|im\s+called|i\s+go\s+by|signed)\s+/giu,
    strong: true,
  },
  { pattern: /\b(?:i\s+am|i'm|im|this\s+is|it's|here\s+is)\s+/giu, strong: false },
  // A signature: "— Aarav Patel" on its own line, or "Thanks, Sam" / "Regards,\nPriya Nair".
  { pattern: /(?:^|\n)[ \t]*(?:—|–|--|~)[ \t]*/gu, strong: true },
  { pattern: /\b(?:thanks|thank\s+you|thx|cheers|regards|best\s+regards|kind\s+regards|best\s+wishes|best|sincerely|br)\s*[,!.—–-]+\s*/giu, strong: false },
  // A sign-off without a comma ("Thanks Sam", "Regards Priya Nair") counts only as the last words of its line.
  {
    pattern:
      /(?:^|(?<=[.!?]\s*))[ \t]*(?:thanks|thank\s+you|many\s+thanks|thx|cheers|regards|best\s+regards|kind\s+regards|sincerely|br)[ \t]+(?=(?:[\p{L}][\p{L}'’-]*[ \t]*){1,3}[.!]?[ \t]*$)/gimu,
    strong: false,
  },
];
const CANDIDATE = new RegExp(`^(${WORD})(?:[ \\t]+(${WORD}))?(?:[ \\t]+(${WORD}))?`, "u");
// At the start of the text, after the bot's mention (every mention starts with one), after a sentence or a greeting.
const GREETING_NAME = new RegExp(
  `(?:^|(?<=^(?:\\s*<@[!&]?\\d+>)+\\s*)|(?<=[.!?\\n]\\s*)|(?<=\\b(?:hi|hey|hello|yo)[,!]?\\s+))(${WORD}(?:[ \\t]+${WORD})?)(?=[ \\t]+here\\b)`,
  "giu",
);
const TITLED_NAME = /\b(?:Dr|Mr|Mrs|Ms|Mx|Prof)\.?\s+\p{Lu}\p{L}+(?:\s+\p{Lu}\p{L}+)?/gu;
const NOT_A_NAME = "(#Verb|#Adjective|#Adverb|#Determiner|#Preposition|#Pronoun|#Conjunction|#QuestionWord|#Organization|#Expression|#Negative)";

export function detectNames(text: string): Span[] {
  nlpBudget = NLP_CALLS_PER_TEXT;
  const spans: Span[] = [];
  for (const { pattern, strong } of NAME_CUES) {
    for (const cue of text.matchAll(pattern) as IterableIterator<RegExpMatchArray & { index: number }>) {
      const at = cue.index + cue[0].length;
      const length = nameLength(text.slice(at), strong);
      if (length > 0) spans.push({ kind: "name", start: at, end: at + length });
    }
  }
  // "Marta Kowalczyk here", "hey, tom here", and titles ("Dr. Alan Reyes"). A name without a cue is not looked for:
  // product names read as people ("Claude Code"), and a question rarely names a third person.
  for (const match of text.matchAll(GREETING_NAME) as IterableIterator<RegExpMatchArray & { index: number }>) {
    const words = match[1]!.split(/[ \t]+/);
    if (!isProductWord(words[0]!) && words.every(readsAsName)) spans.push({ kind: "name", start: match.index, end: match.index + match[0].length });
  }
  for (const match of text.matchAll(TITLED_NAME) as IterableIterator<RegExpMatchArray & { index: number }>) {
    spans.push({ kind: "name", start: match.index, end: match.index + match[0].length });
  }
  return spans;
}

/** How many characters of `rest` (the text after a cue) are a name of up to three words; 0 if none. */
function nameLength(rest: string, strong: boolean): number {
  const words =
    CANDIDATE.exec(rest)
      ?.slice(1)
      .filter((w): w is string => Boolean(w)) ?? [];
  // A full name compromise knows ("priya sharma", "ana maria costa") counts word by word, whatever its case.
  const fullName = words.length > 1 && knownFullName(words);
  // "I am Azure OpenAI customer", "Thanks, OpenAI team", "This is ChatGPT Edu": a product or provider is no name.
  if (words.length > 0 && isProductWord(words[0]!) && !fullName) return 0;
  let taken = 0;
  for (const [i, word] of words.entries()) {
    const nameLike = readsAsName(word) || (fullName && !ordinaryWord(word));
    if (!nameLike && !(i === 0 && strong && !ordinaryWord(word))) break;
    taken++;
  }
  if (taken === 0) return 0;
  return new RegExp(`^${words.slice(0, taken).map(escapeRegExp).join("[ \\t]+")}`, "u").exec(rest)?.[0].length ?? 0;
}

/** A first or last name compromise knows, or a capitalised word that is no ordinary English word. */
function readsAsName(word: string): boolean {
  if (ordinaryWord(word)) return false;
  return /^\p{Lu}/u.test(word) || remembered(`person:${word.toLowerCase()}`, () => nlp(`My name is ${capitalise(word)}`).match("#Person").found);
}

function knownFullName(words: string[]): boolean {
  return remembered(`full-name:${words.join(" ").toLowerCase()}`, () => {
    const names = words.map(capitalise).join(" ");
    const person = nlp(`My name is ${names}`).match("#Person+").text();
    return person !== "" && names.startsWith(person);
  });
}

/** A word that is no name in ordinary English ("using", "not", "the", "curious"), an acronym, or a possessive. */
function ordinaryWord(word: string): boolean {
  if (/['’]s$/i.test(word) || word.length < 2 || /^[A-Z]{2,}$/.test(word)) return true;
  if (isProductWord(word)) return true;
  return remembered(`ordinary:${word.toLowerCase()}`, () => nlp(word.toLowerCase()).has(NOT_A_NAME));
}

/**
 * compromise takes a few ms per call; the same words come back in every question, so their verdicts are kept. A text
 * gets at most NLP_CALLS_PER_TEXT new calls: past that an unknown word gets `fallback`, so a question stuffed with
 * cues and made-up words stays fast (the fallbacks lean to redacting: a capitalised unknown word is taken as a name).
 */
const verdicts = new Map<string, boolean>();
const NLP_CALLS_PER_TEXT = 8;
let nlpBudget = NLP_CALLS_PER_TEXT;
function remembered(key: string, decide: () => boolean, fallback = false): boolean {
  let verdict = verdicts.get(key);
  if (verdict === undefined) {
    if (nlpBudget <= 0) return fallback;
    nlpBudget--;
    if (verdicts.size >= 20_000) verdicts.clear();
    verdict = decide();
    verdicts.set(key, verdict);
  }
  return verdict;
}

/**
 * Product and provider words, which read as names after "I am", "this is" or a sign-off: the vocabulary's provider
 * and audience phrases (their first words, and every word of a provider's name), and well-known products it lacks.
 */
const OTHER_PRODUCTS = [
  "aws",
  "amazon",
  "bedrock",
  "sagemaker",
  "copilot",
  "github",
  "bing",
  "office",
  "outlook",
  "teams",
  "slack",
  "zapier",
  "notion",
  "stripe",
  "perplexity",
  "cursor",
  "replit",
  "databricks",
  "snowflake",
  "salesforce",
  "hugging",
  "huggingface",
  "playground",
  "assistants",
  "realtime",
  "operator",
  "gpts",
  "edu",
  "enterprise",
  "business",
];
let productWords: ReadonlySet<string> | undefined;
export function productWordsOf(vocabulary: Vocabulary): Set<string> {
  const words = new Set(OTHER_PRODUCTS);
  for (const table of [vocabulary.providers, vocabulary.audiences]) {
    for (const [first, phrases] of table.byFirstToken) {
      words.add(first);
      if (table === vocabulary.providers) for (const phrase of phrases) for (const token of phrase.tokens) words.add(token);
    }
  }
  return words;
}
function isProductWord(word: string): boolean {
  productWords ??= productWordsOf(defaultVocabulary());
  const lower = word.toLowerCase();
  const head = lower.split(/[-‐]/)[0]!;
  return productWords.has(lower) || productWords.has(normaliseToken(lower)) || productWords.has(head);
}

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
