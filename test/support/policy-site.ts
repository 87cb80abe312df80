import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { parseFrontMatter } from "../../src/ingest/front-matter.ts";

/**
 * A local policy website on 127.0.0.1 for the web-ingest tests: every corpus page rendered as HTML with the
 * clutter real sites have (cookie banner, navigation, sidebar, footer) and a canonical link, a sitemap (and a
 * sitemap index), a robots.txt with a Disallow rule, ETag / Last-Modified with 304 answers, and one route per
 * failure the fetcher must report.
 */
export interface SiteRequest {
  path: string;
  status: number;
  userAgent: string | undefined;
  ifNoneMatch: string | undefined;
  ifModifiedSince: string | undefined;
}

export interface PolicySite {
  base: string;
  slugs: string[];
  url(pathname: string): string;
  pageUrl(slug: string): string;
  requests: SiteRequest[];
  /** Replaces a page's Markdown body (its ETag and Last-Modified change with it). */
  setMarkdown(slug: string, markdown: string): void;
  markdown(slug: string): string;
  /** Answers a page's route with this status instead of the page (null restores it). */
  setStatus(slug: string, status: number | null): void;
  /** Stops (or restarts) sending ETag / Last-Modified and answering conditional requests. */
  setValidators(on: boolean): void;
  close(): Promise<void>;
}

/** Page clutter that must never reach a chunk. */
export const CLUTTER_PHRASES = ["Accept all cookies", "Example Trust Center", "All rights reserved", "Related articles", "Pricing plans", "Skip to content"];

export const FAILURE_ROUTES = {
  missing: "/missing",
  retired: "/retired",
  serverError: "/error",
  slow: "/slow",
  pdf: "/report.pdf",
  huge: "/huge",
  loop: "/loop-a",
  tooManyRedirects: "/hop/8",
  disallowed: "/private/secret",
} as const;

export const SLOW_MS = 3_000;

interface Page {
  title: string;
  markdown: string;
  lastModified: Date;
}

