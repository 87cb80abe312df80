import { existsSync, readFileSync } from "node:fs";
import { createRequire, Module } from "node:module";
import { fileURLToPath } from "node:url";
import type winkLemmatizer from "wink-lemmatizer";

/**
 * wink-lemmatizer, loaded fast. Its word tables (wink-lexicon: 77,000 words and their senses) ship as 3 MB of
 * JavaScript statements, and compiling them was the largest single cost of starting `npm run ask`. The build
 * writes the same tables as JSON beside this module (about four times faster to read); when that snapshot is there
 * and was made from the installed wink-lexicon, its tables are placed in the module cache under the files'
 * own names before wink-lemmatizer asks for them. Without it (the TypeScript sources, another wink-lexicon) the
 * package loads as usual. Either way the same code lemmatizes with the same data.
 */
export const LEXICON_SNAPSHOT_FILE = "wink-lexicon.json";

/** The wink-lexicon files wink-lemmatizer requires. */
const TABLES = ["wn-adjective-exceptions", "wn-noun-exceptions", "wn-verb-exceptions", "wn-words", "wn-word-senses"] as const;

interface LexiconSnapshot {
  version: string;
  tables: Record<(typeof TABLES)[number], unknown>;
}

const require = createRequire(import.meta.url);
// wink-lexicon is wink-lemmatizer's dependency: resolved from its folder, the names match the ones it requires.
const requireFromLemmatizer = createRequire(require.resolve("wink-lemmatizer"));

/** The installed wink-lexicon's tables as JSON text, for the build to write beside this module. */
export function lexiconSnapshot(): string {
  const tables = Object.fromEntries(TABLES.map((name) => [name, requireFromLemmatizer(`wink-lexicon/src/${name}.js`)])) as LexiconSnapshot["tables"];
  return JSON.stringify({ version: lexiconVersion(), tables } satisfies LexiconSnapshot);
}

function lexiconVersion(): string {
  return (requireFromLemmatizer("wink-lexicon/package.json") as { version: string }).version;
}

function preloadSnapshot(file: string): void {
  if (!existsSync(file)) return;
  const snapshot = JSON.parse(readFileSync(file, "utf8")) as LexiconSnapshot;
  if (snapshot.version !== lexiconVersion()) return;
  for (const name of TABLES) {
    const id = requireFromLemmatizer.resolve(`wink-lexicon/src/${name}.js`);
    const table = snapshot.tables[name] as object;
    // The package builds its lookup tables with Object.create(null): "constructor" is not a word.
    if (!Array.isArray(table)) Object.setPrototypeOf(table, null);
    const module = new Module(id);
    module.filename = id;
    module.exports = table;
    module.loaded = true;
    requireFromLemmatizer.cache[id] = module;
  }
}

preloadSnapshot(fileURLToPath(new URL(LEXICON_SNAPSHOT_FILE, import.meta.url)));

export const lemmatizer = require("wink-lemmatizer") as typeof winkLemmatizer;
