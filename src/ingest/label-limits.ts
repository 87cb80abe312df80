/**
 * Bounds on the labels every passage of a page carries. A page's title and its heading path are stored with each
 * of its passages (and again in their search text), so an unbounded 200 KB title or heading is multiplied by the
 * page's passage count: one file once took gigabytes. Labels are cut here, when a page is parsed. Pure.
 */
export const MAX_TITLE_CHARS = 300;
export const MAX_HEADING_CHARS = 200;
/** A heading line longer than this is only read this far: the heading pattern never scans a huge line. */
export const MAX_HEADING_LINE_CHARS = 4 * MAX_HEADING_CHARS;

/** `text` with its white space collapsed, cut at a word boundary to at most `max` characters (with an ellipsis). */
export function boundLabel(text: string, max: number): string {
  const head = text.length > max * 4 ? text.slice(0, max * 4) : text;
  const flat = head.replace(/\s+/g, " ").trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max - 1);
  const space = cut.lastIndexOf(" ");
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
