import { readdirSync } from "node:fs";
import path from "node:path";
import { configDefaults, defineConfig, mergeConfig } from "vitest/config";
import { startsProcesses } from "./test/support/test-order.ts";
import base from "./vitest.config.ts";

/**
 * `npm run test:quick`: the loop to run while editing. The same tests minus every file that starts a process (see
 * test/support/test-order.ts), so a new one drops out of the quick loop by itself and no build is needed;
 * `npm test` still runs everything.
 */
const testDir = path.join(import.meta.dirname, "test");
const slow = readdirSync(testDir)
  .filter((name) => name.endsWith(".test.ts") && startsProcesses(path.join(testDir, name)))
  .map((name) => `test/${name}`);

const quick = mergeConfig(base, defineConfig({ test: { exclude: [...configDefaults.exclude, ...slow], maxWorkers: 2 } }));
// Replaced, not merged: the quick loop starts no command, so it skips the full run's build.
quick.test!.globalSetup = ["test/support/shared-corpus-setup.ts"];
export default quick;
