import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { splitSections } from "../src/ingest/chunk.ts";
import { loadSources } from "../src/ingest/load-sources.ts";
import { CORPUS_DIR, KNOWLEDGE_DIR, sharedCorpusAvailable } from "./support/fixtures.ts";

describe("the shipped knowledge/ pages", () => {
  it("all load, with a title, a unique public url and sections", async () => {
    const { documents, errors } = await loadSources([KNOWLEDGE_DIR], { maxBytes: 1_000_000 });
    expect(errors).toEqual([]);
    expect(documents.length).toBeGreaterThanOrEqual(10);
    expect(documents.length).toBeLessThanOrEqual(20);
    for (const doc of documents) {
      expect(doc.url, doc.source).toMatch(/^https:\/\//);
      expect(splitSections(doc.markdown).filter((s) => s.path.length >= 2).length, doc.source).toBeGreaterThanOrEqual(3);
    }
    expect(new Set(documents.map((d) => d.url)).size).toBe(documents.length);
  });

  it.runIf(sharedCorpusAvailable())("are written in our own words: no run of more than 12 words copied from the corpus", async () => {
    // Addresses and linked article titles are names, not prose: leave them out of the comparison.
    const words = (text: string) => text.replace(/\[[^\]]*\]\([^)]*\)|https?:\/\/\S+/g, " ").toLowerCase().match(/[a-z0-9]+/g) ?? [];
    const runs = new Set<string>();
    const RUN = 13;
    for (const name of (await readdir(CORPUS_DIR)).filter((n) => n.endsWith(".md"))) {
      const w = words(await readFile(path.join(CORPUS_DIR, name), "utf8"));
      for (let i = 0; i + RUN <= w.length; i++) runs.add(w.slice(i, i + RUN).join(" "));
    }
    for (const name of (await readdir(KNOWLEDGE_DIR)).filter((n) => n.endsWith(".md"))) {
      const w = words((await readFile(path.join(KNOWLEDGE_DIR, name), "utf8")).replace(/^---[\s\S]*?---/, ""));
      const copied = [];
      for (let i = 0; i + RUN <= w.length; i++) if (runs.has(w.slice(i, i + RUN).join(" "))) copied.push(w.slice(i, i + RUN).join(" "));
      expect(copied, name).toEqual([]);
    }
  });
});
