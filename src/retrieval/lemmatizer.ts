import { existsSync, readFileSync } from "node:fs";
import { createRequire, Module } from "node:module";
import { fileURLToPath } from "node:url";
import type winkLemmatizer from "wink-lemmatizer";

/**
 * wink-lemmatizer, loaded fast. Its word tables (wink-lexicon: 77,000 words and their WordNet senses) ship as 3 MB
 * of JavaScript statements, and building them was the largest single cost of starting `npm run ask`. The build
 * writes the same tables compactly beside this module (the words as one sorted text searched in place, the senses
 * as text read per word when asked for); when that snapshot is there and was made from the installed wink-lexicon, tables reading
 * from it are placed in the module cache under the files' own names before wink-lemmatizer asks for them. They
 * answer every lookup wink-lemmatizer makes (`words[word]`, `senses[index]`) exactly as the originals do. Without
 * the snapshot (the TypeScript sources, another wink-lexicon) the package loads as usual.
 */
export const LEXICON_SNAPSHOT_FILE = "wink-lexicon.json";

const EXCEPTIONS = { adjective: "wn-adjective-exceptions", noun: "wn-noun-exceptions", verb: "wn-verb-exceptions" } as const;

interface LexiconSnapshot {
  version: string;
  /** Every word, sorted; a word's position is its index in wn-words. */
  words: string;
  /** Each word's sense numbers, comma-separated, words separated by ";". */
  senses: string;
  exceptions: Record<keyof typeof EXCEPTIONS, Record<string, string>>;
}

const require = createRequire(import.meta.url);
// wink-lexicon is wink-lemmatizer's dependency: resolved from its folder, the names match the ones it requires.
const requireFromLemmatizer = createRequire(require.resolve("wink-lemmatizer"));
const lexicon = (name: string): unknown => requireFromLemmatizer(`wink-lexicon/src/${name}.js`);

/** The installed wink-lexicon's tables as a snapshot, for the build to write beside this module; null if they do not fit its form. */
export function lexiconSnapshot(): string | null {
  const words = lexicon("wn-words") as Record<string, number>;
  const senses = lexicon("wn-word-senses") as number[][];
  const list = Object.keys(words);
  const sorted = [...list].sort();
  if (!list.every((word, i) => words[word] === i && sorted[i] === word && !word.includes("\n")) || senses.length !== list.length) return null;
  const exceptions = Object.fromEntries(Object.entries(EXCEPTIONS).map(([kind, name]) => [kind, { ...(lexicon(name) as Record<string, string>) }]));
  return JSON.stringify({ version: lexiconVersion(), words: list.join("\n"), senses: senses.map((s) => s.join(",")).join(";"), exceptions } as LexiconSnapshot);
}

function lexiconVersion(): string {
  return (requireFromLemmatizer("wink-lexicon/package.json") as { version: string }).version;
}

/** Where each entry of a `separator`-joined text starts (with the text's end after the last), kept off the JS heap. */
function entryStarts(text: string, separator: string): Int32Array {
  let count = 1;
  for (let at = text.indexOf(separator); at !== -1; at = text.indexOf(separator, at + 1)) count++;
  const starts = new Int32Array(count + 1);
  let entry = 1;
  for (let at = text.indexOf(separator); at !== -1; at = text.indexOf(separator, at + 1)) starts[entry++] = at + 1;
  starts[count] = text.length + 1;
  return starts;
}

/**
 * wn-words: word → index, by binary search in the sorted list (one string, compared in place: no string per
 * word is made); anything else is not a word.
 */
function wordTable(text: string): Record<string, number> {
  const starts = entryStarts(text, "\n");
  const entries = starts.length - 1;
  /** Orders `word` against entry i as JavaScript compares strings (by UTF-16 code unit). */
  const compare = (word: string, i: number): number => {
    const start = starts[i]!;
    const length = starts[i + 1]! - 1 - start;
    for (let k = 0; k < Math.min(word.length, length); k++) {
      const difference = word.charCodeAt(k) - text.charCodeAt(start + k);
      if (difference !== 0) return difference;
    }
    return word.length - length;
  };
  const indexOf = (word: string): number | undefined => {
    let low = 0;
    let high = entries - 1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const order = compare(word, mid);
      if (order === 0) return mid;
      if (order > 0) low = mid + 1;
      else high = mid - 1;
    }
    return undefined;
  };
  return new Proxy(Object.create(null) as Record<string, number>, {
    get: (_, key) => (typeof key === "string" ? indexOf(key) : undefined),
    has: (_, key) => typeof key === "string" && indexOf(key) !== undefined,
  });
}

/** wn-word-senses: index → that word's sense numbers, read from the text on first use. */
function senseTable(text: string): number[][] {
  const starts = entryStarts(text, ";");
  const entries = starts.length - 1;
  const parsed: number[][] = [];
  return new Proxy(parsed, {
    get: (target, key) => {
      if (typeof key !== "string" || !/^(?:0|[1-9]\d*)$/.test(key)) return Reflect.get(target, key);
      const index = Number(key);
      if (index >= entries) return undefined;
      return (parsed[index] ??= text
        .slice(starts[index]!, starts[index + 1]! - 1)
        .split(",")
        .map(Number));
    },
  });
}

function preloadSnapshot(file: string): void {
  const snapshot = readSnapshot(file);
  if (snapshot?.version !== lexiconVersion()) return;
  const tables: Record<string, unknown> = {
    "wn-words": wordTable(snapshot.words),
    "wn-word-senses": senseTable(snapshot.senses),
    // The package builds its tables with Object.create(null): "constructor" is not a word.
    ...Object.fromEntries(
      Object.entries(EXCEPTIONS).map(([kind, name]) => [name, Object.assign(Object.create(null), snapshot.exceptions[kind as keyof typeof EXCEPTIONS])]),
    ),
  };
  for (const [name, table] of Object.entries(tables)) {
    const id = requireFromLemmatizer.resolve(`wink-lexicon/src/${name}.js`);
    const module = new Module(id);
    module.filename = id;
    module.exports = table;
    module.loaded = true;
    requireFromLemmatizer.cache[id] = module;
  }
}

/** The snapshot, or null when there is none or it cannot be read (then the package loads as usual). */
function readSnapshot(file: string): LexiconSnapshot | null {
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, "utf8")) as LexiconSnapshot;
  } catch {
    return null;
  }
}

preloadSnapshot(fileURLToPath(new URL(LEXICON_SNAPSHOT_FILE, import.meta.url)));

export const lemmatizer = require("wink-lemmatizer") as typeof winkLemmatizer;
