import type { ChunkRow } from "../retrieval/chunk-store.ts";
import type { Chunk } from "./chunk.ts";
import { type SectionDiff, sectionDiff } from "./section-diff.ts";

export interface ChangeCounts {
  added: number;
  updated: number;
  removed: number;
  unchanged: number;
}

export type PageStatus = "added" | "updated" | "removed" | "unchanged";

/** What happened to one page, with the heading paths of the passages that changed (for changelogs). */
export interface PageChange {
  url: string;
  title: string;
  status: PageStatus;
  sections: string[];
  /** For an updated page: the changed words of each changed section. */
  diffs?: SectionDiff[];
}

export interface IngestPlan {
  /** Chunks that need a vector: new or changed text that no stored row already has. */
  toEmbed: Chunk[];
  /** The table after the ingest, in order; `reuse` is a stored row with the same text (its vector is kept), or null when the chunk waits for `toEmbed`. */
  next: Array<{ chunk: Chunk; reuse: ChunkRow | null }>;
  /** Stored rows kept as they are because their source file failed to load this time. */
  kept: ChunkRow[];
  pages: ChangeCounts;
  chunks: ChangeCounts;
  changes: PageChange[];
}

/**
 * Compares the stored rows with the freshly chunked sources. Pure: the caller embeds and writes.
 * A page whose file failed to load keeps its stored rows, so a broken edit never deletes what was indexed.
 */
export function planChanges(stored: readonly ChunkRow[], chunks: readonly Chunk[], failedSources: ReadonlySet<string>): IngestPlan {
  const storedById = new Map(stored.map((row) => [row.id, row]));
  const vectorByHash = new Map(stored.map((row) => [row.contentHash, row]));
  const chunkIds = new Set(chunks.map((c) => c.id));
  const chunkCounts: ChangeCounts = { added: 0, updated: 0, removed: 0, unchanged: 0 };
  const touched = new Map<string, Set<string>>();
  const touch = (url: string, heading: string) => {
    const set = touched.get(url) ?? new Set<string>();
    set.add(heading);
    touched.set(url, set);
  };

  const next: IngestPlan["next"] = [];
  const toEmbed: Chunk[] = [];
  const pendingHashes = new Set<string>();
  for (const chunk of chunks) {
    const before = storedById.get(chunk.id);
    if (before && before.contentHash === chunk.contentHash) {
      chunkCounts.unchanged++;
      next.push({ chunk, reuse: before });
      continue;
    }
    if (before) chunkCounts.updated++;
    else chunkCounts.added++;
    touch(chunk.url, chunk.heading);
    // The same text under a new id (a section moved) keeps its vector: only new text is embedded.
    const sameText = vectorByHash.get(chunk.contentHash) ?? null;
    next.push({ chunk, reuse: sameText });
    if (!sameText && !pendingHashes.has(chunk.contentHash)) {
      pendingHashes.add(chunk.contentHash);
      toEmbed.push(chunk);
    }
  }

  const kept = stored.filter((row) => failedSources.has(row.source) && !chunkIds.has(row.id));
  const keptIds = new Set(kept.map((row) => row.id));
  for (const row of stored) {
    if (chunkIds.has(row.id) || keptIds.has(row.id)) continue;
    chunkCounts.removed++;
    touch(row.url, row.heading);
  }

  const titleOf = new Map<string, string>();
  for (const row of stored) titleOf.set(row.url, row.title);
  for (const chunk of chunks) titleOf.set(chunk.url, chunk.title);
  const storedUrls = new Set(stored.map((r) => r.url));
  const liveUrls = new Set([...chunks.map((c) => c.url), ...kept.map((r) => r.url)]);
  const pageCounts: ChangeCounts = { added: 0, updated: 0, removed: 0, unchanged: 0 };
  const changes: PageChange[] = [];
  const before = sectionTexts(stored, touched);
  const after = sectionTexts(chunks, touched);
  for (const url of [...new Set([...storedUrls, ...liveUrls])].sort()) {
    const status: PageStatus = !storedUrls.has(url) ? "added" : !liveUrls.has(url) ? "removed" : touched.has(url) ? "updated" : "unchanged";
    pageCounts[status]++;
    if (status === "unchanged") continue;
    const sections = [...(touched.get(url) ?? [])].sort();
    const change: PageChange = { url, title: titleOf.get(url) ?? url, status, sections };
    if (status === "updated")
      change.diffs = sections.map((heading) => sectionDiff(heading, before.get(`${url}\u0000${heading}`) ?? "", after.get(`${url}\u0000${heading}`) ?? ""));
    changes.push(change);
  }
  return { toEmbed, next, kept, pages: pageCounts, chunks: chunkCounts, changes };
}

/** Each changed section's text as one string, its passages in order (stored rows keep the order they were written in). */
function sectionTexts(
  passages: ReadonlyArray<Pick<Chunk, "url" | "heading" | "text">>,
  touched: ReadonlyMap<string, ReadonlySet<string>>,
): Map<string, string> {
  const texts = new Map<string, string>();
  for (const p of passages) {
    if (!touched.get(p.url)?.has(p.heading)) continue;
    const key = `${p.url}\u0000${p.heading}`;
    const text = texts.get(key);
    texts.set(key, text === undefined ? p.text : `${text}\n${p.text}`);
  }
  return texts;
}

export function hasChanges(plan: IngestPlan): boolean {
  const { added, updated, removed } = plan.chunks;
  return added + updated + removed > 0;
}
