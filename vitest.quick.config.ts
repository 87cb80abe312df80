import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { configDefaults, defineConfig, mergeConfig } from "vitest/config";
import base from "./vitest.config.ts";

/**
 * `npm run test:quick`: the loop to run while editing. The same tests minus every file that starts a process —
 * a project script (runScript), the build, a shard manager, a browser or a Ceph cluster. Those files are found by
 * what they call, so a new one drops out of the quick loop by itself; `npm test` still runs everything.
 */
const STARTS_PROCESSES = /\brunScript\(|(?<!\.)\bspawn(?:Sync)?\(|(?<!\.)\bexecFile(?:Sync)?\(|playwright-core|support\/radosgw\.ts/;
const testDir = path.join(import.meta.dirname, "test");
const slow = readdirSync(testDir)
  .filter((name) => name.endsWith(".test.ts") && STARTS_PROCESSES.test(readFileSync(path.join(testDir, name), "utf8")))
  .map((name) => `test/${name}`);

// Two workers even on two cores: vitest's default there is one, and a file spends much of its time loading modules
// and waiting on loopback servers rather than computing.
export default mergeConfig(base, defineConfig({ test: { exclude: [...configDefaults.exclude, ...slow], maxWorkers: 2 } }));
