import { existsSync } from "node:fs";
import path from "node:path";

/**
 * The project's root folder: the nearest folder above this module that holds package.json. The same from the
 * TypeScript sources (src/) and from the compiled build (dist/src/), so files people edit without a build — the
 * shipped vocabulary — are read from where they are, never from a copy.
 */
export const PROJECT_ROOT = findProjectRoot(import.meta.dirname);

/** A path inside the project, e.g. `projectFile("config", "privacy-vocabulary.yaml")`. */
export function projectFile(...segments: string[]): string {
  return path.join(PROJECT_ROOT, ...segments);
}

function findProjectRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "package.json"))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`No package.json above ${start}`);
  }
}
