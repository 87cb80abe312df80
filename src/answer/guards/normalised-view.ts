/**
 * A Unicode-normalised view of a text that remembers where each of its characters came from, so detectors can
 * run on the plain form (full-width `＠` is `@`, a zero-width space inside a key is gone) while their findings are
 * applied to the text as written. Pure.
 */
export interface NormalisedView {
  /** NFKC of each character cluster, without format characters (zero-width spaces and joiners, bidi marks, soft hyphens). */
  text: string;
  /** Maps a span of `text` back to the span of the original text it came from. */
  toOriginal(start: number, end: number): { start: number; end: number };
}

/** A base character and the combining marks after it: normalised together so accented letters compose. */
const CLUSTER = /\P{M}\p{M}*|\p{M}+/gu;
/**
 * Characters that show nothing yet split a word: format characters (zero-width spaces, joiners, bidi marks, soft
 * hyphens) and, outside that category, variation selectors, the combining grapheme joiner, Hangul fillers, the
 * braille blank, Mongolian and Khmer fillers, and the line and paragraph separators.
 */
const INVISIBLE = /\p{Cf}|\u034F|[\uFE00-\uFE0F]|[\u{E0100}-\u{E01EF}]|[\u115F\u1160\u3164\uFFA0\u2800\u2028\u2029\u17B4\u17B5]|[\u180B-\u180F]/gu;
const FORMAT = new RegExp(`^(?:${INVISIBLE.source})+$`, "u");
const PLAIN_ASCII = /^[\x20-\x7e\t\n\r]*$/;

export function normalisedView(original: string): NormalisedView {
  // Most questions are plain ASCII, which NFKC leaves as it is: the view is the text itself.
  if (PLAIN_ASCII.test(original)) {
    return { text: original, toOriginal: (start, end) => ({ start, end: Math.max(start, end) }) };
  }
  let text = "";
  // For each UTF-16 unit of `text`: where its source cluster starts and ends in the original.
  const from: number[] = [];
  const to: number[] = [];
  for (const match of original.matchAll(CLUSTER)) {
    const cluster = match[0];
    if (FORMAT.test(cluster)) continue;
    const normalised = cluster.normalize("NFKC").replace(INVISIBLE, "");
    for (let i = 0; i < normalised.length; i++) {
      from.push(match.index);
      to.push(match.index + cluster.length);
    }
    text += normalised;
  }
  return {
    text,
    toOriginal(start, end) {
      if (end <= start) return { start: from[start] ?? original.length, end: from[start] ?? original.length };
      return { start: from[start] ?? original.length, end: to[end - 1] ?? original.length };
    },
  };
}
