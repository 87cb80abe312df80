import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A minimal HTTP site for the web-ingest guard tests: fixed routes (status, headers, body), a log of the paths
 * asked for, on a chosen loopback address (127.0.0.2 plays an internal admin host).
 */
export interface Route {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface TinySite {
  port: number;
  /** `http://<host>:<port><path>`, with the host given (default: the address it listens on). */
  url(path: string, host?: string): string;
  requests: string[];
  close(): Promise<void>;
}

export async function startTinySite(address: string, routes: (site: { port: number }) => Record<string, Route>): Promise<TinySite> {
  const requests: string[] = [];
  let table: Record<string, Route> = {};
  const server = createServer((req, res: ServerResponse) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    requests.push(path);
    const route = table[path] ?? { status: 404, body: "not found" };
    res.writeHead(route.status ?? 200, { "content-type": "text/html; charset=utf-8", ...route.headers });
    res.end(route.body ?? "");
  });
  await new Promise<void>((resolve) => server.listen(0, address, resolve));
  const port = (server.address() as AddressInfo).port;
  table = routes({ port });
  return {
    port,
    url: (path, host = address) => `http://${host}:${port}${path}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A small but real policy page: enough text for Readability to take it as the main content. */
export function policyPage(title: string, canonical: string | null, extra = ""): string {
  const paragraph = `${title}: we keep API inputs and outputs for up to thirty days to detect abuse, then delete them, unless the law requires us to keep them longer.`;
  return `<!doctype html><html><head><title>${title}</title>${canonical ? `<link rel="canonical" href="${canonical}">` : ""}</head>
<body><main><article><h1>${title}</h1><h2>Retention</h2><p>${paragraph}</p><p>${paragraph}</p>${extra}</article></main></body></html>`;
}
