/**
 * Server-sent events to every open playground page: one frame per change in the local Discord stand-in, a comment
 * every 15 s so proxies and browsers keep the connection, and a first frame that brings a new page up to date.
 */
import type { ServerResponse } from "node:http";

const KEEP_ALIVE_MS = 15_000;

export interface EventStream {
  /** Makes `response` an event stream and sends it `first` (the state the page starts from) before anything else. */
  open(response: ServerResponse, first: { event: string; data: unknown }): void;
  broadcast(event: string, data: unknown): void;
  close(): void;
}

export function createEventStream(): EventStream {
  const streams = new Set<ServerResponse>();
  const keepAlive = setInterval(() => {
    for (const stream of streams) stream.write(": keep-alive\n\n");
  }, KEEP_ALIVE_MS);
  keepAlive.unref();
  return {
    open(response, first) {
      response.writeHead(200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-store",
        connection: "keep-alive",
        "x-accel-buffering": "no",
      });
      response.write(`retry: 1000\n${frame(first.event, first.data)}`);
      streams.add(response);
      response.on("close", () => streams.delete(response));
    },
    broadcast(event, data) {
      const text = frame(event, data);
      for (const stream of streams) stream.write(text);
    },
    close() {
      clearInterval(keepAlive);
      for (const stream of streams) stream.end();
      streams.clear();
    },
  };
}

function frame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
