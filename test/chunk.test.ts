import { describe, expect, it } from "vitest";
import { chunkDocument, headingPath, splitSections } from "../src/ingest/chunk.ts";
import type { SourceDocument } from "../src/ingest/documents.ts";

const doc = (markdown: string, overrides: Partial<SourceDocument> = {}): SourceDocument => ({
  source: "knowledge/page.md",
  url: "https://example.com/privacy",
  title: "Enterprise privacy",
  updated: "2025-01-02",
  markdown,
  ...overrides,
});

describe("splitSections", () => {
  it("keeps the heading path and ignores # lines inside code fences", () => {
    const sections = splitSections(
      [
        "Intro text.",
        "# Enterprise privacy",
        "## Data retention",
        "Kept 30 days.",
        "```",
        "# not a heading",
        "```",
        "### Deletion",
        "Gone after.",
        "## Other",
        "Last.",
      ].join("\n"),
    );
    expect(sections.map((s) => [s.path.join(" > "), s.body])).toEqual([
      ["", "Intro text."],
      ["Enterprise privacy > Data retention", "Kept 30 days.\n```\n# not a heading\n```"],
      ["Enterprise privacy > Data retention > Deletion", "Gone after."],
      ["Enterprise privacy > Other", "Last."],
    ]);
  });

  it("strips link and emphasis markup from headings", () => {
    expect(splitSections("## **Bold** [link](https://x.y) `code`\nbody")[0]?.path).toEqual(["Bold link code"]);
  });
});

describe("headingPath", () => {
  it("leads with the page title unless the top heading already is the title", () => {
    expect(headingPath("Enterprise privacy", ["Data retention"])).toBe("Enterprise privacy > Data retention");
    expect(headingPath("Enterprise privacy", ["Enterprise Privacy", "Data retention"])).toBe("Enterprise Privacy > Data retention");
    expect(headingPath("Enterprise privacy", [])).toBe("Enterprise privacy");
  });
});

describe("chunkDocument", () => {
  const long = Array.from({ length: 40 }, (_, i) => `Sentence number ${i} says something about retention periods and logs.`).join(" ");
  const markdown = `## Data retention\n\n${long}\n\n## Encryption\n\nData is encrypted at rest with AES-256.`;

  it("never lets a chunk span two sections, and every chunk is a verbatim slice of its section", async () => {
    const chunks = await chunkDocument(doc(markdown), { chunkSize: 300, chunkOverlap: 40 });
    const sections = splitSections(markdown);
    expect(chunks.length).toBeGreaterThan(3);
    for (const chunk of chunks) {
      const section = sections.find((s) => headingPath("Enterprise privacy", s.path) === chunk.heading);
      expect(section, chunk.heading).toBeDefined();
      expect(section!.body.includes(chunk.text)).toBe(true);
      expect(chunk.text.length).toBeLessThanOrEqual(300);
    }
    expect(chunks.at(-1)).toMatchObject({ heading: "Enterprise privacy > Encryption", text: "Data is encrypted at rest with AES-256." });
  });

  it("gives stable ids from url, heading and ordinal, and a hash that follows the text", async () => {
    const a = await chunkDocument(doc(markdown), { chunkSize: 300, chunkOverlap: 40 });
    const b = await chunkDocument(doc(markdown), { chunkSize: 300, chunkOverlap: 40 });
    expect(b.map((c) => c.id)).toEqual(a.map((c) => c.id));
    expect(new Set(a.map((c) => c.id)).size).toBe(a.length);

    const edited = await chunkDocument(doc(markdown.replace("AES-256", "AES-128")), { chunkSize: 300, chunkOverlap: 40 });
    expect(edited.at(-1)!.id).toBe(a.at(-1)!.id);
    expect(edited.at(-1)!.contentHash).not.toBe(a.at(-1)!.contentHash);
    expect(edited.slice(0, -1).map((c) => c.contentHash)).toEqual(a.slice(0, -1).map((c) => c.contentHash));
  });

  it("does not start a chunk with the previous sentence's full stop", async () => {
    const chunks = await chunkDocument(doc(`## S\n\n${long}`), { chunkSize: 200, chunkOverlap: 0 });
    for (const chunk of chunks) expect(chunk.text).toMatch(/^[A-Z]/);
  });
});
