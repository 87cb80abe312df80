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
const FORMAT = /^\p{Cf}+$/u;

export function normalisedView(original: string): NormalisedView {
  let text = "";
  // For each UTF-16 unit of `text`: where its source cluster starts and ends in the original.
  const from: number[] = [];
  const to: number[] = [];
  for (const match of original.matchAll(CLUSTER)) {
    const cluster = match[0];
    if (FORMAT.test(cluster)) continue;
    const normalised = cluster.normalize("NFKC").replace(/\p{Cf}/gu, "");
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
