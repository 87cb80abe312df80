/**
 * The compiled build the npm scripts run (`npm run build`, which `npm ci` runs as `prepare`): the full run's build
 * (test/support/script-build.ts), or one made here into a folder of its own inside the project, run as users run
 * it. This file checks what only the build can get wrong: files read at run time beside their modules, the
 * snapshots the build writes (the TypeScript sources answer exactly alike), lazily imported modules, and that a
 * command loads only what it uses.
 */
import { spawn, spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDiscordEmulator } from "../src/discord-emulator/emulator.ts";
import { tempDir } from "./support/fixtures.ts";
import { PROJECT_DIR, SCRIPT_BUILD_ENV, scriptEnv } from "./support/run-script.ts";

/** The full run's build (test/support/script-build.ts) when there is one; otherwise one made here. */
const SHARED_BUILD = process.env[SCRIPT_BUILD_ENV];
const BUILD = SHARED_BUILD ?? path.join(PROJECT_DIR, "test-output/build-check");
const QUESTION = "Do you train on my API data?";

/** A load hook and a preload that list every module a process loads (ES modules as they load, CommonJS at exit). */
const HOOKS = `import { appendFileSync } from "node:fs";
export async function load(url, context, next) {
  appendFileSync(process.env.RECORD_MODULES, url + "\\n");
  return next(url, context);
}
`;
const PRELOAD = `import { appendFileSync } from "node:fs";
import { createRequire, register } from "node:module";
register(new URL("./record-hooks.mjs", import.meta.url));
process.on("exit", () => appendFileSync(process.env.RECORD_MODULES, Object.keys(createRequire(import.meta.url).cache).join("\\n") + "\\n"));
`;

let work: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  work = await tempDir("docent-build-");
  if (SHARED_BUILD) return;
  const built = spawnSync(process.execPath, ["--import", "tsx", "scripts/build.ts", "--out-dir", BUILD], { cwd: PROJECT_DIR, encoding: "utf8" });
  expect(built.status, built.stderr + built.stdout).toBe(0);
}, 300_000);
afterAll(async () => {
  if (!SHARED_BUILD) rmSync(BUILD, { recursive: true, force: true });
  await work?.cleanup();
});

function runBuilt(script: string, args: string[], env: Record<string, string>, nodeArgs: string[] = []) {
  return spawnSync(process.execPath, [...nodeArgs, path.join(BUILD, "scripts", script), ...args], {
    cwd: PROJECT_DIR,
    env: scriptEnv(env),
    encoding: "utf8",
    timeout: 120_000,
  });
}

describe("the compiled build", () => {
  it("answers with `ask`: builds a missing index first, then starts without the ingest pipeline or the OpenAI SDK", () => {
    const db = path.join(work.dir, "db");
    const first = runBuilt("ask.js", ["--json", QUESTION], { LANCEDB_URI: db });
    expect(first.status, first.stderr).toBe(0);
    expect(first.stderr).toContain("ingesting");
    expect(JSON.parse(first.stdout).citations.length).toBeGreaterThan(0);

    const recorder = path.join(work.dir, "record-modules.mjs");
    const list = path.join(work.dir, "modules.txt");
    writeFileSync(path.join(work.dir, "record-hooks.mjs"), HOOKS);
    writeFileSync(recorder, PRELOAD);
    const second = runBuilt("ask.js", ["--json", QUESTION], { LANCEDB_URI: db, RECORD_MODULES: list }, ["--import", recorder]);
    expect(second.status, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout).answer).toBe(JSON.parse(first.stdout).answer);
    // The build's snapshots (lemmatizer tables, vocabulary) change nothing: the sources answer exactly alike.
    const fromSources = spawnSync(process.execPath, ["--import", "tsx", "scripts/ask.ts", "--json", QUESTION], {
      cwd: PROJECT_DIR,
      env: scriptEnv({ LANCEDB_URI: db }),
      encoding: "utf8",
    });
    const { timings: _a, ...compiled } = JSON.parse(second.stdout);
    const { timings: _b, ...sources } = JSON.parse(fromSources.stdout);
    expect(compiled).toEqual(sources);
    const loaded = readFileSync(list, "utf8").split("\n").filter(Boolean);
    // Both kinds of module are in the list: the engine's own (ES) and the lemmatizer (CommonJS).
    expect(loaded.some((file) => file.startsWith(`file://${BUILD}/src/answer/engine/answer-question.js`))).toBe(true);
    expect(loaded.some((file) => file.includes("node_modules/wink-lemmatizer/"))).toBe(true);
    const unused = [
      /\/src\/ingest\//,
      /node_modules\/(linkedom|@mozilla\/readability|turndown|htmlparser2|undici|@langchain|compromise|discord\.js)\//,
      /node_modules\/openai\/(index|client|resources)/,
    ];
    // The shipped vocabulary comes from the build's snapshot of it: no YAML parser either.
    unused.push(/node_modules\/yaml\//);
    expect(loaded.filter((file) => unused.some((pattern) => pattern.test(file)))).toEqual([]);
  }, 180_000);

  it("serves the playground's page assets from beside the compiled modules", async () => {
    const db = path.join(work.dir, "db");
    const child = spawn(process.execPath, [path.join(BUILD, "scripts/playground.js")], {
      cwd: PROJECT_DIR,
      env: scriptEnv({ LANCEDB_URI: db, PLAYGROUND_PORT: "0" }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = "";
        let err = "";
        child.stdout.on("data", (chunk) => {
          out += chunk;
          const match = /Docent playground: (http:\/\/\S+)/.exec(out);
          if (match) resolve(match[1]!);
        });
        child.stderr.on("data", (chunk) => (err += chunk));
        child.on("close", (code) => reject(new Error(`playground exited (${code}): ${err}`)));
      });
      for (const asset of ["page.css", "client.js"]) {
        const response = await fetch(`${url}/${asset}`);
        expect(response.status).toBe(200);
        expect(await response.text()).toBe(readFileSync(path.join(PROJECT_DIR, "src/playground", asset), "utf8"));
      }
    } finally {
      child.kill("SIGTERM");
    }
  }, 120_000);

  it("runs compiled shard processes with SHARD_COUNT (shard.js beside bot.js, no tsx)", async () => {
    const token = "build-check-token";
    const emulator = await startDiscordEmulator({
      botToken: token,
      botUser: { id: "900000000000000001", username: "docent", bot: true },
      shards: 2,
      guilds: [],
    });
    const env = scriptEnv({
      LOG_LEVEL: "info",
      DISCORD_TOKEN: token,
      DISCORD_API_URL: emulator.restApiUrl,
      SHARD_COUNT: "2",
      LANCEDB_URI: path.join(work.dir, "db"),
    });
    const manager = spawn(process.execPath, [path.join(BUILD, "scripts/bot.js")], { cwd: PROJECT_DIR, env, stdio: ["ignore", "pipe", "pipe"] });
    const closed = new Promise((resolve) => manager.once("close", resolve));
    try {
      const logs = await new Promise<string>((resolve, reject) => {
        let out = "";
        const read = (chunk: Buffer) => {
          out += chunk;
          if (out.includes('"event":"sharding_ready"')) resolve(out);
        };
        manager.stdout.on("data", read);
        manager.stderr.on("data", read);
        manager.once("close", (code) => reject(new Error(`npm start exited (${code}): ${out.slice(-2000)}`)));
      });
      expect(logs.match(/"event":"shard_ready"/g)?.length).toBe(2);
    } finally {
      manager.kill("SIGTERM");
      await closed;
      await emulator.close();
    }
  }, 120_000);
});
