import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderSummary } from "../src/ingest/render-summary.ts";
import { runIngest } from "../src/ingest/run-ingest.ts";
import { pageIdentity } from "../src/ingest/web/extract-page.ts";
import { ChunkStore } from "../src/retrieval/chunk-store.ts";
import { createLocalEmbedder } from "../src/retrieval/local-embedder.ts";
import { tempDir } from "./support/fixtures.ts";
import { fetch as undiciFetch } from "undici";
import { AddressRefusedError, createAddressGuard, nonPublicKind, type Resolver } from "../src/ingest/web/address-guard.ts";
import { fetchWebSources, type WebFetchOptions, type WebTargets } from "../src/ingest/web/fetch-sources.ts";
import { policyPage, startTinySite, type TinySite } from "./support/tiny-site.ts";

/**
 * The public site is a loopback server that the guard is told to treat as public (`treatAsPublic`), reached by the
 * name public.test through an injected resolver; the "internal admin" server listens on 127.0.0.2. With
 * INGEST_ALLOW_PRIVATE_HOSTS off, nothing may reach the admin server, however the URL gets there.
 */
let site: TinySite;
let admin: TinySite;
const names: Record<string, string> = { "public.test": "127.0.0.1", "docs.public.test": "127.0.0.1", "admin.internal": "127.0.0.2" };
const resolve: Resolver = async (hostname) => {
  const address = names[hostname];
  if (!address) throw Object.assign(new Error("not found"), { code: "ENOTFOUND" });
  return [{ address, family: 4 }];
};

beforeAll(async () => {
  admin = await startTinySite("127.0.0.2", () => ({ "/admin": { body: policyPage("Admin console secrets", null) } }));
  site = await startTinySite("127.0.0.1", ({ port }) => ({
    "/page": { body: policyPage("Public policy", `http://public.test:${port}/page`) },
    "/hijack": { body: policyPage("EU privacy policy", "https://openai.com/policies/eu-privacy-policy") },
    "/same-site": { body: policyPage("Docs privacy", `https://www.public.test/privacy`) },
    "/mirror": { body: policyPage("Mirrored policy", "https://policies.mirror-source.example/retention") },
    "/to-loopback": { status: 302, headers: { location: `http://127.0.0.2:${admin.port}/admin` } },
    "/to-internal-name": { status: 302, headers: { location: `http://admin.internal:${admin.port}/admin` } },
    "/to-mapped-v6": { status: 302, headers: { location: `http://[::ffff:127.0.0.2]:${admin.port}/admin` } },
    "/to-file": { status: 302, headers: { location: "file:///etc/passwd" } },
    "/sitemap.xml": {
      headers: { "content-type": "application/xml" },
      body: `<urlset><url><loc>http://public.test:${port}/page</loc></url><url><loc>http://169.254.169.254/latest/meta-data/</loc></url><url><loc>file:///etc/passwd</loc></url><url><loc>ftp://public.test/x</loc></url></urlset>`,
    },
  }));
});
afterAll(async () => {
  await site?.close();
  await admin?.close();
});

function fetchOptions(extra: Partial<WebFetchOptions> = {}): WebFetchOptions {
  return {
    concurrency: 2,
    delayMs: 0,
    timeoutMs: 2_000,
    maxBytes: 200_000,
    addresses: { allowPrivate: false, resolve, treatAsPublic: ["127.0.0.1"] },
    ...extra,
  };
}

async function reasons(targets: Partial<WebTargets>, extra: Partial<WebFetchOptions> = {}) {
  const result = await fetchWebSources({ urls: targets.urls ?? [], sitemaps: targets.sitemaps ?? [] }, fetchOptions(extra));
  return { result, reasons: Object.fromEntries(result.errors.map((e) => [e.file, e.reason])) };
}

