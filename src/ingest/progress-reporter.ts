import cliProgress from "cli-progress";
import { printable } from "../terminal-text.ts";
import type { IngestProgress } from "./run-ingest.ts";

/**
 * A progress bar on a terminal, plain lines on stderr otherwise (CI logs, pipes), nothing with --json.
 * Always on stderr: stdout belongs to the summary.
 */
export function createProgressReporter(mode: "bar" | "lines" | "silent"): { onProgress: (event: IngestProgress) => void; stop: () => void } {
  if (mode === "silent") return { onProgress: () => {}, stop: () => {} };
  let bar: cliProgress.SingleBar | null = null;
  const line = (text: string) => process.stderr.write(`${printable(text)}\n`);
  let fetchBar: cliProgress.SingleBar | null = null;
  return {
    onProgress(event) {
      if (event.stage === "fetch") {
        if (mode === "lines") {
          if (event.done > 0) line(`Fetched ${event.done}/${event.total} pages.`);
        } else {
          fetchBar ??= new cliProgress.SingleBar(
            { format: "Fetching  {bar} {value}/{total} pages | {eta_formatted} left", stream: process.stderr, hideCursor: true },
            cliProgress.Presets.shades_classic,
          );
          if (!fetchBar.isActive) fetchBar.start(event.total, 0);
          fetchBar.update(event.done);
          if (event.done >= event.total) {
            fetchBar.stop();
            fetchBar = null;
          }
        }
      }
      if (event.stage === "load") line(`Loaded ${event.pages} page(s)${event.errors ? `, ${event.errors} skipped` : ""}.`);
      if (event.stage === "embed") {
        if (mode === "lines") {
          line(`Embedded ${event.done}/${event.total} chunks.`);
        } else {
          bar ??= new cliProgress.SingleBar(
            { format: "Embedding {bar} {value}/{total} chunks | {eta_formatted} left", stream: process.stderr, hideCursor: true },
            cliProgress.Presets.shades_classic,
          );
          if (event.done <= 64 && !bar.isActive) bar.start(event.total, 0);
          bar.update(event.done);
        }
      }
      if (event.stage === "write") {
        bar?.stop();
        bar = null;
        line("Writing the new index version…");
      }
    },
    stop: () => {
      fetchBar?.stop();
      bar?.stop();
    },
  };
}
