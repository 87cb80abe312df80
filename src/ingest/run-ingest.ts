import path from "node:path";
import { DocentError } from "../errors.ts";
import type { ChunkRow, ChunkStore } from "../retrieval/chunk-store.ts";
import type { Embedder } from "../retrieval/embedder.ts";
import { buildIndexStats, indexStatsKey, serialiseIndexStats, type StatsRow } from "../retrieval/index-stats.ts";
import { defaultVocabulary, type Vocabulary } from "../retrieval/vocabulary.ts";
import { type Chunk, type ChunkOptions, chunkDocumentWithin, DEFAULT_CHUNK_OPTIONS } from "./chunk.ts";
import type { SourceDocument, SourceError } from "./documents.ts";
import type { HtmlBudget } from "./html-budget.ts";
import { loadSources } from "./load-sources.ts";
import { type ChangeCounts, hasChanges, type PageChange, planChanges } from "./plan-changes.ts";

/** A gate's verdict on the candidate rows of an ingest (src/eval/gate.ts scores them; `ingest --gate`). */
export interface GateResult {
  questions: number;
  /** quote-hit@5 of the live version before this ingest (null for a first ingest). */
  previous: number | null;
  candidate: number;
  min: number;
  passed: boolean;
  reason: string;
}

export interface IngestOptions {
  sources: readonly string[];
  /** The vocabulary the stored term statistics are counted with (default: the shipped one; VOCABULARY_FILE's in the CLI). */
  vocabulary?: Vocabulary;
  maxBytes: number;
  /** INGEST_MAX_CHUNKS_PER_PAGE: a page giving more passages is skipped with its reason (its indexed text kept). */
  maxChunksPerPage?: number;
  /** Bytes a page's passages may store (text, title and heading path, twice with the search text); DEFAULT_MAX_PAGE_BYTES unless given. */
  maxPageBytes?: number;
  /** Limits on each HTML file's nesting, elements and parse time; DEFAULT_HTML_BUDGET unless given. */
  htmlBudget?: HtmlBudget;
  /** Pages fetched from URLs (src/ingest/web), ingested with the folders' pages; their source is the URL. */
  documents?: readonly SourceDocument[];
  /** Sources whose stored rows stay exactly as they are: pages not modified (304) or temporarily unreachable. */
  keepSources?: ReadonlySet<string>;
  /** Problems found before the ingest (pages that could not be fetched), reported with the run's own. */
  errors?: readonly SourceError[];
  /** Notes from before the ingest (e.g. a fetched page's canonical link that was not accepted). */
  notes?: readonly string[];
  dryRun?: boolean;
  /**
   * May the run remove pages that none of its sources name (a page from a folder not in `sources`, or from a URL
   * this run neither fetched nor tried)? Without it such a run writes nothing and lists them in `withheld`. The CLI
   * sets it for `--prune` and for a run over exactly the configured folders; pages gone from a named folder, or a
   * fetched URL answering 404/410, are removed either way.
   */
  prune?: boolean;
  /** Replace the whole table, e.g. to switch embedders. */
  rebuild?: boolean;
  chunking?: ChunkOptions;
  /** Evaluates the complete new rows before they go live; a failed gate writes nothing. */
  gate?: (rows: readonly ChunkRow[]) => Promise<GateResult>;
}

export interface IngestSummary {
  /** The live version after the run (unchanged on a dry run or when nothing changed). */
  version: number | null;
  previousVersion: number | null;
  dryRun: boolean;
  written: boolean;
  pages: ChangeCounts;
  chunks: ChangeCounts;
  embedded: number;
  errors: SourceError[];
  /** Things a maintainer should know that are not failures, e.g. a file whose url a live page took over. */
  notes: string[];
  changes: PageChange[];
  /** Pages the run would remove although its sources do not name them; when any, nothing was written (see `prune`). */
  withheld?: WithheldRemoval[];
  /** The gate's verdict, when the run had one and reached it. */
  gate?: GateResult;
}

/** A page a run would remove without naming it, with the sources it was indexed from. */
export type WithheldRemoval = PageChange & { sources: string[] };

export type IngestProgress =
  | { stage: "fetch"; done: number; total: number }
  | { stage: "load"; pages: number; errors: number }
  | { stage: "embed"; done: number; total: number }
  | { stage: "write" };

export interface IngestDeps {
  store: ChunkStore;
  embedder: Embedder;
  onProgress?: (event: IngestProgress) => void;
  now?: () => Date;
}

const EMBED_BATCH = 64;
/** Room for a 1 MB file's text with overlap and bounded labels on every passage, several times over. */
export const DEFAULT_MAX_PAGE_BYTES = 16_000_000;

