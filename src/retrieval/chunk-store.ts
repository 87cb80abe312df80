import * as lancedb from "@lancedb/lancedb";
import { Index } from "@lancedb/lancedb";
import { createRequire } from "node:module";
import type * as Arrow from "apache-arrow";
import { DocentError } from "../errors.ts";
import type { Embedder } from "./embedder.ts";
import { isObjectStoreUri, type StorageOptions, storeOpenError } from "./storage-options.ts";

/**
 * apache-arrow as LanceDB itself loads it (CommonJS, already in memory): importing it as ES modules would load a
 * second copy of the library, about 130 files, on every start.
 */
const arrow = createRequire(import.meta.url)("apache-arrow") as typeof Arrow;

export const TABLE_NAME = "chunks";
/** Beside the chunks: the term statistics of the latest ingest (see index-stats.ts), one row. */
export const STATS_TABLE_NAME = "index_stats";
const EMBEDDER_KEY = "docent.embedder";
const INGEST_TAG = /^ingest-(\d+)$/;
/**
 * Below this many rows an exact vector scan is fast enough (about 10 ms at 10k rows here) and always exact;
 * above it an HNSW index keeps vector search in single-digit milliseconds (measured: 2.5-3.4 ms at 100k).
 */
export const VECTOR_INDEX_MIN_ROWS = 10_000;

/** A row of the chunk table. `searchText` (title + heading path + text) is what the full-text index sees. */
export interface ChunkRow {
  id: string;
  url: string;
  title: string;
  heading: string;
  text: string;
  searchText: string;
  contentHash: string;
  source: string;
  pageDate: string | null;
  /** The page's provider and audience as its front matter names them (null when it does not). */
  provider: string | null;
  appliesTo: string | null;
  ingestedAt: string;
  /** HTTP validators of a page fetched from a URL (null for files): the next fetch asks "changed since?". */
  httpEtag: string | null;
  httpLastModified: string | null;
  vector: Float32Array;
}

/** Ingest tags kept by `cleanup` (older ones are deleted so their versions can be removed): rollback reaches back this far. */
export const KEEP_INGEST_TAGS = 5;

export interface CleanupResult {
  /** Versions (manifests) removed. */
  versionsRemoved: number;
  /** Bytes of data files removed (old versions' files and files no version uses, such as a crashed write's). */
  bytesRemoved: number;
  /** Ingest tags deleted because they were older than the last KEEP_INGEST_TAGS. */
  tagsDeleted: string[];
  versionsBefore: number;
  versionsAfter: number;
  version: number;
}

export interface IndexInfo {
  version: number;
  embedderId: string;
  dimensions: number;
  rows: number;
}

/** What `/docent status` reports about the live index. */
export interface IndexStatus {
  version: number;
  pages: number;
  chunks: number;
  lastIngestAt: string | null;
  embedderId: string;
}

/**
 * The LanceDB side of the store: one table, written only in whole-snapshot commits so that a reader (or a
 * killed writer) only ever sees a complete version, and each finished ingest tagged so it can be rolled back.
 */
export class ChunkStore {
  private constructor(
    readonly uri: string,
    private readonly db: lancedb.Connection,
    private table: lancedb.Table | null,
  ) {}

  /**
   * Opens (or prepares to create) the index at a folder or an object-store URI. `storageOptions` (from
   * storageOptionsFor) are only used for object storage; a refusal, a missing bucket or an unreachable server
   * becomes a DocentError naming the setting to fix.
   */
  static async open(uri: string, options: { storageOptions?: StorageOptions } = {}): Promise<ChunkStore> {
    const storageOptions = isObjectStoreUri(uri) ? (options.storageOptions ?? {}) : {};
    let db: lancedb.Connection | undefined;
    try {
      db = await lancedb.connect(uri, Object.keys(storageOptions).length > 0 ? { storageOptions } : {});
      const names = await db.tableNames();
      return new ChunkStore(uri, db, names.includes(TABLE_NAME) ? await db.openTable(TABLE_NAME) : null);
    } catch (error) {
      db?.close();
      throw storeOpenError(error, uri, storageOptions);
    }
  }

