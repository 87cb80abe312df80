/**
 * `npm run build` (and `prepare`, which `npm ci` runs): compiles src/ and scripts/ to JavaScript in dist/, so the
 * commands start without transpiling TypeScript, and copies the files src/ reads at run time beside their
 * modules (the playground's page.css and client.js: everything under src/ that is not TypeScript), and writes the
 * lemmatizer's word tables, the word-frequency list and the shipped vocabulary as JSON, read faster than the originals (see
 * src/retrieval/lemmatizer.ts and vocabulary.ts; each is used only while it matches what it was made from).
 * Files people edit without a build (config/, knowledge/) are read from the project itself, never copied.
 * `--out-dir DIR` builds elsewhere inside the project (the build test does).
 */
import { spawnSync } from "node:child_process";
import { cpSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { parseArgs } from "node:util";
import { WORD_FREQUENCY_SNAPSHOT_FILE, wordFrequencySnapshot } from "../src/answer/language/word-frequency.ts";
import { LEXICON_SNAPSHOT_FILE, lexiconSnapshot } from "../src/retrieval/lemmatizer.ts";
import { DEFAULT_VOCABULARY_FILE, VOCABULARY_SNAPSHOT_FILE, vocabularySnapshot } from "../src/retrieval/vocabulary.ts";

const PROJECT_DIR = path.resolve(import.meta.dirname, "..");
const { values } = parseArgs({ options: { "out-dir": { type: "string", default: "dist" } } });
const outDir = path.resolve(PROJECT_DIR, values["out-dir"]!);

// A clean build: a module moved or deleted in src/ must not live on in dist/.
rmSync(outDir, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
const compiled = spawnSync(process.execPath, [tsc, "-p", path.join(PROJECT_DIR, "tsconfig.build.json"), "--outDir", outDir], {
  cwd: PROJECT_DIR,
  stdio: "inherit",
});
if (compiled.status !== 0) {
  process.stderr.write(`docent: the build failed (tsc exited with ${compiled.status ?? compiled.signal}); fix the errors above and run npm run build.\n`);
  process.exit(1);
}
cpSync(path.join(PROJECT_DIR, "src"), path.join(outDir, "src"), { recursive: true, filter: (file) => !file.endsWith(".ts") });
// A wink-lexicon whose tables do not fit the snapshot's form simply loads as it is.
const lexicon = lexiconSnapshot();
if (lexicon !== null) writeFileSync(path.join(outDir, "src/retrieval", LEXICON_SNAPSHOT_FILE), lexicon);
writeFileSync(path.join(outDir, "src/answer/language", WORD_FREQUENCY_SNAPSHOT_FILE), wordFrequencySnapshot());
writeFileSync(path.join(outDir, "src/retrieval", VOCABULARY_SNAPSHOT_FILE), vocabularySnapshot(readFileSync(DEFAULT_VOCABULARY_FILE, "utf8")));
