/**
 * Finds personal data and secrets in a question so they are removed before the text reaches an embedder,
 * a model, a log or an answer. Pure and conservative: a false positive costs a word, a miss leaks a secret.
 */
export type RedactionKind = "email" | "secret" | "card" | "phone" | "ip" | "url-credential" | "address" | "name";

export interface Redaction {
  kind: RedactionKind;
  start: number;
  end: number;
}

export interface RedactedText {
  text: string;
  kinds: RedactionKind[];
}

const PATTERNS: Array<[RedactionKind, RegExp]> = [
  ["email", /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.[\p{L}]{2,}/gu],
  // Provider keys (sk-..., sk-ant-..., sk-proj-...), GitHub/Slack/AWS/Google tokens, Discord bot tokens, JWTs.
  ["secret", /\b(?:sk|pk|rk)-[A-Za-z0-9_-]{12,}|\bgh[pousr]_[A-Za-z0-9]{20,}|\bxox[abprs]-[A-Za-z0-9-]{10,}|\bAKIA[0-9A-Z]{16}\b|\bAIza[0-9A-Za-z_-]{30,}|\b[MNO][A-Za-z\d_-]{23,25}\.[A-Za-z\d_-]{6}\.[A-Za-z\d_-]{27,}|\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/g],
  // Long hex or base64-like runs (Azure keys, bearer tokens) that mix letters and digits.
  ["secret", /\b(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]{32,}\b/g],
  ["url-credential", /\bhttps?:\/\/[^\s/]*(?:\.openai\.azure\.com|\.azure\.com|\.cognitiveservices\.azure\.com)\S*|\bhttps?:\/\/[^\s:/@]+:[^\s@/]+@\S+/gi],
  ["card", /\b(?:\d[ -]?){12,18}\d\b(?:\s*(?:exp(?:iry|ires)?\.?:?\s*)?\d{2}\s*\/\s*\d{2,4})?/gi],
  ["ip", /\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\b|\b(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}\b/gi],
  ["phone", /(?<![\w/])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?)?\d{2,5}(?:[\s.-]\d{2,6}){1,4}(?![\w/])|\+\d{8,15}\b/g],
  // Street addresses: a house number with a street word, or a Polish/German-style "ul./str." form.
  ["address", /\b\d{1,5}\s+(?:[A-Z][\p{L}.]*\s+){1,4}(?:St|Street|Ave|Avenue|Blvd|Boulevard|Rd|Road|Ln|Lane|Dr|Drive|Way|Ct|Court|Pl|Place)\b\.?(?:,?\s*(?:Suite|Ste|Apt|Unit|#)\s*\w+)?|\b(?:ul|str|al)\.\s*\p{Lu}[\p{L}-]+\s+\d+[\w/]*|\b\d{2}-\d{3}\s+\p{Lu}\p{L}+|\b\p{Lu}\p{L}+\s+[A-Z]{2}\s+\d{5}(?:-\d{4})?\b/gu],
  // Self-introductions and salutations carry a name: "Marta Kowalczyk here", "I'm Jane Doe", "Dr. Alan Reyes".
  ["name", /\b(?:Dr|Mr|Mrs|Ms|Prof)\.?\s+\p{Lu}\p{L}+(?:\s+\p{Lu}\p{L}+)?|\b\p{Lu}\p{L}+\s+\p{Lu}\p{L}+(?=\s+here\b)|(?<=\b(?:[Ii]'?m|[Mm]y name is|[Tt]his is)\s+)\p{Lu}\p{L}+\s+\p{Lu}\p{L}+/gu],
];

const LABEL: Record<RedactionKind, string> = {
  email: "[email]",
  secret: "[secret]",
  card: "[card number]",
  phone: "[phone]",
  ip: "[ip address]",
  "url-credential": "[private url]",
  address: "[address]",
  name: "[name]",
};

/** Discord's own markup (user, role and channel mentions, emoji, timestamps): ids, not personal data. */
const DISCORD_MARKUP = /<(?:@[!&]?|#)\d+>|<a?:\w+:\d+>|<t:\d+(?::\w)?>/g;

export function findPersonalData(text: string): Redaction[] {
  const found: Redaction[] = [];
  const markup = [...text.matchAll(DISCORD_MARKUP)].map((m) => [m.index!, m.index! + m[0].length] as const);
  for (const [kind, pattern] of PATTERNS) {
    for (const match of text.matchAll(pattern)) {
      const value = match[0];
      if (markup.some(([start, end]) => match.index! < end && match.index! + value.length > start)) continue;
      // E.164 numbers have 7 to 15 digits; ISO dates look like numbers but are not.
      const digits = value.replace(/\D/g, "").length;
      if (kind === "phone" && (digits < 7 || digits > 15 || /^\d{4}-\d{2}-\d{2}$/.test(value.trim()))) continue;
      if (kind === "card" && !luhnOk(value.replace(/\s*(?:exp.*)?\d{2}\s*\/\s*\d{2,4}$/i, ""))) continue;
      found.push({ kind, start: match.index!, end: match.index! + value.length });
    }
  }
  // Keep the earliest, longest match where two overlap.
  found.sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: Redaction[] = [];
  for (const r of found) {
    const last = kept.at(-1);
    if (last && r.start < last.end) {
      last.end = Math.max(last.end, r.end);
      continue;
    }
    kept.push({ ...r });
  }
  return kept;
}

export function redact(text: string): RedactedText {
  const found = findPersonalData(text);
  let out = "";
  let at = 0;
  for (const r of found) {
    out += text.slice(at, r.start) + LABEL[r.kind];
    at = r.end;
  }
  out += text.slice(at);
  return { text: out, kinds: [...new Set(found.map((r) => r.kind))] };
}

function luhnOk(candidate: string): boolean {
  const digits = candidate.replace(/\D/g, "");
  if (digits.length < 13 || digits.length > 19) return false;
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
