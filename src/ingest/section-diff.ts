import { diffWords } from "diff";

/** One run of changed words: what was there and what is there now (either may be empty). */
export interface WordEdit {
  removed: string;
  added: string;
}

/** The changed words of one section of an updated page, for the changelog and the ingest summary. */
export interface SectionDiff {
  /** The section's heading path. */
  section: string;
  /** The first few edits, each side clipped. */
  edits: WordEdit[];
  /** Edits not shown. */
  more: number;
  /** Too much changed for a word diff to say anything short: the section was rewritten. */
  rewritten: boolean;
}

const SHOWN_EDITS = 3;
const SIDE_CHARS = 60;
/**
 * Past this many changed words the diff gives up (jsdiff's maxEditLength): a word list of a rewritten section says
 * nothing short, and the search's cost grows with the edit count.
 */
const MAX_EDIT_LENGTH = 400;

/**
 * What changed between a section's old and new text as a few word edits (the `diff` package's diffWords). Pure.
 * An unchanged run of words separates two edits; white space alone is no change.
 */
export function sectionDiff(section: string, before: string, after: string): SectionDiff {
  const parts = diffWords(before, after, { maxEditLength: MAX_EDIT_LENGTH });
  if (parts === undefined) return { section, edits: [], more: 0, rewritten: true };
  const edits: WordEdit[] = [];
  let open: WordEdit | null = null;
  for (const part of parts) {
    if (!part.added && !part.removed) {
      if (part.value.trim() !== "") open = null;
      continue;
    }
    if (open === null) {
      open = { removed: "", added: "" };
      edits.push(open);
    }
    if (part.added) open.added += part.value;
    else open.removed += part.value;
  }
  const clipped = edits.map((e) => ({ removed: clip(e.removed), added: clip(e.added) })).filter((e) => e.removed !== "" || e.added !== "");
  return { section, edits: clipped.slice(0, SHOWN_EDITS), more: Math.max(0, clipped.length - SHOWN_EDITS), rewritten: false };
}

function clip(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > SIDE_CHARS ? `${flat.slice(0, SIDE_CHARS - 1).trimEnd()}…` : flat;
}
