import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "dotenv";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../src/config.ts";
import { PROJECT_DIR } from "./support/run-script.ts";

const configSource = readFileSync(path.join(PROJECT_DIR, "src/config.ts"), "utf8");
const exampleText = readFileSync(path.join(PROJECT_DIR, ".env.example"), "utf8");

/** The variables of config.ts's zod schema: the keys of its `z.object({ ... })`, one per line at two spaces. */
function schemaVariables(source: string): string[] {
  const start = source.indexOf("z.object({");
  const end = source.indexOf("\n});", start);
  expect(start, "config.ts has no z.object({ ... }) schema").toBeGreaterThan(-1);
  return [...source.slice(start, end).matchAll(/^ {2}([A-Z][A-Z0-9_]*):/gm)].map((match) => match[1] ?? "");
}

/** Variables config.ts reads from process.env directly (outside the schema), e.g. DEBUG. */
function directVariables(source: string): string[] {
  return [...source.matchAll(/process\.env\.([A-Z][A-Z0-9_]*)/g)].map((match) => match[1] ?? "");
}

describe(".env.example", () => {
  const example = parse(exampleText);

  it("lists every variable of config.ts's schema as NAME=value", () => {
    const names = schemaVariables(configSource);
    // The schema is long; a parse that finds a handful means the regex no longer fits config.ts.
    expect(names.length).toBeGreaterThan(40);
    expect(names).toContain("REVIEW_CHANNEL_ID");
    const missing = names.filter((name) => !(name in example));
    expect(missing, `add these to .env.example, with a comment saying what they do: ${missing.join(", ")}`).toEqual([]);
  });

  it("mentions every variable config.ts reads from the environment directly", () => {
    const names = directVariables(configSource);
    expect(names).toContain("DEBUG");
    expect(names.filter((name) => !new RegExp(`\\b${name}\\b`).test(exampleText))).toEqual([]);
  });

  it("lists nothing config.ts does not read, and each name once", () => {
    const known = new Set(schemaVariables(configSource));
    const listed = [...exampleText.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1] ?? "");
    expect(listed.filter((name) => !known.has(name))).toEqual([]);
    expect(listed.length).toBe(new Set(listed).size);
  });

  it("holds the defaults: copied to .env unchanged, it configures exactly what no .env does", () => {
    expect(parseConfig(example)).toEqual(parseConfig({}));
  });
});
