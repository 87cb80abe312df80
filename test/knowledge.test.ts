import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { splitSentences } from "../src/answer/language/sentences.ts";
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
    const words = (text: string) =>
      text
        .replace(/\[[^\]]*\]\([^)]*\)|https?:\/\/\S+/g, " ")
        .toLowerCase()
        .match(/[a-z0-9]+/g) ?? [];
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

  it("are written for a reader in a hurry: every section opens with a self-contained answer naming the product", async () => {
    const problems: string[] = [];
    for (const page of await pages()) {
      if (POINTER.test(page.body)) problems.push(`${page.name}: points elsewhere: "${page.body.match(POINTER)![0]}"`);
      for (const section of page.sections) {
        const where = `${page.name} > ${section.path.at(-1)}`;
        const firstLine = section.body.split("\n").find((line) => line.trim() !== "")!;
        if (LIST_OR_TABLE.test(firstLine) || /^\*\*[^*]+\*\*:?$/.test(firstLine.trim()))
          problems.push(`${where}: opens with a list, table or label, not a sentence`);
        const lead = splitSentences(section.body)[0] ?? "";
        if (words(lead).length < 6) problems.push(`${where}: the opening sentence is too short to answer anything: "${lead}"`);
        if (!PRODUCT.test(lead)) problems.push(`${where}: the opening sentence names no product or provider: "${lead}"`);
        for (const sentence of splitSentences(section.body)) {
          const plain = sentence.replace(/^[*_`]+/, "");
          if (DANGLING.test(plain)) problems.push(`${where}: starts with a word that leans on the sentence before: "${sentence}"`);
          if (words(sentence).length > 45) problems.push(`${where}: ${words(sentence).length} words, too long to quote: "${sentence}"`);
          if (CONSUMER.test(sentence) && !/consumer|individual|chatgpt/i.test(section.path.join(" "))) {
            problems.push(`${where}: a consumer-ChatGPT sentence outside a consumer-ChatGPT section: "${sentence}"`);
          }
        }
        for (const line of section.body.split("\n").filter((l) => LIST_OR_TABLE.test(l))) {
          const item = line.replace(LIST_OR_TABLE, "").trim();
          if (/^[a-z]/.test(item) || /[;,]$|\b(?:and|or)$/.test(item)) problems.push(`${where}: a list item that is a fragment, not a statement: "${item}"`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it("answer the seed questions with a plain sentence that opens a section", async () => {
    const all = await pages();
    const leads = all.flatMap((p) => p.sections.map((s) => ({ name: p.name, sentence: splitSentences(s.body)[0] ?? "" })));
    const anywhere = all.flatMap((p) => p.sections.flatMap((s) => splitSentences(s.body).map((sentence) => ({ name: p.name, sentence }))));
    const seeds: Array<[string, RegExp[], "lead" | "any"]> = [
      ["Is my code or data used to train OpenAI models?", [/\bAPI\b/, /does not train|not used (?:to train|for training)/, /opt(?:s|ed)? in/], "lead"],
      ["How long do you keep my API data?", [/\bAPI\b/, /\bkeeps?\b|\bkept\b/, /30 days/, /abuse monitoring/, /delet|remov/, /\blaw\b/], "lead"],
      ["Does OpenAI store my data?", [/\bAPI\b/, /\bstor(?:e|es|ed)\b|\bretain(?:s|ed)?\b/, /30 days/, /abuse monitoring/], "lead"],
      ["Is there any model memory?", [/\bAPI\b/, /memory|remember/, /learn/, /not used to update/], "lead"],
      ["Does each API request stand alone?", [/stateless/i, /stands? alone/], "any"],
      ["Can I use OpenAI in a fully private cloud?", [/Azure OpenAI/, /Microsoft/, /not shared with OpenAI/], "lead"],
      ["Is there zero data retention?", [/Zero Data Retention/, /eligible/, /approv/, /do not store/], "lead"],
      ["Is my data encrypted?", [/AES-256/, /at rest/, /TLS 1\.2/, /in transit/], "lead"],
      ["Is my API data secure?", [/\bAPI\b/, /not training|not (?:used )?(?:to )?train/, /AES-256/, /TLS/, /SOC 2 Type 2/, /ISO\/IEC 27001/], "lead"],
      ["Is OpenAI SOC 2 compliant?", [/\bAPI\b/, /SOC 2 Type 2/], "lead"],
      ["Who at OpenAI can access my API data?", [/\bAPI\b/, /authorized/, /limited|restricted/], "lead"],
      ["How do I get my data deleted?", [/delete/, /privacy\.openai\.com/, /dsar@openai\.com/], "lead"],
      ["How do I report a vulnerability?", [/vulnerabilit/, /Bugcrowd/, /https:\/\/bugcrowd\.com\/openai/], "lead"],
      ["Can I keep my API data in the EU?", [/\bAPI\b/, /region/, /at rest/], "lead"],
      ["Can I sign a DPA?", [/Data Processing Addendum \(DPA\)/, /\bsign|execute/], "lead"],
      ["Can I send personal data to the API?", [/personal data/, /\bAPI\b/, /Data Processing Addendum/], "lead"],
    ];
    for (const [question, patterns, where] of seeds) {
      const found = (where === "lead" ? leads : anywhere).filter((s) => patterns.every((p) => p.test(s.sentence)));
      expect(found.length, `${question}: no ${where === "lead" ? "section opens with a" : ""} sentence matching ${patterns.join(" ")}`).toBeGreaterThan(0);
    }
  });
});

const LIST_OR_TABLE = /^\s*(?:[-*+]|\d+[.)]|\|)\s*/;
/** Sentences that lean on the one before them cannot be quoted alone. */
const DANGLING =
  /^(?:This|That|These|Those|They|Them|Their|It|Its|Such|Both|Neither|Either|Here|Therefore|Thus|Hence|However|Also|Otherwise|Instead|Likewise|Similarly|In practice|In short|Keep (?:that|this) in mind|As (?:described|noted|mentioned|above|below))\b/;
/** Pointers to other pages or other parts of a page mean nothing in a quote shown alone. */
const POINTER =
  /\b(?:this|the) knowledge base\b|\bthis page\b|\bsee (?:the|our) [^.]*\bpage\b|\bas (?:described|noted|mentioned|explained) (?:above|below|earlier)\b|\(see (?:above|below)\)|\bsee (?:above|below)\b|\blisted below\b/i;
/** Every opening sentence says which product or provider it is about. */
const PRODUCT = /\b(?:OpenAI|API|ChatGPT|Azure|Microsoft|Sora|Operator|Bugcrowd)\b/;
const CONSUMER = /\bconsumer ChatGPT\b|\bChatGPT (?:Free|Plus|Pro)\b|\bTemporary Chats?\b|\bSaved Memories\b/;

function words(text: string): string[] {
  return text.replace(/https?:\/\/\S+/g, " ").match(/[\p{L}\p{N}][\p{L}\p{N}'’/-]*/gu) ?? [];
}

async function pages(): Promise<Array<{ name: string; body: string; sections: Array<{ path: string[]; body: string }> }>> {
  const names = (await readdir(KNOWLEDGE_DIR)).filter((n) => n.endsWith(".md")).sort();
  return Promise.all(
    names.map(async (name) => {
      const body = (await readFile(path.join(KNOWLEDGE_DIR, name), "utf8")).replace(/^---[\s\S]*?---/, "");
      return { name, body, sections: splitSections(body).filter((s) => s.path.length >= 2) };
    }),
  );
}
