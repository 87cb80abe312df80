/**
 * GET /healthz and GET /metrics for monitoring (METRICS_PORT), on node:http. Only these two routes; bound to
 * 127.0.0.1 unless METRICS_HOST says otherwise, since the numbers are for the operator, not the internet.
 */
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";
import { DocentError } from "../errors.ts";

export interface Health {
  ok: boolean;
  /** Why it is not healthy (empty when it is): short phrases, no message content. */
  reasons: string[];
  /** Extra fields for the JSON body (shard id, gateway status, index version). */
  details?: Record<string, unknown>;
}

export interface HealthServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startHealthServer(options: { host: string; port: number; registry: Registry; health: () => Promise<Health> }): Promise<HealthServer> {
  const server = createServer((request, response) => {
    const path = (request.url ?? "/").split("?")[0];
    const send = (status: number, type: string, body: string) => {
      response.writeHead(status, { "content-type": type, "cache-control": "no-store" });
      response.end(request.method === "HEAD" ? undefined : body);
    };
    if (request.method !== "GET" && request.method !== "HEAD") return send(405, "text/plain; charset=utf-8", "GET only\n");
    if (path === "/healthz") {
      options.health().then(
        (health) =>
          send(
            health.ok ? 200 : 503,
            "application/json",
            `${JSON.stringify({ status: health.ok ? "ok" : "unhealthy", reasons: health.reasons, ...health.details })}\n`,
          ),
        (error: unknown) =>
          send(503, "application/json", `${JSON.stringify({ status: "unhealthy", reasons: [`health check failed: ${String(error).slice(0, 120)}`] })}\n`),
      );
      return;
    }
    if (path === "/metrics") {
      options.registry.metrics().then(
        (text) => send(200, options.registry.contentType, text),
        () => send(500, "text/plain; charset=utf-8", "metrics unavailable\n"),
      );
      return;
    }
    send(404, "text/plain; charset=utf-8", "not found: try /healthz or /metrics\n");
  });
  server.listen(options.port, options.host);
  try {
    await Promise.race([once(server, "listening"), once(server, "error").then(([error]) => Promise.reject(error))]);
  } catch (error) {
    server.close();
    throw new DocentError("PORT_IN_USE", `Could not serve metrics on ${options.host}:${options.port} (${(error as Error).message}).`, {
      hint: "Pick a free METRICS_PORT (with SHARD_COUNT, ports METRICS_PORT to METRICS_PORT + count - 1 are used), or leave it empty.",
      cause: error,
    });
  }
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
