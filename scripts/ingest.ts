/** `npm run ingest`: the maintainers' entry point. Composition root: builds config, store and embedder, then runs. */
import "../src/cli/quiet-native-logs.ts";
import { parseArgs } from "node:util";
import { runCli, usageError } from "../src/cli/run-cli.ts";
import { loadConfig } from "../src/config.ts";
import { createProgressReporter } from "../src/ingest/progress-reporter.ts";
import { renderSummary, summaryJson } from "../src/ingest/render-summary.ts";
import { runIngest } from "../src/ingest/run-ingest.ts";
import { ChunkStore } from "../src/retrieval/chunk-store.ts";
import { createEmbedder } from "../src/retrieval/create-embedder.ts";

const USAGE = `Usage: npm run ingest -- [--source DIR ...] [--db URI] [--dry-run] [--rollback] [--rebuild] [--json]
  --source DIR  folder of .md/.txt/.html pages (repeatable; default KNOWLEDGE_DIR)
  --db URI      index location (default LANCEDB_URI)
  --dry-run     report what would change; write nothing
  --rollback    restore the index as it was before the latest ingest
  --rebuild     re-embed everything into a new version (needed after changing the embedder)
  --json        print only one JSON object on stdout
Exit codes: 0 everything ingested, 1 some files skipped (the rest ingested), 2 failed (index unchanged).`;

runCli(async () => {
  let args;
  try {
    args = parseArgs({
      options: {
        source: { type: "string", multiple: true },
        db: { type: "string" },
        "dry-run": { type: "boolean", default: false },
        rollback: { type: "boolean", default: false },
        rebuild: { type: "boolean", default: false },
        json: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw usageError((error as Error).message, USAGE);
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const config = loadConfig();
  const store = await ChunkStore.open(args.db ?? config.LANCEDB_URI);
  try {
    if (args.rollback) {
      const result = await store.rollback();
      const info = await store.info();
      if (args.json) process.stdout.write(`${JSON.stringify({ rolledBack: true, ...result, rows: info?.rows ?? 0 })}\n`);
      else process.stdout.write(`Rolled back: the ingest of version ${result.from} is undone; version ${result.version} now holds what version ${result.restored} held (${info?.rows ?? 0} chunks).\n`);
      return 0;
    }
    const embedder = await createEmbedder(config);
    const progress = createProgressReporter(args.json ? "silent" : process.stderr.isTTY ? "bar" : "lines");
    const summary = await runIngest(
      { store, embedder, onProgress: progress.onProgress },
      { sources: args.source ?? [config.KNOWLEDGE_DIR], maxBytes: config.INGEST_MAX_FILE_BYTES, dryRun: args["dry-run"], rebuild: args.rebuild },
    ).finally(progress.stop);
    process.stdout.write(args.json ? `${JSON.stringify(summaryJson(summary))}\n` : `${renderSummary(summary)}\n`);
    return summary.errors.length > 0 ? 1 : 0;
  } finally {
    store.close();
  }
});
