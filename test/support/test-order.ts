import { readFileSync } from "node:fs";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * Which test files start processes — a project script (runScript), the build, a shard manager, a browser or a Ceph
 * cluster — found by what they call, so a new file is sorted without anyone listing it.
 */
const STARTS_PROCESSES = /\brunScript\(|\bscriptArgs\(|(?<!\.)\bspawn(?:Sync)?\(|(?<!\.)\bexecFile(?:Sync)?\(|playwright-core|support\/radosgw\.ts/;

export function startsProcesses(file: string): boolean {
  return STARTS_PROCESSES.test(readFileSync(file, "utf8"));
}

/**
 * How early a file should run: 0 for one that starts no process; otherwise 1 + the longest timeout it gives one of
 * its tests or hooks (`}, 120_000);`), its own estimate of its slowest part.
 */
function earliness(file: string): number {
  const source = readFileSync(file, "utf8");
  if (!STARTS_PROCESSES.test(source)) return 0;
  const timeouts = [...source.matchAll(/^\s*\}, (\d[\d_]*)\);?$/gm)].map((m) => Number(m[1]!.replaceAll("_", "")));
  return 1 + Math.max(0, ...timeouts);
}

/**
 * Runs the files that start processes first, those declaring the longest timeouts first among them (the soak, the
 * build, the object-storage suite), then the rest in vitest's own order. On a clean clone vitest knows no durations
 * and runs larger files first, which left the two-minute soak to start near the end and run alone.
 */
export default class SlowFilesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const base = await super.sort(files);
    const rank = new Map(base.map((spec) => [spec.moduleId, earliness(spec.moduleId)]));
    // Array sort is stable: files of equal rank keep vitest's order.
    return base.sort((a, b) => rank.get(b.moduleId)! - rank.get(a.moduleId)!);
  }
}
