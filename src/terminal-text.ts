import { stripVTControlCharacters } from "node:util";

/**
 * Text from knowledge files and fetched pages (titles, file names, URLs, reasons quoting them) is shown to a
 * maintainer's terminal and to Discord. It must not be able to drive the terminal (ANSI escape sequences: colours,
 * cursor moves, clearing the screen, window titles, hyperlinks), forge lines (CR, LF, line separators) or reorder
 * what is shown (bidi overrides such as U+202E). Every place the ingest prints passes its text through here. Pure.
 */
const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;
const LINE_BREAKS = /[\t\n\v\f\r\u0085\u2028\u2029]+/g;
const CONTROLS = /\p{Cc}/gu;

/** One line of text safe to print: escape sequences and control characters removed, line breaks made spaces. */
export function printable(text: string): string {
  return stripVTControlCharacters(text).replace(BIDI_CONTROLS, "").replace(LINE_BREAKS, " ").replace(CONTROLS, "");
}

/** Several lines (a message and its hint): each made printable, the line breaks between them kept. */
export function printableLines(text: string): string {
  return text.split("\n").map(printable).join("\n");
}

/** Characters JSON.stringify leaves raw that a terminal still acts on: DEL, C1 controls, bidi controls, separators. */
const RAW_IN_JSON = /[\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069\u2028\u2029]/g;

/**
 * JSON for a terminal or a pipe: the same value when parsed (nothing is dropped), with every control character
 * written as a \u escape, so printing it shows the escape instead of acting on it.
 */
export function printableJson(value: unknown): string {
  return JSON.stringify(value).replace(RAW_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