/**
 * One ingest: load and chunk every source, compare with the index, embed only new text, then write the
 * whole result as one commit. Everything that can fail (bad files aside, which are reported and skipped)
 * fails before the write, so the live index is either the old version or the complete new one.
 */
export async function runIngest(deps: IngestDeps, options: IngestOptions): Promise<IngestSummary> {
  const { store, embedder } = deps;
  const now = (deps.now ?? (() => new Date()))().toISOString();
  const loaded = await loadSources(options.sources, { maxBytes: options.maxBytes, ...(options.htmlBudget ? { htmlBudget: options.htmlBudget } : {}) });
  const stored = await store.readAll();
  const { documents, keep, notes } = mergeWebPages(loaded.documents, loaded.failedSources, options, stored);
  const errors = [...(options.errors ?? []), ...loaded.errors];
  deps.onProgress?.({ stage: "load", pages: documents.length, errors: errors.length });
  if (documents.length === 0 && !stored.some((row) => options.keepSources?.has(row.source))) {
    const where = [...options.sources, ...(options.documents || options.keepSources ? ["the given URLs"] : [])].join(", ");
    throw new DocentError("SOURCE_MISSING", `No usable pages in ${where}; the index was left as it was.`, {
      hint: "Point --source (or KNOWLEDGE_DIR) at a folder of .md, .txt or .html pages with a url in their front matter.",
    });
  }
  if (!options.rebuild) await store.assertEmbedder(embedder, "ingest");

  const chunks: Chunk[] = [];
  for (const document of documents) {
    const limits = {
      ...(options.maxChunksPerPage !== undefined ? { maxChunks: options.maxChunksPerPage } : {}),
      maxBytes: options.maxPageBytes ?? DEFAULT_MAX_PAGE_BYTES,
    };
    const page = await chunkDocumentWithin(document, options.chunking ?? DEFAULT_CHUNK_OPTIONS, limits);
    if (!page.ok) {
      errors.push({ file: document.source, reason: page.over === "chunks" ? tooManyChunks(page.limit) : tooManyBytes(page.limit) });
      keep.add(document.source);
      continue;
    }
    chunks.push(...page.chunks);
  }
  const previousVersion = (await store.info())?.version ?? null;
  const plan = planChanges(stored, chunks, keep);
  const withheld = options.prune ? [] : unnamedRemovals(plan.changes, stored, options);
  const summary: IngestSummary = {
    version: previousVersion,
    previousVersion,
    dryRun: options.dryRun ?? false,
    written: false,
    pages: plan.pages,
    chunks: plan.chunks,
    embedded: 0,
    errors,
    notes: [...(options.notes ?? []), ...notes],
    changes: plan.changes,
    withheld,
  };
  // Nothing is written, not even the rest of the run: the maintainer decides with the list in front of them.
  if (withheld.length > 0) return summary;
  if (options.dryRun || (!options.rebuild && !hasChanges(plan) && store.exists)) return summary;

  // A rebuild re-embeds everything, kept rows included: the stored vectors may come from another model.
  const pending = options.rebuild ? [...plan.next.map((n) => n.chunk), ...plan.kept] : plan.toEmbed;
  const vectors = await embedAll(embedder, uniqueByHash(pending), (done, total) => deps.onProgress?.({ stage: "embed", done, total }));
  summary.embedded = vectors.size;
  const vectorOf = (hash: string, reuse: ChunkRow | null) => (options.rebuild ? undefined : reuse?.vector) ?? vectors.get(hash)!;
  const httpOf = new Map(documents.map((d) => [d.source, d.http]));
  const rows: ChunkRow[] = plan.next.map(({ chunk, reuse }) => ({
    ...chunk,
    searchText: textToEmbed(chunk),
    ingestedAt: reuse && reuse.id === chunk.id && reuse.contentHash === chunk.contentHash ? reuse.ingestedAt : now,
    httpEtag: httpOf.get(chunk.source)?.etag ?? null,
    httpLastModified: httpOf.get(chunk.source)?.lastModified ?? null,
    vector: vectorOf(chunk.contentHash, reuse),
  }));
  rows.push(...plan.kept.map((row) => ({ ...row, vector: vectorOf(row.contentHash, row) })));
  if (options.gate) {
    summary.gate = await options.gate(rows);
    if (!summary.gate.passed) return summary;
  }
  deps.onProgress?.({ stage: "write" });
  summary.version = await store.writeSnapshot(rows, embedder, { rebuild: options.rebuild ?? false });
  summary.written = true;
  // Counted once here rather than by every process that opens the index. The new version is already live: if they
  // cannot be stored, readers count them themselves, so this never fails the run.
  const vocabulary = options.vocabulary ?? defaultVocabulary();
  await store
    .writeIndexStats(
      indexStatsKey(
        rows.map((row) => row.contentHash),
        vocabulary,
      ),
      serialiseIndexStats(buildIndexStats(rows.map(statsRowOf), vocabulary)),
    )
    .catch(() => undefined);
  return summary;
}