describe("which addresses URL ingest may reach", () => {
  it.each([
    ["127.0.0.1", "loopback"],
    ["10.1.2.3", "private"],
    ["172.16.0.1", "private"],
    ["192.168.1.1", "private"],
    ["169.254.169.254", "link-local"],
    ["0.0.0.0", "unspecified"],
    ["::1", "loopback"],
    ["::", "unspecified"],
    ["fd00::1", "unique-local"],
    ["fe80::1", "link-local"],
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:169.254.169.254", "link-local"],
    ["100.64.0.1", "shared (carrier-grade NAT)"],
  ])("refuses %s (%s)", (address, kind) => {
    expect(nonPublicKind(address)).toBe(kind);
  });

  it.each([
    "http://[::127.0.0.1]/",
    "http://[::169.254.169.254]/",
    "http://[::10.0.0.1]/",
    "http://[::7f00:1]/",
    "http://[0::1.2.3.4]/",
    "http://[::ffff:0:127.0.0.1]/",
    "http://[64:ff9b:1::7f00:1]/",
    "http://[64:ff9b::127.0.0.1]/",
    "http://[2002:7f00:1::1]/",
  ])("refuses the IPv6 spelling %s that embeds an IPv4 address", async (url) => {
    const guard = createAddressGuard({ allowPrivate: false });
    try {
      expect(await guard.check(url)).toMatchObject({ ok: false, reason: expect.stringMatching(/^refused: /) });
    } finally {
      await guard.close();
    }
  });

  it.each(["93.184.216.34", "8.8.8.8", "2606:4700::1111"])("allows the public address %s", (address) => {
    expect(nonPublicKind(address)).toBeNull();
  });

  it("refuses a public-looking name that resolves to a private address, and non-http(s) schemes", async () => {
    const guard = createAddressGuard({
      allowPrivate: false,
      resolve: async () => [
        { address: "93.184.216.34", family: 4 },
        { address: "10.0.0.7", family: 4 },
      ],
    });
    try {
      expect(await guard.check("https://docs.example.com/privacy")).toEqual({
        ok: false,
        reason: expect.stringMatching(/^refused: docs\.example\.com resolves to 10\.0\.0\.7, a private address; set INGEST_ALLOW_PRIVATE_HOSTS=true/),
      });
      expect(await guard.check("file:///etc/passwd")).toEqual({ ok: false, reason: "refused: file:///etc/passwd is not an http(s) URL" });
      expect(await guard.check("ftp://example.com/x")).toEqual({ ok: false, reason: "refused: ftp://example.com/x is not an http(s) URL" });
      expect(await guard.check("http://[::ffff:a9fe:a9fe]/latest")).toEqual({
        ok: false,
        reason: expect.stringMatching(/^refused: ::ffff:a9fe:a9fe is a link-local address/),
      });
    } finally {
      await guard.close();
    }
  });

  it("checks the address a connection is made to (DNS rebinding): the name's second answer is refused", async () => {
    let calls = 0;
    const rebinding: Resolver = async () => [{ address: calls++ === 0 ? "127.0.0.1" : "127.0.0.2", family: 4 }];
    const guard = createAddressGuard({ allowPrivate: false, resolve: rebinding, treatAsPublic: ["127.0.0.1"] });
    const before = admin.requests.length;
    try {
      const url = `http://rebind.test:${admin.port}/admin`;
      expect(await guard.check(url)).toEqual({ ok: true });
      const error = await undiciFetch(url, { dispatcher: guard.dispatcher }).then(
        () => null,
        (e: unknown) => e,
      );
      expect((error as { cause?: unknown }).cause).toBeInstanceOf(AddressRefusedError);
      expect(String((error as { cause: Error }).cause.message)).toMatch(/rebind\.test resolves to 127\.0\.0\.2, a loopback address/);
    } finally {
      await guard.close();
    }
    expect(admin.requests.length).toBe(before);
  });

  it("refuses a redirect from an allowed site to a loopback page, by address or by name", async () => {
    const urls = ["/to-loopback", "/to-internal-name", "/to-mapped-v6", "/to-file"].map((p) => site.url(p, "public.test"));
    const { result, reasons: why } = await reasons({ urls: [site.url("/page", "public.test"), ...urls] });
    expect(why).toEqual({
      [urls[0]!]: expect.stringMatching(
        /^refused: 127\.0\.0\.2 is a loopback address; set INGEST_ALLOW_PRIVATE_HOSTS=true .*; what was indexed from it is kept$/,
      ),
      [urls[1]!]: expect.stringMatching(/^refused: admin\.internal resolves to 127\.0\.0\.2, a loopback address/),
      [urls[2]!]: expect.stringMatching(/^refused: ::ffff:7f00:2 is a loopback address/),
      [urls[3]!]: expect.stringMatching(/^refused: file:\/\/\/etc\/passwd is not an http\(s\) URL/),
    });
    expect(result.documents.map((d) => d.title)).toEqual(["Public policy"]);
    expect(admin.requests).toEqual([]);
  });

  it("refuses sitemap entries pointing at the metadata address or at non-http(s) schemes", async () => {
    const { result, reasons: why } = await reasons({ sitemaps: [site.url("/sitemap.xml", "public.test")] });
    expect(why).toMatchObject({
      "http://169.254.169.254/latest/meta-data/": expect.stringMatching(/^refused: 169\.254\.169\.254 is a link-local address/),
      "file:///etc/passwd": expect.stringMatching(/^refused: file:\/\/\/etc\/passwd is not an http\(s\) URL/),
      "ftp://public.test/x": expect.stringMatching(/^refused: ftp:\/\/public\.test\/x is not an http\(s\) URL/),
    });
    expect(result.documents.map((d) => d.title)).toEqual(["Public policy"]);
  });

  it("refuses a loopback URL given directly, and reads it with INGEST_ALLOW_PRIVATE_HOSTS=true", async () => {
    const url = site.url("/page");
    const off = await reasons({ urls: [url] }, { addresses: { allowPrivate: false } });
    expect(off.reasons[url]).toMatch(/^refused: 127\.0\.0\.1 is a loopback address/);
    const on = await reasons({ urls: [url] }, { addresses: { allowPrivate: true } });
    expect(on.result.errors).toEqual([]);
    expect(on.result.documents).toHaveLength(1);
  });
});

