/**
 * Start-up benchmark: how long a fresh process takes, beside the floor — a bare Node script that opens the same
 * LanceDB table and runs one full-text query (scripts/bench/bare-query.ts). Measured, in one run, as medians of
 * alternating runs (every round runs each command once, in a rotating order, so a busy machine slows all alike):
 * - `ask`: `node dist/scripts/ask.js` answering one question, process start to exit (target ≤ 2.5× the floor);
 * - `playground`: `node dist/scripts/playground.js` on an existing index, process start to its address printed
 *   (target ≤ 5× the floor);
 * - the same two run from the TypeScript sources with tsx, which is how every command started before the build;
 * - with `--baseline DIR` (a checkout of an earlier tree, with node_modules), that tree's `npm run ask` and
 *   `npm run playground` commands, `node --import tsx scripts/….ts`.
 * Beside each wall time, the process's CPU time (user + system, read by a small preload at the same moment), which
 * a busy machine disturbs much less.
 * `npm run bench:startup` builds first, so the build measured is the current source. Writes its table to the
 * "Start-up time" section of BENCHMARKS.md (`--out`), leaving the other sections as they are.
 * Usage: npm run bench:startup [-- --runs 9 --baseline DIR --baseline-name TEXT --out FILE]
 */
import "../../src/cli/quiet-native-logs.ts";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { PROJECT_ROOT, projectFile } from "../../src/project-files.ts";
import { scriptEnv } from "../../test/support/run-script.ts";
import { replaceSection } from "./benchmarks-file.ts";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "9" },
    baseline: { type: "string" },
    "baseline-name": { type: "string" },
    out: { type: "string", default: projectFile("BENCHMARKS.md") },
  },
});
const RUNS = Number(values.runs);
const QUESTION = "Do you train on my API data?";
const SECTION = "Start-up time";

interface Command {
  name: string;
  args: string[];
  cwd: string;
  /** Ends when this is printed on stdout (then the process is stopped); otherwise at exit. */
  until?: RegExp;
  target?: number;
}

const dist = (...segments: string[]) => projectFile("dist", "scripts", ...segments);
if (!existsSync(dist("ask.js"))) throw new Error("No build in dist/: run npm run build (npm run bench:startup does).");

const work = mkdtempSync(path.join(tmpdir(), "docent-bench-startup-"));
const db = path.join(work, "db");
const env = scriptEnv({ LANCEDB_URI: db, PLAYGROUND_PORT: "0" });
const ADDRESS = /Docent playground: http/;
// Each command reports its CPU time into the file named by BENCH_CPU_FILE: when it prints the playground's address,
// or else at exit (the moments its wall time is taken).
const cpuPreload = path.join(work, "report-cpu.mjs");
writeFileSync(
  cpuPreload,
  `import { writeFileSync } from "node:fs";
let reported = false;
const report = () => {
  if (reported) return;
  reported = true;
  const t = process.cpuUsage();
  writeFileSync(process.env.BENCH_CPU_FILE, String((t.user + t.system) / 1000));
};
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = (chunk, ...rest) => {
  if (${ADDRESS}.test(String(chunk))) report();
  return write(chunk, ...rest);
};
process.on("exit", report);
`,
);

