import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answerQuestion } from "../src/answer/engine/answer-question.ts";
import { defaultScoringProfile } from "../src/answer/extractive/scoring-profile.ts";
import { offTopicKind } from "../src/answer/language/off-topic.ts";
import { isBroadQuestion } from "../src/answer/language/question-analysis.ts";
import { describeMissing, findFocus } from "../src/answer/language/question-focus.ts";
import { zipfFrequency } from "../src/answer/language/word-frequency.ts";
import { termsOf } from "../src/retrieval/terms.ts";
import { defaultVocabulary } from "../src/retrieval/vocabulary.ts";
import { buildTestEngine } from "./support/engine.ts";
import { KNOWLEDGE_DIR, tempDir, writePage } from "./support/fixtures.ts";

const vocabulary = defaultVocabulary();
const profile = defaultScoringProfile();

/** Focus over a pretend index that uses `known` words (as the answer layer's terms) in a few passages each. */
function focusOf(question: string, known: readonly string[] = []) {
  const keys = new Set(known.flatMap((w) => termsOf(w, vocabulary)));
  return findFocus(question, {
    vocabulary,
    documentFrequency: (term) => (keys.has(term) ? 3 : 0),
    passages: 400,
    indexTerms: () => keys,
    profile: profile.focus,
  });
}

describe("the question's focus", () => {
  it("uses a word-frequency list: everyday words are how a question is asked, rare ones what it is about", () => {
    expect(zipfFrequency("the")).toBeGreaterThan(6);
    expect(zipfFrequency("boss")).toBeGreaterThan(profile.focus.maxZipf);
    expect(zipfFrequency("fedramp")).toBe(0);
  });

  it("finds standards, acronyms and versions, and names what the pages never mention in the asker's words", () => {
    const focus = focusOf("is openai FedRAMP authorized?", ["authorized"]);
    expect(focus.missing.map((t) => t.surface)).toEqual(["FedRAMP"]);
    expect(describeMissing(focus.missing)).toBe("FedRAMP");
    expect(focusOf("does gpt-6 keep my prompts?", ["prompt", "keep"]).missing.map((t) => t.surface)).toEqual(["gpt-6"]);
    expect(describeMissing(focusOf("PCI DSS and HITRUST?").missing)).toBe("PCI, DSS and HITRUST");
  });

  it("leaves chatty words, fillers, contractions without apostrophes, manner adverbs and providers out", () => {
    const focus = focusOf("ok long story short, my boss read some article, honestly whats the deal, does OpenAI train on API data lol", [
      "train",
      "api",
      "data",
    ]);
    const surfaces = focus.terms.map((t) => t.surface.toLowerCase());
    for (const chatty of ["boss", "article", "story", "honestly", "whats", "lol", "openai"]) expect(surfaces).not.toContain(chatty);
    expect(focus.missing).toEqual([]);
  });

  it("takes a misspelling of a common word for that word, not for a missing focus", () => {
    expect(focusOf("is my locaton tracked?", ["track"]).missing).toEqual([]);
  });

  it("takes another form of a word the pages use for that word: competitor where they say competing", () => {
    const focus = focusOf("does that count as building a competitor?", ["competing", "build", "count"]);
    expect(focus.terms.map((t) => t.surface)).toContain("competitor");
    expect(focus.missing).toEqual([]);
    // A word merely starting alike is not the same word: "compliance" is not "compete".
    expect(focusOf("are you a competitor?", ["compliance"]).missing.map((t) => t.surface)).toEqual(["competitor"]);
  });
});

describe("compound and spelling variants meet", () => {
  const same = (a: string, b: string) => expect(termsOf(a, vocabulary)).toEqual(termsOf(b, vocabulary));
  it.each([
    ["soc2", "SOC 2"],
    ["SOC-2", "soc 2"],
    ["gpt4o", "GPT-4o"],
    ["gpt 4o", "gpt-4o"],
    ["e-mail", "email"],
    ["opt-out", "opt out"],
    ["iso27001", "ISO 27001"],
  ])("%s and %s", (a, b) => same(a, b));

  it("keeps a count apart from the word before it, and a different version apart", () => {
    expect(termsOf("kept 30 days", vocabulary)).toContain("30");
    expect(termsOf("SOC 3", vocabulary)).not.toEqual(termsOf("SOC 2", vocabulary));
  });
});

