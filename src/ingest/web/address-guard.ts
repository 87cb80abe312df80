import { lookup as dnsLookup } from "node:dns/promises";
import { isIP, type LookupFunction } from "node:net";
import ipaddr from "ipaddr.js";
import { Agent, type Dispatcher } from "undici";

/**
 * The SSRF guard of URL ingest. A fetched page, a redirect or a sitemap entry may point anywhere, so before every
 * request the URL's scheme and its host's addresses are checked, and every connection is made through a dispatcher
 * whose DNS lookup refuses a non-public address: the address checked is the address connected to, so a name that
 * resolves to a public address for the check and to 127.0.0.1 for the connection (DNS rebinding) is still refused.
 * Only http(s) and public unicast addresses are allowed, unless INGEST_ALLOW_PRIVATE_HOSTS is on.
 */
export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Resolves a host name to every address it has (the default asks the system resolver, like a connection does). */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export interface AddressGuardOptions {
  /** INGEST_ALLOW_PRIVATE_HOSTS: loopback, private and link-local hosts may be fetched (a trusted network, tests). */
  allowPrivate: boolean;
  resolve?: Resolver;
  /** Addresses to treat as public. Tests only: a loopback server stands in for a public site. */
  treatAsPublic?: readonly string[];
}

export type AddressVerdict = { ok: true } | { ok: false; reason: string };

export interface AddressGuard {
  /** Before a request: the scheme, and the host's addresses (an IP literal as written, a name as DNS answers now). */
  check(url: string): Promise<AddressVerdict>;
  /** Every request goes through it: its lookup refuses a non-public address at connect time. */
  readonly dispatcher: Dispatcher;
  close(): Promise<void>;
}

/** Raised inside a connection attempt to a refused address; the fetcher reports its message. */
export class AddressRefusedError extends Error {
  readonly code = "ADDRESS_REFUSED";
}

const HINT = "set INGEST_ALLOW_PRIVATE_HOSTS=true only to ingest from a trusted internal network";

const defaultResolve: Resolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

export function createAddressGuard(options: AddressGuardOptions): AddressGuard {
  const resolve = options.resolve ?? defaultResolve;
  const treatAsPublic = new Set(options.treatAsPublic ?? []);
  const refusal = (address: string): string | null => (options.allowPrivate || treatAsPublic.has(address) ? null : nonPublicKind(address));

  const lookup: LookupFunction = (hostname, lookupOptions, callback) => {
    resolve(hostname).then(
      (all) => {
        const family = lookupOptions.family === "IPv4" ? 4 : lookupOptions.family === "IPv6" ? 6 : (lookupOptions.family ?? 0);
        const addresses = all.filter((a) => family === 0 || a.family === family);
        const refused = addresses.find((a) => refusal(a.address) !== null);
        if (refused) return callback(new AddressRefusedError(refusedAddress(hostname, refused.address, refusal(refused.address)!)), "", 0);
        if (addresses.length === 0) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: "ENOTFOUND" }), "", 0);
        if (lookupOptions.all)
          return callback(
            null,
            addresses.map((a) => ({ address: a.address, family: a.family })),
          );
        return callback(null, addresses[0]!.address, addresses[0]!.family);
      },
      (error: unknown) => callback(error as NodeJS.ErrnoException, "", 0),
    );
  };
  const dispatcher = new Agent({ connect: { lookup } });

  return {
    dispatcher,
    close: () => dispatcher.close(),
    async check(url) {
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        return { ok: false, reason: `refused: "${url}" is not an absolute URL` };
      }
      if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return { ok: false, reason: `refused: ${url} is not an http(s) URL` };
      if (options.allowPrivate) return { ok: true };
      const host = parsed.hostname.replace(/^\[|\]$/g, "");
      if (isIP(host)) {
        const kind = refusal(host);
        return kind === null ? { ok: true } : { ok: false, reason: `refused: ${host} is ${article(kind)} ${kind} address; ${HINT}` };
      }
      let addresses: ResolvedAddress[];
      try {
        addresses = await resolve(host);
      } catch (error) {
        return { ok: false, reason: `network error: ${(error as { code?: string }).code ?? "cannot resolve"} ${host}` };
      }
      for (const { address } of addresses) {
        const kind = refusal(address);
        if (kind !== null) return { ok: false, reason: refusedAddress(host, address, kind) };
      }
      return { ok: true };
    },
  };
}

/**
 * What kind of non-public address this is ("loopback", "private", "link-local", …), or null for a public unicast
 * address. An IPv4-mapped IPv6 address is judged as the IPv4 address it carries; the rest of ::/8 (the IPv4-compatible
 * form included) and every IPv6 range that embeds an IPv4 address (NAT64, SIIT, 6to4, Teredo) are not public. Pure.
 */
export function nonPublicKind(address: string): string | null {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.process(address);
  } catch {
    return "unparseable";
  }
  const range = parsed.range();
  // ::/8 is reserved; ipaddr.js calls most of it unicast. It holds the deprecated IPv4-compatible form ([::127.0.0.1]
  // is ::7f00:1), which some stacks still route to the IPv4 address it carries, so none of it is public.
  if (parsed.kind() === "ipv6" && (parsed as ipaddr.IPv6).parts[0]! < 0x100 && range === "unicast") return "IPv4-compatible or reserved (::/8)";
  if (range === "unicast") return null;
  return KINDS[range] ?? `non-public (${range})`;
}

const KINDS: Record<string, string> = {
  loopback: "loopback",
  private: "private",
  linkLocal: "link-local",
  uniqueLocal: "unique-local",
  unspecified: "unspecified",
  carrierGradeNat: "shared (carrier-grade NAT)",
  multicast: "multicast",
  broadcast: "broadcast",
  reserved: "reserved",
};

function refusedAddress(host: string, address: string, kind: string): string {
  return `refused: ${host} resolves to ${address}, ${article(kind)} ${kind} address; ${HINT}`;
}

function article(word: string): string {
  return /^[aeiou]/i.test(word) ? "an" : "a";
}
