import { describe, expect, it } from "vitest";
import { parseSource } from "../src/ingest/parse-source.ts";

const utf8 = (s: string) => new TextEncoder().encode(s);
const opts = { maxBytes: 10_000 };
const reasonOf = (bytes: Uint8Array, format: "markdown" | "text" | "html" = "markdown") => {
  const result = parseSource("knowledge/x.md", bytes, format, opts);
  return result.ok ? "ok" : result.reason;
};

describe("parseSource", () => {
  it("reads Markdown with front matter", () => {
    const result = parseSource(
      "knowledge/x.md",
      utf8("---\ntitle: Retention\nurl: https://example.com/a\nupdated: 2025-03-04\n---\n\n# Retention\n\nThirty days."),
      "markdown",
      opts,
    );
    expect(result).toEqual({
      ok: true,
      document: {
        source: "knowledge/x.md",
        url: "https://example.com/a",
        title: "Retention",
        updated: "2025-03-04",
        markdown: "# Retention\n\nThirty days.",
        provider: null,
        appliesTo: null,
      },
    });
  });

  it.each([
    ["an empty file", utf8(""), /empty/],
    ["white space only", utf8("  \n\n"), /empty/],
    ["a binary file", new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00]), /binary/],
    ["invalid UTF-8", new Uint8Array([0x2d, 0x2d, 0x2d, 0x0a, 0xc3, 0x28, 0x0a]), /not valid UTF-8/],
    ["no front matter", utf8("# Just a heading\n\ntext"), /missing front matter/],
    ["malformed front matter", utf8("---\ntitle: [unclosed\nurl: https://x.y\n---\ntext"), /malformed front matter/],
    ["a missing url", utf8("---\ntitle: T\n---\ntext"), /missing url/],
    ["an invalid url", utf8("---\ntitle: T\nurl: not a url\n---\ntext"), /invalid url/],
    ["a non-web url", utf8("---\ntitle: T\nurl: ftp://x.y/z\n---\ntext"), /invalid url/],
    ["a missing title", utf8("---\nurl: https://x.y\n---\ntext"), /missing title/],
    ["a bad date", utf8("---\ntitle: T\nurl: https://x.y\nupdated: someday\n---\ntext"), /not a date/],
    ["front matter but no text", utf8("---\ntitle: T\nurl: https://x.y\n---\n\n"), /no text/],
    ["a file over the size limit", utf8(`---\ntitle: T\nurl: https://x.y\n---\n${"x".repeat(20_000)}`), /over the 10000-byte limit/],
  ])("rejects %s with a reason", (_name, bytes, reason) => {
    expect(reasonOf(bytes)).toMatch(reason);
  });

  it("reads plain text with a front-matter url and names it after the file", () => {
    const result = parseSource("knowledge/zero-retention.txt", utf8("---\nurl: https://example.com/zdr\n---\nNothing is kept."), "text", opts);
    expect(result.ok && result.document.title).toBe("zero retention");
  });

  it("extracts the main content of an HTML page as Markdown, with its canonical url", () => {
    const html = `<!doctype html><html><head><title>Security | Example</title><link rel="canonical" href="https://example.com/security"></head>
      <body><nav><a href="/">Home</a><a href="/pricing">Pricing</a></nav>
      <main><article><h1>Security</h1><h2>Encryption</h2><p>Customer data is encrypted at rest using AES-256 and in transit using TLS 1.2 or later, across every storage system we operate.</p>
      <h2>Audits</h2><p>An independent auditor reviews our controls every year and issues a SOC 2 Type 2 report to customers who ask for it under NDA.</p></article></main>
      <footer>© Example Inc. Cookie settings</footer></body></html>`;
    const result = parseSource("site/security.html", utf8(html), "html", opts);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.document.url).toBe("https://example.com/security");
    expect(result.document.markdown).toContain("## Encryption");
    expect(result.document.markdown).toContain("AES-256");
    expect(result.document.markdown).not.toContain("Pricing");
  });

  it("rejects an HTML page without a canonical url", () => {
    expect(reasonOf(utf8("<html><body><p>hello</p></body></html>"), "html")).toMatch(/canonical/);
  });
});
