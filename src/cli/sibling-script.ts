import { fileURLToPath } from "node:url";

/**
 * How to run the script `name` that sits beside the module at `from` (its `import.meta.url`) the way that module
 * itself runs: `name.js` from the build (`npm start`), or `name.ts` through tsx when it runs from the TypeScript
 * sources. `execArgv` is what Node needs before the file.
 */
export function siblingScript(from: string, name: string): { file: string; execArgv: string[] } {
  const compiled = from.endsWith(".js");
  const file = fileURLToPath(new URL(`./${name}.${compiled ? "js" : "ts"}`, from));
  return { file, execArgv: compiled ? [] : ["--import", import.meta.resolve("tsx")] };
}