/**
 * Puts the fetched pages beside the folders' pages. A live page (fetched now, or kept from an earlier fetch) is
 * the published version, so a folder file claiming the same url gives way to it, with a note; and stored rows
 * are only kept for a page that has no fresh text this run, so a page is never half old and half new.
 */
function mergeWebPages(folderDocuments: readonly SourceDocument[], failedSources: ReadonlySet<string>, options: IngestOptions, stored: readonly ChunkRow[]) {
  const fetched = options.documents ?? [];
  const webUrls = new Set([...fetched.map((d) => d.url), ...stored.filter((row) => options.keepSources?.has(row.source)).map((row) => row.url)]);
  const notes: string[] = [];
  const documents: SourceDocument[] = [];
  for (const document of folderDocuments) {
    if (webUrls.has(document.url)) notes.push(`${document.source}: left out, its url ${document.url} is ingested from the live page`);
    else documents.push(document);
  }
  documents.push(...fetched);
  const keep = new Set([...failedSources, ...(options.keepSources ?? [])]);
  const freshUrls = new Set(documents.map((d) => d.url));
  for (const row of stored) if (keep.has(row.source) && freshUrls.has(row.url)) keep.delete(row.source);
  return { documents, keep, notes };
}

/**
 * Removed pages whose every stored source lies outside this run's sources: not in one of its folders (a folder
 * source is `<folder name>/<path>`), and, for a page from a URL, not fetched, kept or reported this run.
 */
function unnamedRemovals(changes: readonly PageChange[], stored: readonly ChunkRow[], options: IngestOptions): WithheldRemoval[] {
  const folders = new Set(options.sources.map((dir) => path.basename(path.resolve(dir))));
  const urls = new Set([...(options.documents ?? []).map((d) => d.source), ...(options.keepSources ?? []), ...(options.errors ?? []).map((e) => e.file)]);
  const named = (source: string) => (/^https?:\/\//.test(source) ? urls.has(source) : folders.has(source.split("/")[0]!));
  const sourcesOf = new Map<string, Set<string>>();
  for (const row of stored) sourcesOf.set(row.url, (sourcesOf.get(row.url) ?? new Set()).add(row.source));
  return changes
    .filter((change) => change.status === "removed")
    .map((change) => ({ ...change, sources: [...(sourcesOf.get(change.url) ?? [])].sort() }))
    .filter((change) => !change.sources.some(named));
}

function tooManyChunks(max: number): string {
  return `the page gives more than ${max} passages, over the limit of ${max} per page (INGEST_MAX_CHUNKS_PER_PAGE), so it is skipped and what was indexed from it is kept; split the page or raise the limit`;
}

function tooManyBytes(max: number): string {
  return `the page's passages would store more than ${max} bytes (text, title and headings), over the per-page limit, so it is skipped and what was indexed from it is kept; split the page`;
}

type Embeddable = Pick<Chunk, "title" | "heading" | "text" | "contentHash">;

function uniqueByHash(items: readonly Embeddable[]): Embeddable[] {
  return [...new Map(items.map((item) => [item.contentHash, item])).values()];
}

/** Embeds in batches, checking every vector's size before anything is written. */
async function embedAll(embedder: Embedder, items: readonly Embeddable[], onBatch: (done: number, total: number) => void): Promise<Map<string, Float32Array>> {
  const vectors = new Map<string, Float32Array>();
  for (let i = 0; i < items.length; i += EMBED_BATCH) {
    const batch = items.slice(i, i + EMBED_BATCH);
    const embedded = await embedder.embed(batch.map(textToEmbed));
    batch.forEach((item, j) => {
      const vector = embedded[j];
      if (!vector || vector.length !== embedder.dimensions) {
        throw new DocentError("EMBEDDER_FAILED", `The embedder returned a vector of ${vector?.length ?? 0} numbers, expected ${embedder.dimensions}.`, {
          hint: "Check OPENAI_EMBEDDING_MODEL; the index was left as it was.",
        });
      }
      vectors.set(item.contentHash, vector);
    });
    onBatch(Math.min(i + EMBED_BATCH, items.length), items.length);
  }
  return vectors;
}

/** Title and heading path travel with the passage text: a short passage often only makes sense under them. */
export function textToEmbed(chunk: Pick<Chunk, "title" | "heading" | "text">): string {
  const context = chunk.heading.startsWith(chunk.title) ? chunk.heading : `${chunk.title} > ${chunk.heading}`;
  return `${context}\n\n${chunk.text}`;
}

function statsRowOf(row: ChunkRow): StatsRow {
  return { search_text: row.searchText, url: row.url, title: row.title, provider: row.provider };
}
