import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Retriever } from "../retrieval/retrieval-types.ts";
import type { GateResult } from "../ingest/run-ingest.ts";
import { cleanQuery } from "../retrieval/clean-query.ts";
import { type ChunkRow, ChunkStore } from "../retrieval/chunk-store.ts";
import type { Embedder } from "../retrieval/embedder.ts";
import { createRetriever, type RetrieverOptions } from "../retrieval/retriever.ts";
import { containsQuote } from "./metrics.ts";
import type { EvalQuestion } from "./questions.ts";

/** Share of answerable questions whose gold quote is in the top 5 passages. */
export async function quoteHitAt5(retriever: Retriever, questions: readonly EvalQuestion[]): Promise<number> {
  const gold = questions.filter((q) => q.kind === "answerable" && q.gold_quote);
  if (gold.length === 0) return 0;
  let hits = 0;
  for (const question of gold) {
    const passages = await retriever.retrieve(cleanQuery(question.question), 5);
    if (passages.some((p) => containsQuote(p.text, question.gold_quote!))) hits++;
  }
  return hits / gold.length;
}

/**
 * Evaluates a candidate index before it goes live: the candidate rows are written to a scratch index, scored
 * on the questions, and compared with the live version and the minimum. The live index is only read.
 */
export async function gateCandidate(input: {
  live: ChunkStore;
  rows: readonly ChunkRow[];
  embedder: Embedder;
  questions: readonly EvalQuestion[];
  min: number;
  retrieval: RetrieverOptions;
}): Promise<GateResult> {
  const questions = input.questions.filter((q) => q.kind === "answerable" && q.gold_quote).length;
  const previous = input.live.exists ? await quoteHitAt5(await createRetriever(input.live, input.embedder, input.retrieval), input.questions) : null;
  const scratchDir = await mkdtemp(path.join(tmpdir(), "docent-gate-"));
  try {
    const scratch = await ChunkStore.open(scratchDir);
    try {
      await scratch.writeSnapshot(input.rows, input.embedder, { rebuild: true });
      const candidate = await quoteHitAt5(await createRetriever(scratch, input.embedder, input.retrieval), input.questions);
      const belowPrevious = previous !== null && candidate < previous;
      const belowMin = candidate < input.min;
      const passed = !belowPrevious && !belowMin;
      const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
      const reason = passed
        ? `quote-hit@5 ${pct(candidate)} on ${questions} questions (live version: ${previous === null ? "none" : pct(previous)}, minimum ${pct(input.min)})`
        : `quote-hit@5 ${pct(candidate)} is below ${belowPrevious ? `the live version's ${pct(previous!)}` : ""}${belowPrevious && belowMin ? " and " : ""}${belowMin ? `the minimum ${pct(input.min)}` : ""}`;
      return { questions, previous, candidate, min: input.min, passed, reason };
    } finally {
      scratch.close();
    }
  } finally {
    await rm(scratchDir, { recursive: true, force: true });
  }
}
