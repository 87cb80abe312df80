import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { PROJECT_DIR } from "./run-script.ts";

const run = promisify(execFile);
const SCRIPT = path.join(PROJECT_DIR, "scripts/services/radosgw.sh");
const BINARIES = ["radosgw", "ceph-mon", "ceph-osd"];

/**
 * Whether Debian's Ceph binaries are installed (.ci/run installs them). Without them the object-storage tests skip
 * and say why; under CI a missing radosgw is a failure, never a silent pass.
 */
export function radosgwAvailable(): boolean {
  const missing = BINARIES.filter((bin) => !["/usr/bin", "/usr/local/bin", "/usr/sbin"].some((dir) => existsSync(path.join(dir, bin))));
  if (missing.length === 0) return true;
  if (process.env.CI === "true") throw new Error(`CI=true but ${missing.join(", ")} is missing: apt-get install -y radosgw ceph-mon ceph-osd`);
  console.warn(`Skipping object-storage tests: ${missing.join(", ")} not installed (apt-get install -y radosgw ceph-mon ceph-osd).`);
  return false;
}

export interface Radosgw {
  /** AWS_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ALLOW_HTTP for a bucket on 127.0.0.1. */
  env: Record<string, string>;
  bucket: string;
  stop(): Promise<void>;
}

/**
 * Starts a throwaway single-node Ceph with radosgw (scripts/services/radosgw.sh) and the bucket, in a folder of its
 * own with free ports, so several runs of the suite can share the machine. A start that fails is stopped (every
 * daemon it started, and its folder) and tried again with new ports: a free port can be taken between the moment it
 * is picked and the moment Ceph binds it.
 */
export async function startRadosgw(attempts = 3): Promise<Radosgw> {
  for (let attempt = 1; ; attempt++) {
    const dir = await mkdtemp(path.join(tmpdir(), "docent-radosgw-"));
    const stop = async () => void (await run("bash", [SCRIPT, "stop", dir], { timeout: 20_000 }));
    try {
      const { stdout } = await run("bash", [SCRIPT, "start", dir], { timeout: 70_000 });
      const vars = Object.fromEntries(
        stdout
          .split("\n")
          .map((line) => /^([A-Z_]+)=(.*)$/.exec(line.trim()))
          .filter((m): m is RegExpExecArray => m !== null)
          .map((m) => [m[1]!, m[2]!]),
      );
      const env = Object.fromEntries(Object.entries(vars).filter(([key]) => key.startsWith("AWS_")));
      return { env, bucket: vars.RADOSGW_BUCKET!, stop };
    } catch (error) {
      // The script stops what it started when it fails by itself; not when it is killed for taking too long.
      await stop().catch(() => {});
      if (attempt >= attempts) throw error;
    }
  }
}
