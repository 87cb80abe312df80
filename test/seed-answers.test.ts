import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KNOWLEDGE_DIR, tempDir } from "./support/fixtures.ts";
import { runScript } from "./support/run-script.ts";

/**
 * The questions a newcomer asks first, through the `ask --json` contract on an index of the shipped knowledge/:
 * each answer must carry the fact a support agent would give, within its first two lines (the lead and the first
 * point), cited. Seed questions from issue #11 and rewordings of our own.
 */
const SEEDS: Array<[question: string, fact: RegExp]> = [
  ["Is my code or data used to train OpenAI models?", /not used to train|does not train|not used for training/i],
  ["do you guys learn from the prompts I send through the API?", /not (?:used to )?(?:train|learn|update)|do not remember or learn/i],
  ["Does OpenAI store my data?", /up to 30 days/i],
  ["How long do you keep my API data?", /up to 30 days.*(?:delete|remove)|(?:delete|remove).*30 days/i],
  ["how many days are API requests retained?", /30 days/i],
  ["Is there any model memory?", /no memory|stateless|do not remember/i],
  ["does the api remember my previous requests?", /no memory|stateless|do not remember/i],
  ["Can I use OpenAI in a fully private cloud?", /Azure OpenAI/],
  ["can I run OpenAI models in my own private cloud tenant?", /Azure OpenAI/],
  ["Is there zero data retention?", /Zero Data Retention/i],
  ["Is OpenAI SOC 2 compliant?", /SOC 2 Type 2/],
  ["Is OpenAI ISO 27001 certified?", /27001/],
  ["is my data encrypted when I use the API?", /AES-256|TLS/],
  ["can openai staff read my API data?", /authorized/i],
  [
    "The data I'm sending the api has to be secure and must not be access or stored by the openai. Will the data's security and privacy be compromised if I use the openAI api",
    /AES-256|does not train|SOC 2/,
  ],
];

let work: Awaited<ReturnType<typeof tempDir>>;
let db: string;
beforeAll(async () => {
  work = await tempDir("docent-seeds-");
  db = path.join(work.dir, "db");
  const ingest = await runScript("ingest.ts", ["--source", KNOWLEDGE_DIR, "--db", db]);
  expect(ingest.code, ingest.stderr).toBe(0);
}, 120_000);
afterAll(() => work.cleanup());

describe("seed questions on the shipped knowledge/ pages", () => {
  it.each(SEEDS)(
    "%s",
    async (question, fact) => {
      const result = await runScript("ask.ts", ["--db", db, "--json", question]);
      expect(result.code, result.stderr).toBe(0);
      const answer = JSON.parse(result.stdout);
      expect(answer.refused).toBe(false);
      const firstTwoLines = answer.answer.split("\n").slice(0, 2).join("\n");
      expect(firstTwoLines).toMatch(fact);
      // The lead is a quote: its citation comes first, and it is what the first line says.
      expect(answer.citations.length).toBeGreaterThan(0);
      const lead = answer.answer.split("\n")[0];
      if (answer.confidence === "confident") expect(lead).toContain(answer.citations[0].quote.slice(0, 60));
      expect(answer.answer).not.toMatch(/wins where they disagree/);
    },
    60_000,
  );
});