describe("a page's canonical link speaks only for its own site", () => {
  it("accepts the same registrable domain, a listed domain or *, and nothing else", () => {
    const url = (u: string) => new URL(u);
    const none = new Set<string>();
    expect(pageIdentity(url("https://www.example.com/a"), "https://docs.example.com/a?x=1", none)).toEqual({ url: "https://www.example.com/a" });
    expect(pageIdentity(url("https://example.co.uk/p"), "https://a.b.example.co.uk/p", none)).toEqual({ url: "https://example.co.uk/p" });
    expect(pageIdentity(null, "https://example.com/p", none)).toEqual({ url: "https://example.com/p" });
    // github.io is a public suffix: one user's site cannot claim another's pages.
    expect(pageIdentity(url("https://victim.github.io/policy"), "https://evil.github.io/x", none)).toMatchObject({
      url: "https://evil.github.io/x",
      note: expect.stringMatching(/victim\.github\.io, not evil\.github\.io/),
    });
    expect(pageIdentity(url("https://openai.com/policies/eu"), "https://attacker.example/eu", none)).toEqual({
      url: "https://attacker.example/eu",
      note: "its canonical link https://openai.com/policies/eu is on another site (openai.com, not attacker.example), so it is indexed as https://attacker.example/eu, the URL it was fetched from; if openai.com is a mirror you trust, add it to INGEST_CANONICAL_HOSTS",
    });
    expect(pageIdentity(url("https://openai.com/policies/eu"), "https://mirror.example/eu", new Set(["openai.com"]))).toEqual({
      url: "https://openai.com/policies/eu",
    });
    expect(pageIdentity(url("https://openai.com/policies/eu"), "https://mirror.example/eu", new Set(["*"]))).toEqual({ url: "https://openai.com/policies/eu" });
  });

  it("refuses a canonical link with user info, which reads as another site", () => {
    const none = new Set<string>();
    for (const claimed of [
      "https://openai.com@attacker.example/policies/eu",
      "https://openai.com:pw@attacker.example/eu",
      "https://user@attacker.example/eu",
    ]) {
      expect(pageIdentity(new URL(claimed), "https://attacker.example/eu", none)).toEqual({
        url: "https://attacker.example/eu",
        note: expect.stringMatching(/user info before its host/),
      });
    }
    expect(pageIdentity(new URL("https://openai.com@attacker.example/eu"), "https://attacker.example/eu", new Set(["*"]))).toMatchObject({
      url: "https://attacker.example/eu",
    });
  });

  it("indexes a page claiming another site's URL under its own URL, and the summary says why", async () => {
    const hijack = site.url("/hijack", "public.test");
    const sameSite = site.url("/same-site", "docs.public.test");
    const mirror = site.url("/mirror", "public.test");
    const web = await fetchWebSources({ urls: [hijack, sameSite, mirror], sitemaps: [] }, fetchOptions({ canonicalHosts: new Set(["mirror-source.example"]) }));
    expect(web.errors).toEqual([]);
    expect(Object.fromEntries(web.documents.map((d) => [d.source, d.url]))).toEqual({
      [hijack]: hijack,
      [sameSite]: "https://www.public.test/privacy",
      [mirror]: "https://policies.mirror-source.example/retention",
    });
    expect(web.notes).toEqual([
      expect.stringMatching(
        new RegExp(
          `^${hijack.replace(/[.?]/g, "\\$&")}: its canonical link https://openai.com/policies/eu-privacy-policy is on another site \\(openai\\.com, not public\\.test\\)`,
        ),
      ),
    ]);

    const work = await tempDir("docent-canonical-");
    const store = await ChunkStore.open(`${work.dir}/db`);
    try {
      const summary = await runIngest(
        { store, embedder: createLocalEmbedder() },
        { sources: [], maxBytes: 100_000, documents: web.documents, keepSources: web.keepSources, errors: web.errors, notes: web.notes },
      );
      expect((await store.readAll()).some((row) => row.url.startsWith("https://openai.com/"))).toBe(false);
      expect(renderSummary(summary)).toContain(`  note: ${web.notes[0]}`);
    } finally {
      store.close();
      await work.cleanup();
    }
  });
});
