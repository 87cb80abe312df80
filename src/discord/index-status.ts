import type { IndexStatus } from "../retrieval/chunk-store.ts";

/** `/docent status`: the live index as the store reports it, and the bot's settings (pure). */
export function renderStatus(
  status: IndexStatus,
  details: { answerer: string; retrieval: string; reviewMode: string; reviewChannelId: string | null },
): string {
  return [
    "**Docent status**",
    `- Index: version ${status.version}, ${status.pages} pages, ${status.chunks} chunks`,
    `- Last ingest: ${status.lastIngestAt ? `${status.lastIngestAt} (<t:${Math.floor(Date.parse(status.lastIngestAt) / 1000)}:R>)` : "unknown"}`,
    `- Embedder: ${status.embedderId}`,
    `- Answerer: ${details.answerer} · retrieval: ${details.retrieval}`,
    `- Review: ${details.reviewMode}${details.reviewChannelId ? ` in <#${details.reviewChannelId}>` : " (no REVIEW_CHANNEL_ID)"}`,
  ].join("\n");
}
