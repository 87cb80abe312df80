import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_DIR } from "./support/run-script.ts";

/** The import rules are checked by dependency-cruiser (`npm run lint:deps`, part of `npm test`); this is what it cannot see. */
describe("boundaries", () => {
  it("only src/config.ts touches process.env (and the one line that quiets LanceDB before it loads)", async () => {
    const files = (await readdir(path.join(PROJECT_DIR, "src"), { recursive: true })).filter((file) => file.endsWith(".ts"));
    const readers: string[] = [];
    for (const file of files) {
      if (/process\.env\b/.test(await readFile(path.join(PROJECT_DIR, "src", file), "utf8"))) readers.push(file.split(path.sep).join("/"));
    }
    expect(readers.sort()).toEqual(["cli/quiet-native-logs.ts", "config.ts"]);
  });
});
