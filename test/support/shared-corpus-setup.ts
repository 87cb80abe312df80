import { existsSync } from "node:fs";
import { CORPUS_DIR } from "./fixtures.ts";

/**
 * Vitest global setup: looks for the team's shared corpus once per run, so a checkout without it gets one line
 * saying so instead of one per test file; the tests that need it skip (sharedCorpusAvailable()). Under CI=true a
 * missing corpus fails the run before any test starts.
 */
export default function checkSharedCorpus(): void {
  if (existsSync(CORPUS_DIR)) return;
  if (process.env.CI === "true") throw new Error(`CI=true but the shared corpus is missing at ${CORPUS_DIR}`);
  console.warn(`Shared corpus not at ${CORPUS_DIR} (it sits beside the project in the team's checkouts): the tests that use it are skipped.`);
}
