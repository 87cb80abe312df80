import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Embedder } from "../../src/retrieval/embedder.ts";

export const SHARED_DIR = path.resolve(import.meta.dirname, "../../../shared");
export const CORPUS_DIR = path.join(SHARED_DIR, "corpus/policies");
export const DEV_QUESTIONS = path.join(SHARED_DIR, "corpus/dev-questions.jsonl");
export const KNOWLEDGE_DIR = path.resolve(import.meta.dirname, "../../knowledge");

/**
 * Whether the shared corpus is beside the project. A user's own clone may not have it: such tests skip, and the
 * run says why once (test/support/shared-corpus-setup.ts). Under CI a missing corpus is a failure, never a silent pass.
 */
export function sharedCorpusAvailable(): boolean {
  if (existsSync(CORPUS_DIR)) return true;
  if (process.env.CI === "true") throw new Error(`CI=true but the shared corpus is missing at ${CORPUS_DIR}`);
  return false;
}

export async function tempDir(prefix = "docent-test-"): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export async function writePage(dir: string, name: string, front: Record<string, string>, body: string): Promise<string> {
  const file = path.join(dir, name);
  await mkdir(path.dirname(file), { recursive: true });
  const yaml = Object.entries(front)
    .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
    .join("\n");
  await writeFile(file, `---\n${yaml}\n---\n\n${body}\n`);
  return file;
}

/** Wraps an embedder to count how many texts it was asked to embed, and optionally fail after some calls. */
export function countingEmbedder(inner: Embedder, options: { failAfterCalls?: number } = {}): Embedder & { texts: number; calls: number } {
  const wrapper = {
    id: inner.id,
    dimensions: inner.dimensions,
    texts: 0,
    calls: 0,
    async embed(texts: readonly string[]) {
      wrapper.calls++;
      if (options.failAfterCalls !== undefined && wrapper.calls > options.failAfterCalls) throw new Error("embedder exploded mid-run");
      wrapper.texts += texts.length;
      return inner.embed(texts);
    },
  };
  return wrapper;
}
