import { normalisedView } from "./normalised-view.ts";
import { detectByRules, detectCards, detectIbans, detectNames, detectPhones, type RedactionKind } from "./pii-detectors.ts";

/**
 * Finds personal data and secrets in a question so they are removed before the text reaches an embedder,
 * a model, a log or an answer. Detection runs on the NFKC form without zero-width and other format characters
 * (`name＠example.com`, a key split by U+200B), and the spans found are mapped back onto the text as written.
 * Pure and conservative: a false positive costs a word, a miss leaks a secret.
 */
export type { RedactionKind } from "./pii-detectors.ts";

export interface Redaction {
  kind: RedactionKind;
  start: number;
  end: number;
}

export interface RedactedText {
  /** The text with each finding replaced by its label ("[email]"): what people and models see. */
  text: string;
  kinds: RedactionKind[];
}

export interface RedactedQuestion extends RedactedText {
  /** The same text with each finding replaced by a space: what is searched (labels are not words of the question). */
  searchText: string;
}

const LABEL: Record<RedactionKind, string> = {
  email: "[email]",
  secret: "[secret]",
  password: "[password]",
  card: "[card number]",
  iban: "[iban]",
  phone: "[phone]",
  ip: "[ip address]",
  "url-credential": "[private url]",
  "id-number": "[id number]",
  "birth-date": "[date of birth]",
  address: "[address]",
  name: "[name]",
};

/** Discord's own markup (user, role and channel mentions, emoji, timestamps): ids, not personal data. */
const DISCORD_MARKUP = /<(?:@[!&]?|#)\d+>|<a?:\w+:\d+>|<t:\d+(?::\w)?>/g;

export function findPersonalData(text: string): Redaction[] {
  const view = normalisedView(text);
  const markup = [...view.text.matchAll(DISCORD_MARKUP)].map((m) => [m.index, m.index + m[0].length] as const);
  const found = [...detectByRules(view.text), ...detectCards(view.text), ...detectIbans(view.text), ...detectPhones(view.text), ...detectNames(view.text)]
    .filter((r) => r.end > r.start && !markup.some(([start, end]) => r.start < end && r.end > start))
    .map((r) => ({ kind: r.kind, ...view.toOriginal(r.start, r.end) }));
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
  const { text: redacted, kinds } = redactQuestion(text);
  return { text: redacted, kinds };
}

/** `redact`, plus the text to search with: the one place that knows what a redaction label looks like. */
export function redactQuestion(text: string): RedactedQuestion {
  const found = findPersonalData(text);
  let out = "";
  let search = "";
  let at = 0;
  for (const r of found) {
    out += text.slice(at, r.start) + LABEL[r.kind];
    search += `${text.slice(at, r.start)} `;
    at = r.end;
  }
  out += text.slice(at);
  search += text.slice(at);
  return { text: out, searchText: search, kinds: [...new Set(found.map((r) => r.kind))] };
}
