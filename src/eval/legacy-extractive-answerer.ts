/**
 * The extractive answerer as it was before the answer-first layer (v1): best-overlapping sentences in search-rank
 * order under a generic lead. Kept only as the baseline that `npm run eval -- --baseline` and `npm run bench:retrieval` print beside the current answerer.
 */
import type { Answerer, AnswerInput, Citation, DraftAnswer, Source } from "../answer/answer-types.ts";
import { sourceList } from "../answer/extractive/extractive-answerer.ts";
import { CHANNEL_PATTERN } from "../answer/engine/formal-requests.ts";
import { splitSentences } from "../answer/language/sentences.ts";
import type { Passage } from "../retrieval/passage.ts";
import { contentStems } from "../retrieval/text-terms.ts";

const MAX_BULLETS = 4;
const MAX_SENTENCE_CHARS = 420;
/** Shorter spans are usually link labels or headings, not claims. */
const MIN_SENTENCE_WORDS = 7;

interface Candidate {
  passage: Passage;
  rank: number;
  sentence: string;
  score: number;
  stems: Set<string>;
}

/**
 * The offline answerer: picks the sentences of the retrieved passages that best match the question and
 * quotes them verbatim, each with its source marker. It cannot paraphrase, so it never says anything a
 * source doesn't.
 */
export function createLegacyExtractiveAnswerer(): Answerer {
  return { mode: "extractive", answer: async (input) => answerExtractively(input) };
}

function answerExtractively(fullInput: AnswerInput): DraftAnswer {
  // v1 saw the engine's first five passages; the engine now hands over a deeper pool.
  const input = { ...fullInput, passages: fullInput.passages.slice(0, 5) };
  const queryStems = new Set(contentStems(input.question));
  const candidates: Candidate[] = [];
  input.passages.forEach((passage, rank) => {
    for (const sentence of splitSentences(passage.text)) {
      if (sentence.length > MAX_SENTENCE_CHARS || sentence.split(/\s+/).length < MIN_SENTENCE_WORDS) continue;
      const stems = new Set(contentStems(sentence));
      const headingStems = new Set(contentStems(passage.heading));
      let overlap = 0;
      for (const stem of queryStems) overlap += stems.has(stem) ? 1 : headingStems.has(stem) ? 0.3 : 0;
      // Earlier passages were ranked more relevant by retrieval; sentences naming a channel matter for requests.
      const channelBonus = input.request && CHANNEL_PATTERN.test(sentence) ? 2 : 0;
      const score = overlap / Math.sqrt(queryStems.size || 1) + 1.2 / (rank + 1) + channelBonus;
      candidates.push({ passage, rank, sentence, score, stems });
    }
  });

  const chosen: Candidate[] = [];
  for (const candidate of [...candidates].sort((a, b) => b.score - a.score)) {
    if (chosen.length >= MAX_BULLETS + 1) break;
    // Skip near-duplicates (overlapping chunks and mirrored pages repeat sentences).
    if (chosen.some((c) => similarity(c.stems, candidate.stems) > 0.6)) continue;
    chosen.push(candidate);
  }
  if (chosen.length === 0) return { lead: "", bullets: [], sources: [], citations: [] };

  const { sources, numberOf } = sourceList();
  // Keep retrieval order among the chosen so source [1] is the most relevant page.
  const ordered = [...chosen].sort((a, b) => a.rank - b.rank || b.score - a.score);
  const citations: Citation[] = [];
  const bullets = ordered.map((c) => {
    const n = numberOf(c.passage);
    citations.push({ n, title: c.passage.title, url: c.passage.url, quote: c.sentence });
    return { text: c.sentence, n: [n] };
  });
  const top = sources[0]!;
  const lead =
    input.request?.lead ??
    `Here is what ${quoteTitle(top.title)}${sources.length > 1 ? ` and ${sources.length - 1} other page${sources.length > 2 ? "s" : ""}` : ""} say${sources.length > 1 ? "" : "s"}, quoted:`;
  const note = datedNote(sources);
  return { lead, bullets, sources, citations, ...(note ? { note } : {}) };
}

function quoteTitle(title: string): string {
  return `“${title}”`;
}

/** When cited pages carry different dates, say so: an older policy may have been superseded. */
function datedNote(sources: readonly Source[]): string | undefined {
  const dated = sources.filter((s) => s.pageDate);
  if (dated.length < 2 || new Set(dated.map((s) => s.pageDate)).size < 2) return undefined;
  return `Pages differ in date: ${dated.map((s) => `[${s.n}] ${s.pageDate}`).join(", ")}; the newer page wins where they disagree.`;
}

function similarity(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let shared = 0;
  for (const x of a) if (b.has(x)) shared++;
  return shared / Math.min(a.size, b.size);
}
