import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import path from "node:path";
import { PROJECT_DIR, SCRIPT_BUILD_ENV } from "./run-script.ts";

/**
 * Vitest global setup for the full run: compiles the project once (scripts/build.ts, as `npm ci` does) into a folder
 * of this run's own, so every test that starts a command runs `node <build>/scripts/x.js` the way `npm run x` does,
 * instead of paying tsx's transpiling in each of a hundred child processes. Another run beside this one builds its
 * own folder. The quick loop starts no process and skips this.
 */
export default function buildScripts(): () => void {
  const dir = path.join(PROJECT_DIR, "test-output", `scripts-${process.pid}`);
  const built = spawnSync(process.execPath, ["--import", "tsx", "scripts/build.ts", "--out-dir", dir], { cwd: PROJECT_DIR, encoding: "utf8" });
  if (built.status !== 0) throw new Error(`The test build (scripts/build.ts --out-dir ${dir}) failed:\n${built.stderr}${built.stdout}`);
  process.env[SCRIPT_BUILD_ENV] = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
