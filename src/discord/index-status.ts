import type { ChunkStore } from "../retrieval/chunk-store.ts";

export interface IndexStatus {
  version: number;
  pages: number;
  chunks: number;
  lastIngestAt: string | null;
  embedderId: string;
}

/** What `/docent status` reports about the live index, read from the table's latest version. */
export async function readIndexStatus(store: ChunkStore): Promise<IndexStatus> {
  const table = store.requireTable();
  await table.checkoutLatest();
  const info = await store.info();
  const rows = await table.query().select(["url", "ingested_at"]).toArray();
  const lastIngestAt = rows.reduce<string | null>((latest, r) => (latest === null || r.ingested_at > latest ? (r.ingested_at as string) : latest), null);
  return { version: info?.version ?? 0, pages: new Set(rows.map((r) => r.url as string)).size, chunks: rows.length, lastIngestAt, embedderId: info?.embedderId ?? "unknown" };
}

export function renderStatus(status: IndexStatus, details: { answerer: string; retrieval: string; reviewMode: string; reviewChannelId: string | null }): string {
  return [
    "**Docent status**",
    `- Index: version ${status.version}, ${status.pages} pages, ${status.chunks} chunks`,
    `- Last ingest: ${status.lastIngestAt ? `${status.lastIngestAt} (<t:${Math.floor(Date.parse(status.lastIngestAt) / 1000)}:R>)` : "unknown"}`,
    `- Embedder: ${status.embedderId}`,
    `- Answerer: ${details.answerer} · retrieval: ${details.retrieval}`,
    `- Review: ${details.reviewMode}${details.reviewChannelId ? ` in <#${details.reviewChannelId}>` : " (no REVIEW_CHANNEL_ID)"}`,
  ].join("\n");
}
