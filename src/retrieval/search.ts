import type { Table } from "@lancedb/lancedb";
import type { Embedder } from "./embedder.ts";
import type { Passage } from "./passage.ts";

export type RetrievalMode = "fts" | "vector" | "hybrid";

export interface SearchOptions {
  mode: RetrievalMode;
  /** How many passages to return. */
  limit: number;
  /** Weight of the vector ranking in hybrid fusion, 0..1 (the full-text ranking gets the rest). */
  vectorWeight: number;
  /** Candidates fetched from each side before fusion. */
  candidates?: number;
}

const PASSAGE_COLUMNS = ["id", "url", "title", "heading", "text", "page_date"];
/** Page metadata columns that tables written by older versions lack (see OPTIONAL_COLUMNS in chunk-store.ts). */
export const PAGE_LABEL_COLUMNS = ["provider", "applies_to"];

/** The columns a search reads from `table`: the page labels only where the table has them. */
export async function passageColumns(table: Table): Promise<string[]> {
  const names = new Set((await table.schema()).fields.map((f) => f.name));
  return [...PASSAGE_COLUMNS, ...PAGE_LABEL_COLUMNS.filter((name) => names.has(name))];
}
/** Reciprocal-rank-fusion constant: the usual 60 keeps one list's top hit from drowning the other list. */
const RRF_K = 60;

/** Full-text (BM25 over title, heading path and text, English stemming) through LanceDB's native index. */
export async function searchFullText(table: Table, query: string, limit: number, within?: readonly string[], columns = PASSAGE_COLUMNS): Promise<Passage[]> {
  // Only words matter to BM25; punctuation would just be tokenised away, at a cost.
  // The index tokenises "SOC 2" and "GPT-4o" into a name and a number: a question's "soc2" or "gpt4o" is split the same way.
  const words = query
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .replace(/(?<![\p{L}\p{N}])(\p{L}{2,5})(\p{N}{1,2}\p{L}{0,2}|\p{N}{3,})(?![\p{L}\p{N}])/gu, "$1 $2")
    .trim();
  if (words === "") return [];
  let request = table.query().fullTextSearch(words);
  if (within) request = request.where(idFilter(within));
  const rows = await request
    .select([...columns, "_score"])
    .limit(limit)
    .toArray();
  return rows.map((row) => toPassage(row, row._score));
}

/** Cosine nearest neighbours; the score is the cosine similarity. */
export async function searchVector(
  table: Table,
  vector: Float32Array,
  limit: number,
  within?: readonly string[],
  columns = PASSAGE_COLUMNS,
): Promise<Passage[]> {
  let request = table.vectorSearch(vector).distanceType("cosine");
  if (within) request = request.where(idFilter(within));
  const rows = await request
    .select([...columns, "_distance"])
    .limit(limit)
    .toArray();
  return rows.map((row) => toPassage(row, 1 - row._distance));
}

/**
 * The given passages scored against `query` in the same mode as a normal search, so passages found by other
 * searches (a part of the question, its synonyms) can be ranked on the main query's scale. Hybrid scores come
 * from rank fusion and mean nothing outside one ranking, so that mode has none: it returns [].
 */
export async function scoreWithin(deps: SearchDeps, query: string, ids: readonly string[], mode: RetrievalMode): Promise<Passage[]> {
  if (ids.length === 0 || mode === "hybrid") return [];
  if (mode === "fts") return searchFullText(deps.table, query, ids.length, ids, deps.columns);
  const [vector] = await deps.embedder.embed([query]);
  return searchVector(deps.table, vector!, ids.length, ids, deps.columns);
}

function idFilter(ids: readonly string[]): string {
  return `id IN (${ids.map((id) => `'${id.replace(/'/g, "''")}'`).join(", ")})`;
}

/**
 * Weighted reciprocal-rank fusion of two rankings. Pure. Scores are not comparable across the two lists
 * (BM25 vs cosine), ranks are; the weight lets a stronger embedder earn more say.
 */
export function fuseRankings(fullText: readonly Passage[], vector: readonly Passage[], vectorWeight: number, limit: number): Passage[] {
  const fused = new Map<string, Passage>();
  const add = (list: readonly Passage[], weight: number) =>
    list.forEach((passage, rank) => {
      const previous = fused.get(passage.id);
      const score = (previous?.score ?? 0) + weight / (RRF_K + rank + 1);
      fused.set(passage.id, { ...(previous ?? passage), score });
    });
  add(fullText, 1 - vectorWeight);
  add(vector, vectorWeight);
  return [...fused.values()].sort((a, b) => b.score - a.score).slice(0, limit);
}

/** What a search reads: the table, the embedder for vector queries, and the columns to return (default: without page labels). */
export interface SearchDeps {
  table: Table;
  embedder: Embedder;
  columns?: string[];
}

export async function search(deps: SearchDeps, query: string, options: SearchOptions): Promise<Passage[]> {
  const candidates = Math.max(options.candidates ?? 30, options.limit);
  if (options.mode === "fts") return searchFullText(deps.table, query, options.limit, undefined, deps.columns);
  const [vector] = await deps.embedder.embed([query]);
  if (options.mode === "vector") return searchVector(deps.table, vector!, options.limit, undefined, deps.columns);
  const [fullText, nearest] = await Promise.all([
    searchFullText(deps.table, query, candidates, undefined, deps.columns),
    searchVector(deps.table, vector!, candidates, undefined, deps.columns),
  ]);
  return fuseRankings(fullText, nearest, options.vectorWeight, options.limit);
}

/** The columns a search selects, as LanceDB returns them. */
interface PassageRow {
  id: string;
  url: string;
  title: string;
  heading: string;
  text: string;
  page_date?: string | null;
  provider?: string | null;
  applies_to?: string | null;
}

function toPassage(row: PassageRow, score: number): Passage {
  return {
    id: row.id,
    url: row.url,
    title: row.title,
    heading: row.heading,
    text: row.text,
    pageDate: row.page_date ?? null,
    ...(row.provider ? { provider: row.provider } : {}),
    ...(row.applies_to ? { appliesTo: row.applies_to } : {}),
    score,
  };
}
