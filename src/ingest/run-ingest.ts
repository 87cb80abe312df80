import { DocentError } from "../errors.ts";
import type { ChunkRow, ChunkStore } from "../retrieval/chunk-store.ts";
import type { Embedder } from "../retrieval/embedder.ts";
import { type Chunk, type ChunkOptions, chunkDocument, DEFAULT_CHUNK_OPTIONS } from "./chunk.ts";
import type { SourceError } from "./documents.ts";
import { loadSources } from "./load-sources.ts";
import { type ChangeCounts, hasChanges, type PageChange, planChanges } from "./plan-changes.ts";

export interface IngestOptions {
  sources: readonly string[];
  maxBytes: number;
  dryRun?: boolean;
  /** Replace the whole table, e.g. to switch embedders. */
  rebuild?: boolean;
  chunking?: ChunkOptions;
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
  changes: PageChange[];
}

export type IngestProgress =
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

/**
 * One ingest: load and chunk every source, compare with the index, embed only new text, then write the
 * whole result as one commit. Everything that can fail (bad files aside, which are reported and skipped)
 * fails before the write, so the live index is either the old version or the complete new one.
 */
export async function runIngest(deps: IngestDeps, options: IngestOptions): Promise<IngestSummary> {
  const { store, embedder } = deps;
  const now = (deps.now ?? (() => new Date()))().toISOString();
  const loaded = await loadSources(options.sources, { maxBytes: options.maxBytes });
  deps.onProgress?.({ stage: "load", pages: loaded.documents.length, errors: loaded.errors.length });
  if (loaded.documents.length === 0) {
    throw new DocentError("SOURCE_MISSING", `No usable pages in ${options.sources.join(", ")}; the index was left as it was.`, {
      hint: "Point --source (or KNOWLEDGE_DIR) at a folder of .md, .txt or .html pages with a url in their front matter.",
    });
  }
  if (!options.rebuild) await store.assertEmbedder(embedder, "ingest");

  const chunks: Chunk[] = [];
  for (const document of loaded.documents) chunks.push(...(await chunkDocument(document, options.chunking ?? DEFAULT_CHUNK_OPTIONS)));
  const previousVersion = (await store.info())?.version ?? null;
  const plan = planChanges(await store.readAll(), chunks, loaded.failedSources);
  const summary: IngestSummary = {
    version: previousVersion,
    previousVersion,
    dryRun: options.dryRun ?? false,
    written: false,
    pages: plan.pages,
    chunks: plan.chunks,
    embedded: 0,
    errors: loaded.errors,
    changes: plan.changes,
  };
  if (options.dryRun || (!options.rebuild && !hasChanges(plan) && store.exists)) return summary;

  // A rebuild re-embeds everything, kept rows included: the stored vectors may come from another model.
  const pending = options.rebuild ? [...plan.next.map((n) => n.chunk), ...plan.kept] : plan.toEmbed;
  const vectors = await embedAll(embedder, uniqueByHash(pending), (done, total) => deps.onProgress?.({ stage: "embed", done, total }));
  summary.embedded = vectors.size;
  const vectorOf = (hash: string, reuse: ChunkRow | null) => (options.rebuild ? undefined : reuse?.vector) ?? vectors.get(hash)!;
  const rows: ChunkRow[] = plan.next.map(({ chunk, reuse }) => ({
    ...chunk,
    searchText: textToEmbed(chunk),
    ingestedAt: reuse && reuse.id === chunk.id && reuse.contentHash === chunk.contentHash ? reuse.ingestedAt : now,
    vector: vectorOf(chunk.contentHash, reuse),
  }));
  rows.push(...plan.kept.map((row) => ({ ...row, vector: vectorOf(row.contentHash, row) })));
  deps.onProgress?.({ stage: "write" });
  summary.version = await store.writeSnapshot(rows, embedder, { rebuild: options.rebuild ?? false });
  summary.written = true;
  return summary;
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
