/**
 * Imports point one way (STYLE.md, principle 12), checked by `npm run lint:deps`, which `npm test` runs:
 *
 *   scripts/ (entry points) → src/app (the composition root) → discord, playground → gaps → answer → retrieval
 *   → src/*.ts (config, errors, log, terminal-text); ingest → retrieval; eval → answer, ingest; playground →
 *   discord-emulator (the local Discord stand-in, which imports nothing of Docent's)
 *
 * A folder may import its own files, the folders listed for it below, the top-level modules of src/ and packages.
 * Nothing in src/ imports scripts/ or test/, and no module imports itself round a cycle. A new folder under src/
 * must be given its place here before its files may import anything.
 */

/** Each folder of src/ and the folders it may import (besides itself and the top-level modules). */
const LAYERS = {
  app: ["discord", "playground", "gaps", "eval", "ingest", "answer", "retrieval", "discord-emulator"],
  playground: ["discord-emulator"],
  discord: ["gaps", "answer", "retrieval"],
  gaps: ["answer", "retrieval"],
  eval: ["answer", "ingest", "retrieval"],
  answer: ["retrieval"],
  ingest: ["retrieval"],
  retrieval: [],
  cli: [],
  "discord-emulator": [],
};
const FOLDERS = Object.keys(LAYERS);

const layerRules = FOLDERS.map((folder) => {
  const forbidden = FOLDERS.filter((other) => other !== folder && !LAYERS[folder].includes(other));
  return {
    name: `layer-${folder}`,
    severity: "error",
    comment: `src/${folder} may import only ${LAYERS[folder].length ? LAYERS[folder].map((f) => `src/${f}`).join(", ") + " and " : ""}the top-level modules of src/ (see .dependency-cruiser.cjs).`,
    from: { path: `^src/${folder}/` },
    to: { path: `^src/(${forbidden.join("|")})/` },
  };
});

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: "base-imports-no-folder",
      severity: "error",
      comment: "config, errors, log and terminal-text sit below every folder of src/: they import only each other.",
      from: { path: "^src/[^/]+\\.ts$" },
      to: { path: "^src/[^/]+/" },
    },
    {
      name: "lancedb-only-in-retrieval",
      severity: "error",
      comment: "The index is reached through the store (src/retrieval/chunk-store.ts); only src/retrieval imports LanceDB or Arrow.",
      from: { path: "^src/", pathNot: "^src/retrieval/" },
      to: { path: "node_modules/(@lancedb|apache-arrow)/" },
    },
    {
      name: "no-discord-below-gaps",
      severity: "error",
      comment: "Retrieval, ingest, answer and eval know nothing of Discord.",
      from: { path: "^src/(retrieval|ingest|answer|eval)/" },
      to: { path: "node_modules/(discord\\.js|@discordjs|discord-api-types)/" },
    },
    {
      name: "src-not-to-entry-points-or-tests",
      severity: "error",
      comment: "src/ never imports scripts/ or test/: entry points and tests sit above everything.",
      from: { path: "^src/" },
      to: { path: "^(scripts|test)/" },
    },
    {
      name: "known-folders-only",
      severity: "error",
      comment: "Every folder of src/ has a place in LAYERS (.dependency-cruiser.cjs).",
      from: { path: "^src/[^/]+/", pathNot: `^src/(${FOLDERS.join("|")})/` },
      to: {},
    },
    {
      name: "no-circular",
      severity: "error",
      comment: "No module imports itself through others at run time (a cycle of type-only imports is erased when compiled).",
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ["type-only"] } },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^dist/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default", "types"] },
  },
};
