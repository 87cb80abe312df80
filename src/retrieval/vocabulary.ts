import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type * as Yaml from "yaml";
import { z } from "zod";
import { DocentError } from "../errors.ts";
import { projectFile } from "../project-files.ts";
import { normaliseToken, termWords, words } from "./text-terms.ts";

/**
 * The privacy vocabulary (config/privacy-vocabulary.yaml): synonym groups, providers and audiences, compiled into
 * phrase tables that match runs of lemmatised words. Data, not code: maintainers extend the file, never this module.
 */
export interface Vocabulary {
  /** A hash of the vocabulary's data: statistics counted with another vocabulary are not reused with this one. */
  fingerprint: string;
  synonyms: PhraseTable;
  /** The synonym groups as written, by key ("syn:keep" → keep, store, retain, …): words to widen a search with. */
  synonymWords: ReadonlyMap<string, readonly string[]>;
  providers: PhraseTable;
  audiences: PhraseTable;
  /** Provider → providers whose questions its pages may also answer (Azure OpenAI hosts OpenAI's models). */
  relatedProviders: ReadonlyMap<string, readonly string[]>;
  defaultAudience: string | null;
  defaultProvider: string | null;
  /** Normalised words of asking ("wonder", "anyone") that say nothing about the subject. */
  questionFillers: ReadonlySet<string>;
  /**
   * Broad questions ("is my data safe with X?"): the terms that only voice a general concern, and the main aspects
   * an overview answer gives one point each (with the words a search for that aspect uses).
   */
  overview: {
    concerns: ReadonlySet<string>;
    about: ReadonlySet<string>;
    aspects: ReadonlyArray<{ name: string; terms: ReadonlySet<string>; query: string }>;
  };
}

/** Phrases (as sequences of normalised tokens) → the key they stand for; longest match wins. */
export interface PhraseTable {
  readonly byFirstToken: ReadonlyMap<string, ReadonlyArray<{ tokens: readonly string[]; key: string }>>;
}

export interface PhraseMatch {
  start: number;
  end: number;
  key: string;
}

const fileSchema = z.object({
  synonyms: z.array(z.array(z.string().min(1)).min(2)).default([]),
  providers: z.record(z.string(), z.object({ words: z.array(z.string().min(1)).min(1), related: z.array(z.string()).default([]) })).default({}),
  audiences: z.record(z.string(), z.array(z.string().min(1)).min(1)).default({}),
  default_audience: z.string().nullable().default(null),
  default_provider: z.string().nullable().default(null),
  question_fillers: z.array(z.string().min(1)).default([]),
  overview: z
    .object({
      concerns: z.array(z.string().min(1)).default([]),
      about: z.array(z.string().min(1)).default([]),
      aspects: z.record(z.string(), z.array(z.string().min(1)).min(1)).default({}),
    })
    .default({ concerns: [], about: [], aspects: {} }),
});

/** The vocabulary shipped with the project (config/privacy-vocabulary.yaml); VOCABULARY_FILE points elsewhere. */
export const DEFAULT_VOCABULARY_FILE = projectFile("config", "privacy-vocabulary.yaml");

let shipped: Vocabulary | undefined;
/** The shipped vocabulary, read once. */
export function defaultVocabulary(): Vocabulary {
  shipped ??= loadVocabulary(DEFAULT_VOCABULARY_FILE);
  return shipped;
}

/** Reads and compiles a vocabulary file; a missing or malformed file is a clear error naming it. */
export function loadVocabulary(file: string): Vocabulary {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new DocentError("CONFIG_INVALID", `Cannot read the vocabulary file ${file}.`, {
      hint: "Set VOCABULARY_FILE to a readable YAML file, or unset it to use config/privacy-vocabulary.yaml.",
      cause: error,
    });
  }
  return parseVocabulary(text, file);
}

/**
 * YAML text → compiled vocabulary. The YAML is parsed as data only (no custom tags, no code); for the text of the
 * shipped file, the build's parsed copy stands in for the parser (see VOCABULARY_SNAPSHOT_FILE).
 */
export function parseVocabulary(text: string, source = "vocabulary"): Vocabulary {
  let raw: unknown;
  try {
    raw = readYaml(text);
  } catch (error) {
    throw new DocentError("CONFIG_INVALID", `The vocabulary file ${source} is not valid YAML.`, {
      hint: "Fix the YAML syntax (see the comments at the top of config/privacy-vocabulary.yaml).",
      cause: error,
    });
  }
  return compileVocabulary(raw, source);
}

