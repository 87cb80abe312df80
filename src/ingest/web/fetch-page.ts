import { fetch as undiciFetch, type Response } from "undici";
import { type AddressGuard, AddressRefusedError } from "./address-guard.ts";

/**
 * One polite HTTP GET of a page or a sitemap: our user agent, the address guard and robots.txt asked first at
 * every hop, redirects followed by hand (so they can be counted, loops seen and every hop guarded), connections
 * made through the guard's dispatcher, a time limit, and a size limit enforced while the body streams in.
 * Every outcome is a value with a reason a maintainer can act on; nothing here throws.
 */

export const USER_AGENT = "DocentBot/0.1 (+https://github.com/docent; policy ingest)";
export const MAX_REDIRECTS = 5;

export interface FetchPolicy {
  userAgent: string;
  timeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
}

export interface HttpValidators {
  etag: string | null;
  lastModified: string | null;
}

/** What the body must be: an HTML page, an XML sitemap, or anything (robots.txt is read whatever its type). */
export type Expect = "html" | "xml" | "any";

export type FetchOutcome =
  | { kind: "ok"; finalUrl: string; body: string; contentType: string; validators: HttpValidators }
  | { kind: "not-modified" }
  /** 404 or 410: the page is gone. */
  | { kind: "gone"; status: number; reason: string }
  /** Anything else: temporary or not, the page's indexed text is kept. */
  | { kind: "failed"; reason: string };

/** What a fetch needs from its surroundings: the robots verdict for a URL and the per-host scheduler. */
export interface FetchGate {
  allowed(url: string): Promise<{ ok: true } | { ok: false; reason: string }>;
  run<T>(host: string, task: () => Promise<T>): Promise<T>;
}

type Hop = FetchOutcome | { kind: "redirect"; status: number; location: string | null };

export async function fetchPage(
  url: string,
  options: { expect: Expect; validators?: HttpValidators | undefined; policy: FetchPolicy; gate: FetchGate; guard: AddressGuard },
): Promise<FetchOutcome> {
  const seen = [url];
  let current = url;
  for (;;) {
    const address = await options.guard.check(current);
    if (!address.ok) return { kind: "failed", reason: address.reason };
    const verdict = await options.gate.allowed(current);
    if (!verdict.ok) return { kind: "failed", reason: verdict.reason };
    const hop: Hop = await options.gate.run(new URL(current).host, () => request(current, options));
    if (hop.kind !== "redirect") return hop;
    if (!hop.location) return { kind: "failed", reason: `HTTP ${hop.status} redirect without a Location header` };
    let next: string;
    try {
      next = withoutFragment(new URL(hop.location, current).toString());
    } catch {
      return { kind: "failed", reason: `HTTP ${hop.status} redirect to an invalid URL "${hop.location}"` };
    }
    if (seen.includes(next)) return { kind: "failed", reason: `redirect loop: ${[...seen, next].join(" → ")}` };
    if (seen.length > options.policy.maxRedirects)
      return { kind: "failed", reason: `too many redirects (more than ${options.policy.maxRedirects}), last to ${next}` };
    seen.push(next);
    current = next;
  }
}

async function request(
  url: string,
  options: { expect: Expect; validators?: HttpValidators | undefined; policy: FetchPolicy; guard: AddressGuard },
): Promise<Hop> {
  const { policy, validators } = options;
  const signal = AbortSignal.timeout(policy.timeoutMs);
  const headers: Record<string, string> = {
    "user-agent": policy.userAgent,
    accept: { html: "text/html,application/xhtml+xml;q=0.9", xml: "application/xml,text/xml;q=0.9,*/*;q=0.1", any: "text/plain,*/*;q=0.1" }[options.expect],
  };
  if (validators?.etag) headers["if-none-match"] = validators.etag;
  if (validators?.lastModified) headers["if-modified-since"] = validators.lastModified;
  try {
    const response = await undiciFetch(url, { redirect: "manual", signal, headers, dispatcher: options.guard.dispatcher });
    const { status } = response;
    if ([301, 302, 303, 307, 308].includes(status)) {
      await discard(response);
      return { kind: "redirect", status, location: response.headers.get("location") };
    }
    if (status === 304) {
      await discard(response);
      return validators?.etag || validators?.lastModified
        ? { kind: "not-modified" }
        : { kind: "failed", reason: "HTTP 304 to a request that was not conditional" };
    }
    if (status === 404 || status === 410) {
      await discard(response);
      return { kind: "gone", status, reason: `HTTP ${status} ${status === 404 ? "Not Found" : "Gone"}` };
    }
    if (status < 200 || status > 299) {
      await discard(response);
      const what = status >= 500 ? "server error" : status === 429 ? "too many requests" : "refused";
      return { kind: "failed", reason: `HTTP ${status}${response.statusText ? ` ${response.statusText}` : ""} (${what})` };
    }
    const contentType = (response.headers.get("content-type") ?? "").toLowerCase();
    if (!acceptable(contentType, options.expect)) {
      await discard(response);
      return { kind: "failed", reason: `not ${options.expect === "html" ? "HTML" : "XML"} (Content-Type: ${contentType || "none"})` };
    }
    const declared = Number(response.headers.get("content-length") ?? NaN);
    if (declared > policy.maxBytes) {
      await discard(response);
      return { kind: "failed", reason: tooLarge(`${declared} bytes`, policy.maxBytes) };
    }
    const bytes = await readLimited(response, policy.maxBytes);
    if (bytes === null) return { kind: "failed", reason: tooLarge(`over ${policy.maxBytes} bytes`, policy.maxBytes) };
    return {
      kind: "ok",
      finalUrl: url,
      body: decode(bytes, contentType),
      contentType,
      validators: { etag: response.headers.get("etag"), lastModified: response.headers.get("last-modified") },
    };
  } catch (error) {
    if (signal.aborted) return { kind: "failed", reason: `timed out after ${policy.timeoutMs} ms (INGEST_FETCH_TIMEOUT_MS)` };
    const cause = (error as { cause?: unknown })?.cause;
    if (cause instanceof AddressRefusedError) return { kind: "failed", reason: cause.message };
    return { kind: "failed", reason: `network error: ${networkReason(error)}` };
  }
}

function acceptable(contentType: string, expect: Expect): boolean {
  if (expect === "any") return true;
  if (expect === "html") return contentType.startsWith("text/html") || contentType.startsWith("application/xhtml+xml");
  return /[/+]xml\b/.test(contentType) || contentType.startsWith("text/plain") || contentType === "";
}

/** Reads the body, giving up (and closing the connection) as soon as it passes the limit. */
async function readLimited(response: Response, maxBytes: number): Promise<Uint8Array | null> {
  if (!response.body) return new Uint8Array();
  const reader = response.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      return null;
    }
    parts.push(value);
  }
  return Buffer.concat(parts);
}

function decode(bytes: Uint8Array, contentType: string): string {
  const charset = /charset="?([\w-]+)"?/.exec(contentType)?.[1] ?? "utf-8";
  try {
    return new TextDecoder(charset).decode(bytes);
  } catch {
    return new TextDecoder("utf-8").decode(bytes);
  }
}

async function discard(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => {});
}

function tooLarge(size: string, maxBytes: number): string {
  return `too large: ${size}, over the ${maxBytes}-byte limit (INGEST_FETCH_MAX_BYTES)`;
}

function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (error as Error)?.message ?? String(error);
}

export function withoutFragment(url: string): string {
  const parsed = new URL(url);
  parsed.hash = "";
  return parsed.toString();
}
