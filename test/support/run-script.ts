import { spawn } from "node:child_process";
import path from "node:path";

export const PROJECT_DIR = path.resolve(import.meta.dirname, "../..");

/** Where the test run's compiled build is (set by test/support/script-build.ts), if it made one. */
export const SCRIPT_BUILD_ENV = "DOCENT_TEST_BUILD";

/**
 * Node's arguments to run one of the project's scripts (`"ask.ts"`, `"bench/x.ts"`): the run's compiled build as
 * `npm run` does when there is one, otherwise the TypeScript source through tsx.
 */
export function scriptArgs(script: string): string[] {
  const build = process.env[SCRIPT_BUILD_ENV];
  if (build) return [path.join(build, "scripts", script.replace(/\.ts$/, ".js"))];
  return ["--import", "tsx", path.join(PROJECT_DIR, "scripts", script)];
}

/**
 * The environment a project script gets in tests and benchmarks: only PATH and HOME from this process, LanceDB
 * quiet, and no .env (DOTENV_CONFIG_PATH points at a missing file), plus the given variables.
 */
export function scriptEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", LANCEDB_LOG: "error", DOTENV_CONFIG_PATH: "/nonexistent/.env", ...extra };
}

export interface ScriptResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs one of the project's scripts as a user would (a fresh process), with a clean, offline environment. */
export function runScript(
  script: string,
  args: string[],
  env: Record<string, string> = {},
  options: { onStderr?: (text: string, kill: () => void) => void } = {},
): Promise<ScriptResult> {
  return new Promise((resolve, reject) => {
    // Node runs the script in this one process (tsx too, as an import hook), so a SIGKILL reaches the process doing the work.
    const child = spawn(process.execPath, [...scriptArgs(script), ...args], {
      cwd: PROJECT_DIR,
      env: scriptEnv(env),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => {
      stderr += d;
      options.onStderr?.(stderr, () => child.kill("SIGKILL"));
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
