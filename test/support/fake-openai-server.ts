import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A small OpenAI-compatible HTTP server on loopback, so tests drive the real openai SDK end to end.
 * Each request is answered by the next scripted behaviour for its route, or by the default one.
 */
export type Behaviour =
  | { kind: "ok" }
  | { kind: "status"; status: number; retryAfterSeconds?: number }
  | { kind: "delay"; ms: number }
  | { kind: "malformed" }
  | { kind: "chat"; content: string }
  /** Accepts the request and never answers (a hung endpoint). */
  | { kind: "hang" };

export interface FakeOpenAI {
  baseURL: string;
  requests: Array<{ path: string; body: any }>;
  script(route: "embeddings" | "chat", ...behaviours: Behaviour[]): void;
  setDefault(route: "embeddings" | "chat", behaviour: Behaviour): void;
  close(): Promise<void>;
}

export const FAKE_DIMENSIONS = 8;

/** Deterministic toy vector: enough for the ingest path, which only needs the right size. */
export function fakeVector(text: string): number[] {
  const v = new Array<number>(FAKE_DIMENSIONS).fill(0);
  for (let i = 0; i < text.length; i++) v[i % FAKE_DIMENSIONS]! += text.charCodeAt(i) % 13;
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => x / norm);
}

export async function startFakeOpenAI(): Promise<FakeOpenAI> {
  const queues = { embeddings: [] as Behaviour[], chat: [] as Behaviour[] };
  const defaults: Record<"embeddings" | "chat", Behaviour> = { embeddings: { kind: "ok" }, chat: { kind: "chat", content: "" } };
  const requests: FakeOpenAI["requests"] = [];
  const server: Server = createServer(async (req, res) => {
    const body = await readJson(req);
    const path = req.url ?? "";
    requests.push({ path, body });
    const route = path.endsWith("/embeddings") ? "embeddings" : path.endsWith("/chat/completions") ? "chat" : null;
    if (route === null) return send(res, 404, { error: { message: "not found" } });
    const behaviour = queues[route].shift() ?? defaults[route];
    await respond(route, behaviour, body, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    script: (route, ...behaviours) => queues[route].push(...behaviours),
    setDefault: (route, behaviour) => {
      defaults[route] = behaviour;
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function respond(route: "embeddings" | "chat", behaviour: Behaviour, body: any, res: ServerResponse): Promise<void> {
  switch (behaviour.kind) {
    case "hang":
      return;
    case "status":
      if (behaviour.retryAfterSeconds !== undefined) res.setHeader("retry-after", String(behaviour.retryAfterSeconds));
      return send(res, behaviour.status, { error: { message: `scripted ${behaviour.status}`, type: "server_error" } });
    case "malformed":
      res.writeHead(200, { "content-type": "application/json" });
      res.end("{ not json");
      return;
    case "delay":
      await new Promise((resolve) => setTimeout(resolve, behaviour.ms));
      return respond(route, route === "chat" ? { kind: "chat", content: "" } : { kind: "ok" }, body, res);
    case "chat":
      return send(res, 200, {
        id: "chatcmpl-test",
        object: "chat.completion",
        created: 0,
        model: body?.model ?? "test",
        choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content: behaviour.content } }],
      });
    case "ok": {
      const inputs: string[] = Array.isArray(body?.input) ? body.input : [String(body?.input ?? "")];
      return send(res, 200, {
        object: "list",
        model: body?.model ?? "test",
        data: inputs.map((text, index) => ({ object: "embedding", index, embedding: fakeVector(text) })),
        usage: { prompt_tokens: 0, total_tokens: 0 },
      });
    }
  }
}

function send(res: ServerResponse, status: number, payload: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(payload));
}

async function readJson(req: IncomingMessage): Promise<any> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8") || "null");
  } catch {
    return null;
  }
}