describe("kinds of question", () => {
  it.each([
    ["python code to reverse a string please", "code"],
    ["write me a regex that matches emails", "code"],
    ["what's a good recipe for banana bread?", "everyday"],
    ["I'm locked out of my account after switching phones", "account-support"],
    ["how do I cancel my subscription?", "account-support"],
  ])("%s is off-topic (%s)", (question, kind) => expect(offTopicKind(question)).toBe(kind));

  it.each([
    "Does OpenAI train on my API data?",
    "how long are prompts kept?",
    "Can I delete my account data under GDPR?",
    "is the code interpreter data retained?",
  ])("%s is a policy question", (question) => expect(offTopicKind(question)).toBeNull());

  it("tells a broad concern from a narrow question", () => {
    expect(isBroadQuestion("is my data safe with the OpenAI API?", vocabulary)).toBe(true);
    expect(isBroadQuestion("can I trust OpenAI with confidential documents?", vocabulary)).toBe(true);
    expect(isBroadQuestion("is my data encrypted at rest?", vocabulary)).toBe(false);
    expect(isBroadQuestion("how long do you keep my data?", vocabulary)).toBe(false);
  });
});

describe("answerability on the shipped knowledge", () => {
  let built: Awaited<ReturnType<typeof buildTestEngine>>;
  beforeAll(async () => {
    built = await buildTestEngine([KNOWLEDGE_DIR]);
  }, 120_000);
  afterAll(() => built.close());
  const ask = (question: string) => answerQuestion(built.engine, question);

  it("refuses a question whose focus no page mentions, naming it", async () => {
    const result = await ask("is openai FedRAMP authorized?");
    expect(result.refused).toBe(true);
    expect(result.answer).toMatch(/^The pages I have don't mention FedRAMP/);
    expect(result.reason).toBe("not covered: FedRAMP");
    expect(result.citations).toEqual([]);
  });

  it("refuses an off-topic request before searching", async () => {
    const result = await ask("python code to reverse a string please");
    expect(result.refused).toBe(true);
    expect(result.passages).toEqual([]);
    expect(result.answer).toMatch(/can only answer questions about the data-privacy and security policies/);
  });

  it("still answers a chatty question about something the pages cover", async () => {
    const result = await ask("ok long story short, my boss read some article saying OpenAI trains on everything we send through the API. true?");
    expect(result.refused).toBe(false);
    expect(result.answer.split("\n").slice(0, 2).join("\n")).toMatch(/not (?:used to )?train|does not train/i);
  });

  it("answers soc2 as it answers SOC 2", async () => {
    const joined = await ask("does openai have soc2?");
    const spaced = await ask("does openai have SOC 2?");
    expect(joined.refused).toBe(false);
    expect(joined.citations.map((c) => c.quote)).toEqual(spaced.citations.map((c) => c.quote));
    expect(joined.answer).toMatch(/SOC 2 Type 2/);
  });

  it("answers a broad question with an overview from the provider asked about, without a date note", async () => {
    const result = await ask("is my data safe with the OpenAI API?");
    expect(result.refused).toBe(false);
    expect(result.draft?.lead).toMatch(/secure and private/);
    expect(result.draft?.note).toBeUndefined();
    expect(result.citations.every((c) => !/azure|microsoft/i.test(c.url))).toBe(true);
  });
});

describe("a maintainer's own pages", () => {
  let pages: Awaited<ReturnType<typeof tempDir>>;
  let built: Awaited<ReturnType<typeof buildTestEngine>>;
  beforeAll(async () => {
    pages = await tempDir("docent-acme-");
    await writePage(
      pages.dir,
      "batch.md",
      { title: "Batch jobs", url: "https://docs.acme-models.dev/batch", provider: "Acme AI" },
      "## Batch files\n\nBatch API input files are retained for 30 days and then deleted.",
    );
    await writePage(
      pages.dir,
      "training.md",
      { title: "Training", url: "https://docs.acme-models.dev/training", provider: "Acme AI" },
      "## Model training\n\nAcme AI does not train its models on data sent to the API unless the customer opts in.",
    );
    built = await buildTestEngine([pages.dir]);
  }, 120_000);
  afterAll(async () => {
    await built.close();
    await pages.cleanup();
  });

  it("answers from a two-page index", async () => {
    const result = await answerQuestion(built.engine, "How long are batch API input files retained?");
    expect(result.refused).toBe(false);
    expect(result.confidence).toBe("confident");
    expect(result.draft?.lead).toMatch(/30 days/);
  });

  it("takes the provider from the page's front matter: a question about another provider is not answered from it", async () => {
    const result = await answerQuestion(built.engine, "Does Anthropic train on my API data?");
    expect(result.refused).toBe(true);
    const own = await answerQuestion(built.engine, "Do you train on my API data?");
    expect(own.refused).toBe(false);
    expect(own.confidence).toBe("confident");
  });
});