  get exists(): boolean {
    return this.table !== null;
  }

  /** The open table, or a clear error that says how to build it. */
  requireTable(): lancedb.Table {
    if (this.table === null) {
      throw new DocentError("INDEX_MISSING", `There is no index at ${this.uri} yet.`, {
        hint: "Run `npm run ingest` first (or pass --db to point at an existing index).",
      });
    }
    return this.table;
  }

  async info(): Promise<IndexInfo | null> {
    if (this.table === null) return null;
    const schema = await this.table.schema();
    const vectorField = schema.fields.find((f) => f.name === "vector");
    // The schema's own metadata since LanceDB 0.37 (its makeArrowTable drops a field's); the vector field's in older indexes.
    const embedderId = schema.metadata.get(EMBEDDER_KEY) ?? vectorField?.metadata.get(EMBEDDER_KEY) ?? "unknown";
    // Duck-typed: LanceDB may hand back its own copy of the Arrow classes, so instanceof is unreliable.
    const dimensions = (vectorField?.type as { listSize?: number } | undefined)?.listSize ?? 0;
    return { version: await this.table.version(), embedderId, dimensions, rows: await this.table.countRows() };
  }

  /** The latest version's size, last ingest time and embedder (moves to the latest version first). */
  async status(): Promise<IndexStatus> {
    const table = this.requireTable();
    await table.checkoutLatest();
    const info = await this.info();
    const rows = await table.query().select(["url", "ingested_at"]).toArray();
    const lastIngestAt = rows.reduce<string | null>((latest, r) => (latest === null || r.ingested_at > latest ? (r.ingested_at as string) : latest), null);
    return {
      version: info?.version ?? 0,
      pages: new Set(rows.map((r) => r.url as string)).size,
      chunks: rows.length,
      lastIngestAt,
      embedderId: info?.embedderId ?? "unknown",
    };
  }

  /** Refuses to mix vectors from two embedders, which would make vector search meaningless. */
  async assertEmbedder(embedder: Embedder, action: "search" | "ingest"): Promise<void> {
    const info = await this.info();
    if (info === null || info.embedderId === embedder.id) return;
    throw new DocentError("EMBEDDER_MISMATCH", `The index at ${this.uri} was built with ${info.embedderId}, but this ${action} uses ${embedder.id}.`, {
      hint: `Use the embedder the index was built with, or rebuild it with the new one: npm run ingest -- --rebuild (EMBEDDING_PROVIDER and OPENAI_EMBEDDING_MODEL choose it).`,
    });
  }

  /** Every stored row, vectors included: the ingest plans its changes against this. */
  async readAll(): Promise<ChunkRow[]> {
    if (this.table === null) return [];
    const rows = await this.table.query().toArray();
    return rows.map((r) => ({
      id: r.id,
      url: r.url,
      title: r.title,
      heading: r.heading,
      text: r.text,
      searchText: r.search_text,
      contentHash: r.content_hash,
      source: r.source,
      pageDate: r.page_date ?? null,
      provider: r.provider ?? null,
      appliesTo: r.applies_to ?? null,
      ingestedAt: r.ingested_at,
      httpEtag: r.http_etag ?? null,
      httpLastModified: r.http_last_modified ?? null,
      vector: Float32Array.from(r.vector as ArrayLike<number>),
    }));
  }

  /** The term statistics stored under `key` (hex), or null when none are (an older index, another vocabulary). */
  async readIndexStats(key: string): Promise<string | null> {
    if (!/^[0-9a-f]{64}$/.test(key) || !(await this.db.tableNames()).includes(STATS_TABLE_NAME)) return null;
    const table = await this.db.openTable(STATS_TABLE_NAME);
    try {
      const [row] = await table.query().where(`key = '${key}'`).select(["stats"]).limit(1).toArray();
      return typeof row?.stats === "string" ? row.stats : null;
    } finally {
      table.close();
    }
  }

