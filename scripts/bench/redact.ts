/**
 * Redaction benchmark: p50 and p99 time of `redact()` per question length (200 to 2,000 characters), beside the
 * baseline — the redaction code before issue 19 (commit 6d7081b), copied from git into node_modules/.cache so it
 * runs with the same packages. Questions mix ordinary prose, digit-heavy pastes (log lines, ids, dates) and many
 * name cues ("I am …", "this is …"), which were the slow paths. Libraries are loaded before timing starts.
 * Usage: npm run bench:redact [-- --runs 200]
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { redact } from "../../src/answer/guards/redact.ts";

const { values } = parseArgs({ options: { runs: { type: "string", default: "200" } } });
const RUNS = Number(values.runs);
const BASELINE_COMMIT = "6d7081b";
const LENGTHS = [200, 500, 1_000, 2_000];

const PIECES = [
  "Does the API keep my prompts for 30 days, and is this covered by ZDR for Azure OpenAI in West Europe? ",
  "Request 2025-06-03T12:44:01Z id req_8f2a91c0 status 429 after 1200 ms, retry 3 of 5, region 1, build 4.12.7, 3 4 5 6 7 8 9 10. ",
  "I am Azure OpenAI customer and this is ChatGPT Edu for our school; I'm wondering whether it's stored. ",
  "Thanks, OpenAI team! Hi, this is Claude Code user here, Regards, Mistral fan — call me on 020 7946 0958 maybe. ",
  "My invoice numbers are 4411 2309 8812 0045 and 2024 0117 0000 1299, plus order 99887766554433 from 12/03/2024. ",
];

function questions(length: number): string[] {
  return PIECES.map((_, offset) => {
    let text = "";
    for (let i = offset; text.length < length; i++) text += PIECES[i % PIECES.length];
    return text.slice(0, length);
  });
}

function quantiles(samples: number[]): { p50: number; p99: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { p50: at(0.5), p99: at(0.99) };
}

function measure(run: (text: string) => unknown, length: number): { p50: number; p99: number } {
  const samples: number[] = [];
  const texts = questions(length);
  for (let i = 0; i < RUNS; i++) {
    // A fresh variant each run, so per-word caches do not make every run after the first free.
    const text = `${texts[i % texts.length]!.slice(0, length - 6)} q${String(i).padStart(4, "0")}`;
    const started = performance.now();
    run(text);
    samples.push(performance.now() - started);
  }
  return quantiles(samples);
}

async function loadBaseline(): Promise<((text: string) => unknown) | null> {
  const dir = path.resolve(import.meta.dirname, "../../node_modules/.cache/docent-redact-baseline");
  try {
    mkdirSync(dir, { recursive: true });
    for (const file of ["redact.ts", "pii-detectors.ts", "normalised-view.ts"]) {
      const text = execFileSync("git", ["show", `${BASELINE_COMMIT}:src/answer/guards/${file}`], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
      writeFileSync(path.join(dir, file), text);
    }
    const module = (await import(path.join(dir, "redact.ts"))) as { redact: (text: string) => unknown };
    return module.redact;
  } catch {
    return null;
  }
}

const baseline = await loadBaseline();
// Load every library (compromise, libphonenumber metadata) before timing.
for (const text of questions(2_000)) {
  redact(text);
  baseline?.(text);
}
const fmt = (ms: number) => `${ms.toFixed(2)} ms`;
console.log(`redact() over ${RUNS} questions per length (${PIECES.length} kinds), Node ${process.version}`);
console.log(["length", "p50", "p99", `baseline p50 (${BASELINE_COMMIT})`, "baseline p99"].join(" | "));
for (const length of LENGTHS) {
  const now = measure(redact, length);
  const before = baseline ? measure(baseline, length) : null;
  console.log([`${length} chars`, fmt(now.p50), fmt(now.p99), before ? fmt(before.p50) : "n/a", before ? fmt(before.p99) : "n/a"].join(" | "));
}
if (!baseline) console.log(`(baseline unavailable: git show ${BASELINE_COMMIT} failed, e.g. in a shallow clone)`);
