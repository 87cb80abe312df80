import { XMLParser } from "fast-xml-parser";

export type SitemapParse = { ok: true; pages: string[]; sitemaps: string[] } | { ok: false; reason: string };

const parser = new XMLParser({ removeNSPrefix: true, isArray: (name) => name === "url" || name === "sitemap", processEntities: true });

/**
 * Reads a sitemap (https://www.sitemaps.org/protocol.html): a `<urlset>` of page `<loc>`s, or a `<sitemapindex>`
 * of further sitemaps. Absolute locations are kept, without #fragments; the fetcher's address guard refuses
 * (and reports) any that is not http(s) or points at a private host. Pure.
 */
export function parseSitemap(xml: string): SitemapParse {
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(xml, true) as Record<string, unknown>;
  } catch (error) {
    return { ok: false, reason: `not a valid XML sitemap (${(error as Error).message.split("\n")[0]})` };
  }
  const urlset = doc.urlset as { url?: Array<{ loc?: unknown }> } | undefined;
  const index = doc.sitemapindex as { sitemap?: Array<{ loc?: unknown }> } | undefined;
  if (urlset === undefined && index === undefined) return { ok: false, reason: "not a sitemap: no <urlset> or <sitemapindex>" };
  return { ok: true, pages: locations(urlset?.url), sitemaps: locations(index?.sitemap) };
}

function locations(entries: Array<{ loc?: unknown }> | undefined): string[] {
  const out: string[] = [];
  for (const entry of entries ?? []) {
    const loc = typeof entry?.loc === "string" ? entry.loc.trim() : "";
    try {
      const url = new URL(loc);
      url.hash = "";
      out.push(url.toString());
    } catch {
      // an entry without a usable <loc> is ignored, as crawlers do
    }
  }
  return out;
}
