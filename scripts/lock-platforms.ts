/**
 * `npm run lock:platforms`: records LanceDB's native packages for every platform in package-lock.json.
 * The registry mirror on our machines serves only the linux-x64 builds, so `npm install` leaves the others out
 * of the lock, and `npm ci` then refuses the lock as out of sync. Each added entry carries its os/cpu, so npm
 * skips it on other platforms and fetches it (from the public registry) only where it belongs.
 * Run it after any `npm install` that touches @lancedb/lancedb.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

const lockPath = path.resolve(import.meta.dirname, "../package-lock.json");
const lock = JSON.parse(readFileSync(lockPath, "utf8"));
const parent = lock.packages["node_modules/@lancedb/lancedb"];
const platforms: Record<string, { os: string; cpu: string; libc?: string }> = {
  "darwin-arm64": { os: "darwin", cpu: "arm64" },
  "linux-arm64-gnu": { os: "linux", cpu: "arm64", libc: "glibc" },
  "linux-arm64-musl": { os: "linux", cpu: "arm64", libc: "musl" },
  "linux-x64-gnu": { os: "linux", cpu: "x64", libc: "glibc" },
  "linux-x64-musl": { os: "linux", cpu: "x64", libc: "musl" },
  "win32-arm64-msvc": { os: "win32", cpu: "arm64" },
  "win32-x64-msvc": { os: "win32", cpu: "x64" },
};
let added = 0;
for (const name of Object.keys(parent?.optionalDependencies ?? {})) {
  const key = `node_modules/${name}`;
  const platform = platforms[name.replace("@lancedb/lancedb-", "")];
  if (lock.packages[key] || !platform) continue;
  lock.packages[key] = {
    version: parent.optionalDependencies[name],
    cpu: [platform.cpu],
    ...(platform.libc ? { libc: [platform.libc] } : {}),
    license: "Apache-2.0",
    optional: true,
    os: [platform.os],
    engines: { node: ">= 18" },
  };
  added++;
}
writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
console.log(
  added > 0
    ? `Added ${added} LanceDB platform entr${added === 1 ? "y" : "ies"} to package-lock.json.`
    : "package-lock.json already lists every LanceDB platform.",
);
