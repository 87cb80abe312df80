import { createHash } from "node:crypto";
import type { APIEmbed } from "discord.js";
import type { AnswerResult } from "../answer/answer-types.ts";
import { sanitizeEcho } from "../answer/guards/output-guards.ts";
import { redact } from "../answer/guards/redact.ts";

/**
 * The machine-readable part of a review message: one embed titled "Record" whose fields each hold one value
 * (kind, mode, verdict, votes, removed, redacted question, closest page, note), and a footer with a format
 * version and a checksum of the fields. The bot reads it back for the gaps report; a record whose checksum does
 * not match was changed by something other than Docent's own edits and is not trusted. Pure.
 */
export type ReviewKind = "answered" | "refused" | "uncertain" | "fallback";
export type ReviewVerdict = "none" | "correct" | "wrong" | "approved" | "rejected";

export interface ClosestPage {
  title: string;
  url: string;
  heading: string;
}

export interface ReviewRecord {
  kind: ReviewKind;
  /** The answering mode (`extractive`, `openai`), or `unknown` when the answer was not mirrored when posted. */
  mode: string;
  /** The question as the engine searched it: personal data and secrets already redacted. */
  question: string;
  /** The top-ranked passage's page and section; null when nothing was retrieved or it was not recorded. */
  closest: ClosestPage | null;
  verdict: ReviewVerdict;
  /** The moderator's note on a "wrong" verdict, redacted. */
  note: string | null;
  votes: { up: number; down: number };
  removed: boolean;
  /**
   * Why the engine refused or hedged, in words ("not covered: FedRAMP"), or null. Written only when there is one, so
   * records without a reason read exactly as records written before the field existed.
   */
  reason?: string | null;
}

export const RECORD_TITLE = "Record";
const FORMAT = "docent-record/1";
const KINDS: readonly ReviewKind[] = ["answered", "refused", "uncertain", "fallback"];
const VERDICTS: readonly ReviewVerdict[] = ["none", "correct", "wrong", "approved", "rejected"];
const NONE = "none";

const F = {
  kind: "Kind",
  mode: "Mode",
  verdict: "Verdict",
  up: "👍",
  down: "👎",
  removed: "Removed",
  question: "Question (redacted)",
  page: "Closest page",
  url: "Closest URL",
  section: "Closest section",
  note: "Note",
  reason: "Reason",
} as const;

/** Field value limits, well inside Discord's 1,024 so the whole message stays under 6,000 characters. */
const MAX = { question: 500, title: 150, url: 400, heading: 200, note: 400, reason: 200 } as const;

/** What the engine's result says about the question, for the record. `question` is used when `result` is null. */
export function recordFromResult(result: AnswerResult | null, question: string): ReviewRecord {
  const top = result?.passages[0];
  return {
    kind: result ? kindOf(result) : "answered",
    mode: result?.mode ?? "unknown",
    question: oneLine(result ? result.question.replace(/<@!?\d+>\s*/g, "") : question),
    closest: top ? { title: top.title, url: top.url, heading: top.heading } : null,
    verdict: "none",
    note: null,
    votes: { up: 0, down: 0 },
    removed: false,
    reason: result && (result.refused || result.confidence === "uncertain") && result.reason ? oneLine(result.reason) : null,
  };
}

/** Refused beats uncertain beats fallback: the first is what the member saw. */
export function kindOf(result: Pick<AnswerResult, "refused" | "confidence" | "fallbackReason">): ReviewKind {
  if (result.refused) return "refused";
  if (result.confidence === "uncertain") return "uncertain";
  return result.fallbackReason ? "fallback" : "answered";
}