  /** Stores the latest ingest's term statistics, replacing the previous ones. */
  async writeIndexStats(key: string, stats: string): Promise<void> {
    const schema = new arrow.Schema([new arrow.Field("key", new arrow.Utf8(), false), new arrow.Field("stats", new arrow.Utf8(), false)]);
    const data = lancedb.makeArrowTable([{ key, stats }], { schema }) as unknown as Arrow.Table;
    (await this.db.createTable(STATS_TABLE_NAME, data, { mode: "overwrite" })).close();
  }

  /**
   * Makes the table hold exactly `rows`, in one atomic commit: matched rows whose hash or HTTP validators changed are updated,
   * new ones inserted, the rest deleted. `rebuild` replaces the table (and its embedder) as a new version.
   */
  async writeSnapshot(rows: readonly ChunkRow[], embedder: Embedder, options: { rebuild: boolean }): Promise<number> {
    const data = toArrowTable(rows, embedder);
    const before = this.table === null ? null : await this.table.version();
    try {
      if (this.table === null || options.rebuild) {
        this.table = await this.db.createTable(TABLE_NAME, data, { mode: "overwrite" });
      } else {
        await addMissingColumns(this.table);
        await this.table
          .mergeInsert("id")
          .whenMatchedUpdateAll({ where: ["target.content_hash != source.content_hash", differs("http_etag"), differs("http_last_modified")].join(" OR ") })
          .whenNotMatchedInsertAll()
          .whenNotMatchedBySourceDelete()
          .execute(data);
      }
      await this.ensureSearchIndexes();
      const version = await this.table.version();
      await (await this.table.tags()).create(`ingest-${version}`, version);
      return version;
    } catch (error) {
      // The rows may already be committed while their indexes are not: put the version from before back live,
      // so a failed ingest never leaves its half-built version serving (and never reports failure after publishing).
      await this.restoreAfterFailedWrite(before);
      throw error;
    }
  }

  private async restoreAfterFailedWrite(before: number | null): Promise<void> {
    if (this.table === null) return;
    if (before === null) {
      await this.db.dropTable(TABLE_NAME).catch(() => undefined);
      this.table = null;
      return;
    }
    const table = this.table;
    await table.checkoutLatest();
    if ((await table.version()) === before) return;
    await table.checkout(before);
    await table.restore();
    await table.checkoutLatest();
  }

  /**
   * Full-text index over title, headings and text, and a vector index once the table is large enough;
   * `optimize` folds rows written since into existing indexes.
   */
  private async ensureSearchIndexes(): Promise<void> {
    const table = this.requireTable();
    const indices = await table.listIndices();
    if (!indices.some((index) => index.columns.includes("search_text"))) {
      await table.createIndex("search_text", {
        config: Index.fts({ withPosition: true, language: "English", stem: true, removeStopWords: true, lowercase: true, asciiFolding: true }),
      });
    }
    if (!indices.some((index) => index.columns.includes("vector")) && (await table.countRows()) >= VECTOR_INDEX_MIN_ROWS) {
      await table.createIndex("vector", { config: Index.hnswSq({ distanceType: "cosine" }) });
    }
    // Indexes that existed before this write do not cover its rows until optimize folds them in.
    if (indices.length > 0) await table.optimize();
  }

  /** Names of the search indexes the table has, e.g. ["search_text (FTS)", "vector (IVF_HNSW_SQ)"]. */
  async indexes(): Promise<string[]> {
    if (this.table === null) return [];
    return (await this.table.listIndices()).map((index) => `${index.columns.join(",")} (${index.indexType})`);
  }

