/**
 * Ingest benchmark: a cold ingest of the shared policy corpus into a fresh index, then a re-ingest with
 * nothing changed. Each phase runs in its own process so peak RSS belongs to that phase alone.
 * Usage: npm run bench:ingest [-- --source DIR] [--runs N]
 */
import "../../src/cli/quiet-native-logs.ts";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { runIngest } from "../../src/ingest/run-ingest.ts";
import { ChunkStore } from "../../src/retrieval/chunk-store.ts";
import { createLocalEmbedder } from "../../src/retrieval/local-embedder.ts";

const { values } = parseArgs({
  options: {
    source: { type: "string", default: path.resolve(import.meta.dirname, "../../../shared/corpus/policies") },
    runs: { type: "string", default: "3" },
    phase: { type: "string" },
    db: { type: "string" },
  },
});

if (values.phase) {
  // Child: one measured ingest, result as JSON on stdout.
  const store = await ChunkStore.open(values.db!);
  const started = performance.now();
  const summary = await runIngest({ store, embedder: createLocalEmbedder() }, { sources: [values.source!], maxBytes: 5_000_000 });
  const ms = performance.now() - started;
  store.close();
  const pages = summary.pages.added + summary.pages.updated + summary.pages.unchanged;
  const chunks = summary.chunks.added + summary.chunks.updated + summary.chunks.unchanged;
  process.stdout.write(JSON.stringify({ ms, pages, chunks, embedded: summary.embedded, peakRssMb: process.resourceUsage().maxRSS / 1024 }));
} else {
  const rows: Array<Record<string, string>> = [];
  for (let run = 0; run < Number(values.runs); run++) {
    const dir = mkdtempSync(path.join(tmpdir(), "docent-bench-"));
    for (const phase of ["cold", "unchanged"]) {
      const child = spawnSync(
        process.execPath,
        ["--import", "tsx", import.meta.filename, "--phase", phase, "--db", path.join(dir, "db"), "--source", values.source!],
        {
          encoding: "utf8",
          env: { ...process.env, LANCEDB_LOG: "error" },
        },
      );
      if (child.status !== 0) throw new Error(`bench child failed: ${child.stderr}`);
      const r = JSON.parse(child.stdout);
      rows.push({
        run: String(run + 1),
        phase,
        pages: String(r.pages),
        chunks: String(r.chunks),
        embedded: String(r.embedded),
        seconds: (r.ms / 1000).toFixed(2),
        "pages/s": (r.pages / (r.ms / 1000)).toFixed(1),
        "chunks/s": (r.chunks / (r.ms / 1000)).toFixed(0),
        "peak RSS MB": r.peakRssMb.toFixed(0),
      });
    }
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`Ingest benchmark: ${values.source} with the local embedder (Node ${process.version})`);
  console.table(rows);
}