export function recordEmbed(record: ReviewRecord): APIEmbed {
  const field = (name: string, value: string, inline = true) => ({ name, value: value || NONE, inline });
  const fields = [
    field(F.kind, record.kind),
    field(F.mode, record.mode),
    field(F.verdict, record.verdict),
    field(F.up, String(record.votes.up)),
    field(F.down, String(record.votes.down)),
    field(F.removed, record.removed ? "yes" : "no"),
    field(F.question, clip(sanitizeEcho(record.question), MAX.question) || "unknown", false),
    field(F.page, clip(sanitizeEcho(oneLine(record.closest?.title ?? "")), MAX.title), false),
    field(F.url, clip(record.closest?.url ?? "", MAX.url), false),
    field(F.section, clip(sanitizeEcho(oneLine(record.closest?.heading ?? "")), MAX.heading), false),
    field(F.note, record.note ? clip(sanitizeEcho(redact(oneLine(record.note)).text), MAX.note) : "", false),
    ...(record.reason ? [field(F.reason, clip(sanitizeEcho(redact(oneLine(record.reason)).text), MAX.reason), false)] : []),
  ];
  return { title: RECORD_TITLE, fields, footer: { text: `${FORMAT} · check ${checksum(fields)}` } };
}

export type RecordReading = { status: "ok"; record: ReviewRecord } | { status: "missing" } | { status: "invalid"; reason: string };

interface EmbedLike {
  title?: string | null | undefined;
  fields?: ReadonlyArray<{ name: string; value: string; inline?: boolean | undefined }> | null | undefined;
  footer?: { text: string } | null | undefined;
}

/** Reads the record embed of a message's embeds, checking its format and checksum. */
export function readRecord(embeds: ReadonlyArray<EmbedLike>): RecordReading {
  const embed = embeds.find((e) => e.title === RECORD_TITLE);
  if (!embed) return { status: "missing" };
  const footer = /^docent-record\/(\d+) · check ([0-9a-f]+)$/.exec(embed.footer?.text ?? "");
  if (!footer) return { status: "invalid", reason: "the record has no Docent format footer" };
  if (`docent-record/${footer[1]}` !== FORMAT) return { status: "invalid", reason: `unknown record format docent-record/${footer[1]}` };
  const fields = embed.fields ?? [];
  if (checksum(fields) !== footer[2]) return { status: "invalid", reason: "the record's fields do not match its checksum (edited outside Docent)" };
  const get = (name: string) => fields.find((f) => f.name === name)?.value;
  const kind = KINDS.find((k) => k === get(F.kind));
  const verdict = VERDICTS.find((v) => v === get(F.verdict));
  const up = count(get(F.up));
  const down = count(get(F.down));
  const removed = get(F.removed);
  const question = get(F.question);
  const mode = get(F.mode);
  if (!kind || !verdict || up === null || down === null || (removed !== "yes" && removed !== "no") || !question || !mode) {
    return { status: "invalid", reason: "the record is missing a field or has a value Docent never writes" };
  }
  const value = (name: string) => {
    const v = get(name);
    return v === undefined || v === NONE ? null : v;
  };
  const [title, url, heading] = [value(F.page), value(F.url), value(F.section)];
  return {
    status: "ok",
    record: {
      kind,
      mode,
      question: question === "unknown" ? "" : question,
      closest: title && url ? { title, url, heading: heading ?? title } : null,
      verdict,
      note: value(F.note),
      votes: { up, down },
      removed: removed === "yes",
      reason: value(F.reason),
    },
  };
}

/**
 * Applies a change to the record among a message's embeds. Messages without a readable record (older review
 * messages) are left as they are: their human-readable parts are still updated by the caller.
 */
export function updateRecord(embeds: APIEmbed[], change: (record: ReviewRecord) => ReviewRecord): APIEmbed[] {
  const reading = readRecord(embeds);
  if (reading.status !== "ok") return embeds;
  const updated = recordEmbed(change(reading.record));
  return embeds.map((e) => (e.title === RECORD_TITLE ? updated : e));
}

function checksum(fields: ReadonlyArray<{ name: string; value: string }>): string {
  const canonical = JSON.stringify(fields.map((f) => [f.name, f.value]));
  return createHash("sha256").update(canonical).digest("hex").slice(0, 12);
}

function count(value: string | undefined): number | null {
  return value !== undefined && /^\d{1,9}$/.test(value) ? Number(value) : null;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/** At most `max` characters, an ellipsis marking a cut. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}