  /** Versions of finished ingests, oldest first. */
  async ingestVersions(): Promise<number[]> {
    if (this.table === null) return [];
    const tags = await (await this.table.tags()).list();
    return Object.keys(tags)
      .map((name) => INGEST_TAG.exec(name)?.[1])
      .filter((v): v is string => v !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
  }

  /** What {@link rollback} would do, without doing it: the ingest it undoes, the one it restores and its chunks. */
  async rollbackPlan(): Promise<{ from: number; restored: number; rows: number }> {
    const table = this.requireTable();
    const { latest, previous } = await this.lastTwoIngests();
    await table.checkout(previous);
    try {
      return { from: latest, restored: previous, rows: await table.countRows() };
    } finally {
      await table.checkoutLatest();
    }
  }

  private async lastTwoIngests(): Promise<{ latest: number; previous: number }> {
    const versions = await this.ingestVersions();
    const latest = versions.at(-1);
    const previous = versions.at(-2);
    if (latest === undefined || previous === undefined) {
      throw new DocentError("NOTHING_TO_ROLL_BACK", `The index at ${this.uri} has no earlier ingest to roll back to.`, {
        hint: "A rollback needs at least two finished ingests; re-run `npm run ingest` to rebuild from the sources.",
      });
    }
    return { latest, previous };
  }

  /**
   * Restores the ingest before the latest one as a new version (history is kept, nothing is deleted) and
   * forgets the undone ingest, so a second rollback steps back once more.
   */
  async rollback(): Promise<{ from: number; restored: number; version: number }> {
    const table = this.requireTable();
    const { latest, previous } = await this.lastTwoIngests();
    await table.checkout(previous);
    await table.restore();
    await table.checkoutLatest();
    await (await table.tags()).delete(`ingest-${latest}`);
    return { from: latest, restored: previous, version: await table.version() };
  }

  /**
   * Removes versions older than `olderThanDays` and files no version needs (a crashed ingest's, included).
   * Tagged versions cannot be removed, so ingest tags beyond the latest KEEP_INGEST_TAGS are deleted first:
   * `--rollback` still reaches back that many ingests. The live version is never touched.
   */
  async cleanup(olderThanDays: number): Promise<CleanupResult> {
    const table = this.requireTable();
    await table.checkoutLatest();
    const versions = await table.listVersions();
    const tags = await table.tags();
    const ingests = await this.ingestVersions();
    const tagsDeleted = ingests.slice(0, Math.max(0, ingests.length - KEEP_INGEST_TAGS)).map((v) => `ingest-${v}`);
    for (const name of tagsDeleted) await tags.delete(name);
    const oldestKept = ingests.slice(-KEEP_INGEST_TAGS)[0];
    const cutoff = Math.min(Date.now() - olderThanDays * 86_400_000, pruneCutoff(versions, oldestKept));
    let stats: lancedb.OptimizeStats;
    try {
      stats = await table.optimize({ cleanupOlderThan: new Date(cutoff), deleteUnverified: true });
    } catch (error) {
      // The cutoff reached the kept ingest after all (see pruneCutoff): a second before it is well clear.
      const kept = versions.find((v) => v.version === oldestKept)?.timestamp.getTime();
      if (kept === undefined || !/tagged version/.test(String(error))) throw error;
      stats = await table.optimize({ cleanupOlderThan: new Date(Math.min(cutoff, kept - 1_000)), deleteUnverified: true });
    }
    await table.checkoutLatest();
    const versionsAfter = (await table.listVersions()).length;
    return {
      versionsRemoved: Number(stats.prune.oldVersionsRemoved),
      bytesRemoved: Number(stats.prune.bytesRemoved),
      tagsDeleted,
      versionsBefore: versions.length,
      versionsAfter,
      version: await table.version(),
    };
  }

  close(): void {
    this.table?.close();
    this.db.close();
  }
}

/**
 * The latest time a cleanup may prune before and still spare `keptVersion` (Lance refuses to prune a tagged
 * version): just after the newest version before it. LanceDB passes the cutoff on as an age that its own clock turns
 * back into a time a moment later, so the cutoff moves forward by that moment; placing it just after the last version
 * to go, rather than just before the one to keep, leaves the whole gap between the two for that drift.
 */
export function pruneCutoff(versions: readonly { version: number; timestamp: Date }[], keptVersion: number | undefined): number {
  const kept = versions.find((v) => v.version === keptVersion)?.timestamp.getTime();
  if (kept === undefined) return Number.POSITIVE_INFINITY;
  const older = versions.filter((v) => v.version < keptVersion!).map((v) => v.timestamp.getTime());
  return older.length === 0 ? kept - 1 : Math.min(Math.max(...older) + 1, kept - 1);
}

/** SQL for "a nullable column differs" (Lance's planner has no IS DISTINCT FROM). */
function differs(column: string): string {
  const [t, s] = [`target.${column}`, `source.${column}`];
  return `(${t} IS NULL AND ${s} IS NOT NULL) OR (${t} IS NOT NULL AND ${s} IS NULL) OR ${t} != ${s}`;
}

/** Columns added after the first tables were written: an older table gets them, all null, before a merge. */
export const OPTIONAL_COLUMNS = ["http_etag", "http_last_modified", "provider", "applies_to"];

/**
 * Tables written before the HTTP validator or page-metadata columns existed get them (all null) before a merge, which needs the
 * same columns on both sides. The data is unchanged, so a reader of that extra version sees the same index.
 */
async function addMissingColumns(table: lancedb.Table): Promise<void> {
  const names = new Set((await table.schema()).fields.map((f) => f.name));
  const missing = OPTIONAL_COLUMNS.filter((name) => !names.has(name));
  if (missing.length > 0) await table.addColumns(missing.map((name) => ({ name, valueSql: "CAST(NULL AS STRING)" })));
}

function toArrowTable(rows: readonly ChunkRow[], embedder: Embedder): Arrow.Table {
  const schema = new arrow.Schema([
    new arrow.Field("id", new arrow.Utf8(), false),
    new arrow.Field("url", new arrow.Utf8(), false),
    new arrow.Field("title", new arrow.Utf8(), false),
    new arrow.Field("heading", new arrow.Utf8(), false),
    new arrow.Field("text", new arrow.Utf8(), false),
    new arrow.Field("search_text", new arrow.Utf8(), false),
    new arrow.Field("content_hash", new arrow.Utf8(), false),
    new arrow.Field("source", new arrow.Utf8(), false),
    new arrow.Field("page_date", new arrow.Utf8(), true),
    new arrow.Field("ingested_at", new arrow.Utf8(), false),
    new arrow.Field("http_etag", new arrow.Utf8(), true),
    new arrow.Field("http_last_modified", new arrow.Utf8(), true),
    new arrow.Field("provider", new arrow.Utf8(), true),
    new arrow.Field("applies_to", new arrow.Utf8(), true),
    new arrow.Field(
      "vector",
      new arrow.FixedSizeList(embedder.dimensions, new arrow.Field("item", new arrow.Float32(), true)),
      false,
      new Map([[EMBEDDER_KEY, embedder.id]]),
    ),
  ]);
  schema.metadata.set(EMBEDDER_KEY, embedder.id);
  return lancedb.makeArrowTable(
    rows.map((r) => ({
      id: r.id,
      url: r.url,
      title: r.title,
      heading: r.heading,
      text: r.text,
      search_text: r.searchText,
      content_hash: r.contentHash,
      source: r.source,
      page_date: r.pageDate,
      ingested_at: r.ingestedAt,
      http_etag: r.httpEtag,
      http_last_modified: r.httpLastModified,
      provider: r.provider,
      applies_to: r.appliesTo,
      vector: Array.from(r.vector),
    })),
    { schema },
  ) as unknown as Arrow.Table;
}