export async function startPolicySite(corpusDir: string): Promise<PolicySite> {
  const pages = new Map<string, Page>();
  for (const name of readdirSync(corpusDir)
    .filter((n) => n.endsWith(".md"))
    .sort()) {
    const parsed = parseFrontMatter(readFileSync(path.join(corpusDir, name), "utf8"));
    if (!parsed.ok) throw new Error(`${name}: ${parsed.reason}`);
    pages.set(name.replace(/\.md$/, ""), { title: String(parsed.data.title), markdown: parsed.content.trim(), lastModified: new Date(Date.UTC(2025, 0, 1)) });
  }
  const statuses = new Map<string, number>();
  let validators = true;
  const requests: SiteRequest[] = [];
  let base = "";

  const server = createServer((req, res) => {
    const pathname = new URL(req.url ?? "/", "http://localhost").pathname;
    const record = (status: number) =>
      requests.push({
        path: pathname,
        status,
        userAgent: req.headers["user-agent"],
        ifNoneMatch: req.headers["if-none-match"],
        ifModifiedSince: req.headers["if-modified-since"],
      });
    const send = (status: number, type: string, body: string, headers: Record<string, string> = {}) => {
      record(status);
      res.writeHead(status, { "content-type": type, ...headers });
      res.end(body);
    };
    const redirect = (status: number, location: string) => {
      record(status);
      res.writeHead(status, { location });
      res.end();
    };

    if (pathname === "/robots.txt") return send(200, "text/plain", `User-agent: *\nDisallow: /private/\n\nSitemap: ${base}/sitemap.xml\n`);
    if (pathname === "/sitemap.xml") return send(200, "application/xml", urlset([...pages.keys()].map((slug) => `${base}/policies/${slug}`)));
    if (pathname === "/sitemap-index.xml") return send(200, "application/xml", sitemapIndex([`${base}/sitemap.xml`]));
    if (pathname === "/sitemap-down.xml") return send(503, "text/plain", "maintenance");
    if (pathname === FAILURE_ROUTES.missing) return send(404, "text/html", "<h1>Not found</h1>");
    if (pathname === FAILURE_ROUTES.retired) return send(410, "text/html", "<h1>Gone</h1>");
    if (pathname === FAILURE_ROUTES.serverError) return send(500, "text/html", "<h1>Oops</h1>");
    if (pathname === FAILURE_ROUTES.pdf) return send(200, "application/pdf", "%PDF-1.7\n%…");
    if (pathname === "/loop-a") return redirect(302, "/loop-b");
    if (pathname === "/loop-b") return redirect(302, "/loop-a");
    const hop = /^\/hop\/(\d+)$/.exec(pathname);
    if (hop) return Number(hop[1]) > 0 ? redirect(301, `/hop/${Number(hop[1]) - 1}`) : redirect(301, `/policies/${[...pages.keys()][0]}`);
    if (pathname.startsWith("/private/"))
      return send(200, "text/html", page(base, "private", { title: "Private", markdown: "# Private\n\nNot for crawlers.", lastModified: new Date() }));
    if (pathname === FAILURE_ROUTES.slow) {
      const timer = setTimeout(() => send(200, "text/html", "<p>finally</p>"), SLOW_MS);
      res.on("close", () => clearTimeout(timer));
      return;
    }
    if (pathname === FAILURE_ROUTES.huge) return streamHuge(res, () => record(200));
    const moved = /^\/moved\/([\w-]+)$/.exec(pathname);
    if (moved) return redirect(301, `/policies/${moved[1]}`);

    const slug = /^\/policies\/([\w-]+)$/.exec(pathname)?.[1];
    const found = slug === undefined ? undefined : pages.get(slug);
    if (slug === undefined || found === undefined) return send(404, "text/html", "<h1>Not found</h1>");
    const override = statuses.get(slug);
    if (override !== undefined) return send(override, "text/html", `<h1>${override}</h1>`);
    const html = page(base, slug, found);
    if (!validators) return send(200, "text/html; charset=utf-8", html);
    const etag = `"${createHash("sha1").update(html).digest("hex").slice(0, 16)}"`;
    const lastModified = found.lastModified.toUTCString();
    if (notModified(req, etag, found.lastModified)) {
      record(304);
      res.writeHead(304, { etag, "last-modified": lastModified });
      return res.end();
    }
    return send(200, "text/html; charset=utf-8", html, { etag, "last-modified": lastModified });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    base,
    slugs: [...pages.keys()],
    url: (pathname) => `${base}${pathname}`,
    pageUrl: (slug) => `${base}/policies/${slug}`,
    requests,
    setMarkdown(slug, markdown) {
      const current = pages.get(slug)!;
      pages.set(slug, { ...current, markdown, lastModified: new Date(current.lastModified.getTime() + 86_400_000) });
    },
    markdown: (slug) => pages.get(slug)!.markdown,
    setStatus(slug, status) {
      if (status === null) statuses.delete(slug);
      else statuses.set(slug, status);
    },
    setValidators(on) {
      validators = on;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function notModified(req: IncomingMessage, etag: string, lastModified: Date): boolean {
  const inm = req.headers["if-none-match"];
  if (inm !== undefined) return inm.split(",").some((tag) => tag.trim() === etag);
  const ims = req.headers["if-modified-since"];
  return ims !== undefined && Math.floor(lastModified.getTime() / 1000) <= Math.floor(new Date(ims).getTime() / 1000);
}

/** 3 MB of HTML, sent in pieces without a Content-Length: the size limit must hold while streaming. */
function streamHuge(res: ServerResponse, record: () => void): void {
  record();
  res.writeHead(200, { "content-type": "text/html" });
  const piece = `<p>${"policy text ".repeat(5_000)}</p>\n`;
  let sent = 0;
  const write = () => {
    while (sent < 3_000_000 && !res.destroyed) {
      sent += piece.length;
      if (!res.write(piece)) return void res.once("drain", write);
    }
    res.end();
  };
  write();
}

function urlset(urls: string[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${urls.map((u) => `  <url><loc>${u}</loc><lastmod>2025-01-01</lastmod></url>`).join("\n")}\n</urlset>\n`;
}

function sitemapIndex(urls: string[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${urls.map((u) => `  <sitemap><loc>${u}</loc></sitemap>`).join("\n")}\n</sitemapindex>\n`;
}

function page(base: string, slug: string, { title, markdown }: Page): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)} | Example Trust Center</title>
<link rel="canonical" href="${base}/policies/${slug}">
<link rel="stylesheet" href="/assets/site.css">
<script>window.analytics = { track() {} };</script>
</head>
<body>
<a class="skip-link" href="#content">Skip to content</a>
<div id="cookie-banner" class="cookie-consent" role="dialog">
  <p>We use cookies to make this site work and to measure how it is used. Accept all cookies, or choose which ones to allow.</p>
  <button>Accept all</button> <button>Manage preferences</button>
</div>
<header class="site-header">
  <a class="logo" href="/">Example Trust Center</a>
  <nav aria-label="Main"><ul><li><a href="/">Home</a></li><li><a href="/pricing">Pricing plans</a></li><li><a href="/docs">Documentation</a></li><li><a href="/login">Log in</a></li></ul></nav>
</header>
<main id="content">
<article>
${markdownToHtml(markdown)}
</article>
</main>
<aside class="sidebar"><h2>Related articles</h2><ul><li><a href="/policies/other">Other policies you might like</a></li><li><a href="/blog">Our latest news and product updates</a></li></ul></aside>
<footer class="site-footer"><p>© 2025 Example Corp. All rights reserved.</p><nav><a href="/terms">Terms</a> · <a href="/privacy">Privacy</a> · <a href="/contact">Contact sales</a></nav></footer>
</body>
</html>`;
}

/** Just enough Markdown for the corpus: headings, paragraphs, lists, tables, links, bold and code. */
export function markdownToHtml(markdown: string): string {
  const out: string[] = [];
  const lines = markdown.split(/\r?\n/);
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    const heading = /^(#{1,6})\s+(.+?)\s*#*$/.exec(line);
    if (line.trim() === "") {
      i++;
    } else if (heading) {
      const level = heading[1]!.length;
      out.push(`<h${level}>${inline(heading[2]!)}</h${level}>`);
      i++;
    } else if (/^\s*\|/.test(line)) {
      const rows: string[] = [];
      for (; i < lines.length && /^\s*\|/.test(lines[i]!); i++) {
        if (/^\s*\|?\s*:?-{2,}/.test(lines[i]!)) continue;
        const cells = lines[i]!.trim()
          .replace(/^\||\|$/g, "")
          .split("|");
        rows.push(`<tr>${cells.map((c) => `<td>${inline(c.trim())}</td>`).join("")}</tr>`);
      }
      out.push(`<table>${rows.join("")}</table>`);
    } else if (/^\s*([-*]|\d+\.)\s+/.test(line)) {
      const ordered = /^\s*\d+\./.test(line);
      const items: string[] = [];
      for (; i < lines.length && /^\s*([-*]|\d+\.)\s+/.test(lines[i]!); i++) items.push(`<li>${inline(lines[i]!.replace(/^\s*([-*]|\d+\.)\s+/, ""))}</li>`);
      out.push(ordered ? `<ol>${items.join("")}</ol>` : `<ul>${items.join("")}</ul>`);
    } else {
      const para: string[] = [];
      for (; i < lines.length && lines[i]!.trim() !== "" && !/^(#{1,6}\s|\s*\||\s*([-*]|\d+\.)\s+)/.test(lines[i]!); i++) para.push(lines[i]!.trim());
      out.push(`<p>${inline(para.join(" "))}</p>`);
    }
  }
  return out.join("\n");
}

function inline(text: string): string {
  return escapeHtml(text)
    .replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>")
    .replace(/`([^`]+)`/g, "<code>$1</code>")
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, '<a href="$2">$1</a>');
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