try {
  const ingest = spawnSync(process.execPath, [dist("ingest.js"), "--json"], { cwd: PROJECT_ROOT, env, encoding: "utf8" });
  if (ingest.status !== 0) throw new Error(`ingest failed: ${ingest.stderr}`);

  const commands: Command[] = [
    { name: "bare query script (the floor)", args: [dist("bench/bare-query.js"), db, QUESTION], cwd: PROJECT_ROOT },
    { name: "`ask`, compiled (`npm run ask` runs this)", args: [dist("ask.js"), QUESTION], cwd: PROJECT_ROOT, target: 2.5 },
    { name: "`ask`, TypeScript sources through tsx", args: ["--import", "tsx", "scripts/ask.ts", QUESTION], cwd: PROJECT_ROOT },
    {
      name: "`playground` to its address, compiled (`npm run playground`, `npm start`)",
      args: [dist("playground.js")],
      cwd: PROJECT_ROOT,
      until: ADDRESS,
      target: 5,
    },
    {
      name: "`playground` to its address, TypeScript sources through tsx",
      args: ["--import", "tsx", "scripts/playground.ts"],
      cwd: PROJECT_ROOT,
      until: ADDRESS,
    },
  ];
  if (values.baseline) {
    const dir = path.resolve(values.baseline);
    const name = values["baseline-name"] ?? path.basename(dir);
    commands.push(
      { name: `\`ask\` before (${name}: \`node --import tsx scripts/ask.ts\`)`, args: ["--import", "tsx", "scripts/ask.ts", QUESTION], cwd: dir },
      { name: `\`playground\` to its address before (${name})`, args: ["--import", "tsx", "scripts/playground.ts"], cwd: dir, until: ADDRESS },
    );
  }

  const times = new Map<Command, Array<{ wall: number; cpu: number }>>(commands.map((command) => [command, []]));
  // One round unmeasured: disk caches and tsx's transpile cache are warm for every command alike.
  for (const command of commands) await timeOnce(command);
  for (let round = 0; round < RUNS; round++) {
    const order = commands.map((_, i) => commands[(i + round) % commands.length]!);
    for (const command of order) times.get(command)!.push(await timeOnce(command));
    process.stderr.write(`round ${round + 1}/${RUNS}\n`);
  }

  const wall = (command: Command) => median(times.get(command)!.map((t) => t.wall));
  const cpu = (command: Command) => median(times.get(command)!.map((t) => t.cpu));
  const floor = commands[0]!;
  const rows = commands.map((command) => {
    const ratio = wall(command) / wall(floor);
    const target = command.target === undefined ? "" : `≤ ${command.target}× ${ratio <= command.target ? "✓" : "✗ missed"}`;
    return `| ${command.name} | ${wall(command).toFixed(0)} | ${ratio.toFixed(2)}× | ${cpu(command).toFixed(0)} | ${(cpu(command) / cpu(floor)).toFixed(2)}× | ${target} |`;
  });
  const table = ["| command | wall ms (median) | × floor | CPU ms (median) | × floor | target (wall) |", "|---|---|---|---|---|---|", ...rows].join("\n");
  const section = [
    `## ${SECTION}`,
    "",
    `Latest run of \`npm run bench:startup\` (${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${process.platform}/${process.arch}, ${RUNS} alternating rounds, an index of the shipped knowledge/ pages; question "${QUESTION}").`,
    "Wall time of a fresh process: `ask` to exit, the playground until it prints its address; CPU time (user +",
    "system) at the same moment, steadier than wall time on a busy machine. `npm run` adds npm's own start-up to any",
    "command, before and after alike.",
    "",
    table,
  ].join("\n");
  console.log(`\n${table}\n`);
  const previous = existsSync(values.out!) ? readFileSync(values.out!, "utf8") : "# Benchmarks\n";
  writeFileSync(values.out!, replaceSection(previous, SECTION, section));
  console.log(`Wrote the "${SECTION}" section of ${values.out}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}

/** Milliseconds from spawning the command to its exit, or to the line it is waited for; and its CPU time. */
function timeOnce(command: Command): Promise<{ wall: number; cpu: number }> {
  const cpuFile = path.join(work, "cpu.txt");
  rmSync(cpuFile, { force: true });
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ["--import", cpuPreload, ...command.args], {
      cwd: command.cwd,
      env: { ...env, BENCH_CPU_FILE: cpuFile },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let elapsed: number | undefined;
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      if (elapsed === undefined && command.until?.test(stdout)) {
        elapsed = performance.now() - started;
        child.kill("SIGTERM");
      }
    });
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      const failed = command.until ? elapsed === undefined : code !== 0;
      if (failed || !existsSync(cpuFile))
        reject(new Error(`${command.name} failed (exit ${code ?? signal}${failed ? "" : ", no CPU time reported"}): ${stderr.slice(0, 500)}`));
      else resolve({ wall: elapsed ?? performance.now() - started, cpu: Number(readFileSync(cpuFile, "utf8")) });
    });
  });
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