/** Pure: a vocabulary file's data → compiled vocabulary; bad entries are a clear error naming `source`. */
function compileVocabulary(raw: unknown, source: string): Vocabulary {
  const parsed = fileSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DocentError(
      "CONFIG_INVALID",
      `The vocabulary file ${source} has a bad entry at ${issue?.path.join(".") || "the top level"}: ${issue?.message}.`,
      {
        hint: "synonyms is a list of lists of words; providers maps a name to {words, related}; audiences maps a name to a list of words.",
      },
    );
  }
  const file = parsed.data;
  const audienceNames = Object.keys(file.audiences);
  if (file.default_audience !== null && !audienceNames.includes(file.default_audience)) {
    throw new DocentError(
      "CONFIG_INVALID",
      `The vocabulary file ${source} names default_audience "${file.default_audience}", which is not one of its audiences (${audienceNames.join(", ")}).`,
    );
  }
  const providerNames = Object.keys(file.providers);
  if (file.default_provider !== null && !providerNames.includes(file.default_provider)) {
    throw new DocentError(
      "CONFIG_INVALID",
      `The vocabulary file ${source} names default_provider "${file.default_provider}", which is not one of its providers (${providerNames.join(", ")}).`,
    );
  }
  const synonyms = compilePhrases(file.synonyms.map((group) => [synonymKey(group), group]));
  return {
    fingerprint: sha256(JSON.stringify(file)),
    synonyms,
    synonymWords: new Map(file.synonyms.map((group) => [synonymKey(group), group])),
    providers: compilePhrases(Object.entries(file.providers).map(([name, p]) => [name, p.words])),
    audiences: compilePhrases(Object.entries(file.audiences)),
    relatedProviders: new Map(Object.entries(file.providers).map(([name, p]) => [name, p.related])),
    defaultAudience: file.default_audience,
    defaultProvider: file.default_provider,
    questionFillers: new Set(file.question_fillers.flatMap((w) => termWords(w).map(normaliseToken))),
    overview: {
      concerns: new Set(file.overview.concerns.flatMap((w) => termsIn(w, synonyms))),
      about: new Set(file.overview.about.flatMap((w) => termsIn(w, synonyms))),
      aspects: Object.entries(file.overview.aspects).map(([name, phrases]) => ({
        name,
        terms: new Set(phrases.flatMap((w) => termsIn(w, synonyms))),
        query: phrases.join(" "),
      })),
    },
  };
}

/**
 * The build parses the shipped vocabulary's YAML once and writes the result beside this module with the text's
 * hash: a start-up that reads the same text takes the parsed data from there (JSON.parse, no YAML parser loaded).
 * Any other text — an edited file, VOCABULARY_FILE, the TypeScript sources without a build — is parsed as YAML.
 * Validation and compilation below run either way.
 */
export const VOCABULARY_SNAPSHOT_FILE = "privacy-vocabulary.json";

interface VocabularySnapshot {
  sha256: string;
  data: unknown;
}

/** The snapshot the build writes for `text`. */
export function vocabularySnapshot(text: string): string {
  return JSON.stringify({ sha256: sha256(text), data: parseYamlData(text) } satisfies VocabularySnapshot);
}

function readYaml(text: string): unknown {
  const snapshot = readSnapshot(fileURLToPath(new URL(VOCABULARY_SNAPSHOT_FILE, import.meta.url)));
  return snapshot?.sha256 === sha256(text) ? snapshot.data : parseYamlData(text);
}

/** The build's snapshot, or null when there is none or it cannot be read (then the YAML is parsed). */
function readSnapshot(file: string): VocabularySnapshot | null {
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, "utf8")) as VocabularySnapshot;
  } catch {
    return null;
  }
}

function parseYamlData(text: string): unknown {
  const yaml = createRequire(import.meta.url)("yaml") as typeof Yaml;
  return yaml.parse(text, { customTags: [], merge: false });
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** An empty vocabulary: plain lemma matching, no providers or audiences. */
export const EMPTY_VOCABULARY: Vocabulary = compileVocabulary({}, "the empty vocabulary");

/** A synonym group is known by its first entry: "syn:keep" for keep/store/retain/… */
function synonymKey(group: readonly string[]): string {
  return `syn:${words(group[0]!).join("-")}`;
}

function compilePhrases(entries: ReadonlyArray<readonly [string, readonly string[]]>): PhraseTable {
  const byFirstToken = new Map<string, Array<{ tokens: string[]; key: string }>>();
  for (const [key, phrases] of entries) {
    for (const phrase of phrases) {
      const tokens = termWords(phrase).map(normaliseToken);
      if (tokens.length === 0) continue;
      const list = byFirstToken.get(tokens[0]!) ?? [];
      list.push({ tokens, key });
      byFirstToken.set(tokens[0]!, list);
    }
  }
  // Longest phrases first, so "chatgpt enterprise" is tried before "chatgpt".
  for (const list of byFirstToken.values()) list.sort((a, b) => b.tokens.length - a.tokens.length);
  return { byFirstToken };
}

/** Greedy longest-match of a table's phrases over normalised tokens, left to right, without overlaps. Pure. */
export function matchPhrases(tokens: readonly string[], table: PhraseTable): PhraseMatch[] {
  const matches: PhraseMatch[] = [];
  for (let i = 0; i < tokens.length; ) {
    const candidates = table.byFirstToken.get(tokens[i]!);
    const hit = candidates?.find((c) => c.tokens.every((t, j) => tokens[i + j] === t));
    if (hit) {
      matches.push({ start: i, end: i + hit.tokens.length, key: hit.key });
      i += hit.tokens.length;
    } else i++;
  }
  return matches;
}

/** A phrase's terms as termsOf gives them (a synonym group's key where one matches), without importing terms.ts. */
function termsIn(phrase: string, synonyms: PhraseTable): string[] {
  const tokens = termWords(phrase).map(normaliseToken);
  const matches = matchPhrases(tokens, synonyms);
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const match = matches.find((m) => m.start === i);
    if (match) {
      out.push(match.key);
      i = match.end - 1;
    } else out.push(tokens[i]!);
  }
  return out;
}
