import type { Dirent } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { DocentError } from "../errors.ts";
import type { SourceDocument, SourceError } from "./documents.ts";
import { formatOfFile, type ParseOptions, parseSource, tooLarge } from "./parse-source.ts";

export interface LoadedSources {
  documents: SourceDocument[];
  errors: SourceError[];
  /** Sources that exist but could not be read this time: their pages stay in the index as they were. */
  failedSources: Set<string>;
}

/**
 * Reads every Markdown, text and HTML file under the given folders (recursively, in a stable order).
 * A bad file is reported and skipped; a second file claiming an already-used URL is rejected.
 */
export async function loadSources(dirs: readonly string[], options: ParseOptions): Promise<LoadedSources> {
  const documents: SourceDocument[] = [];
  const errors: SourceError[] = [];
  const failedSources = new Set<string>();
  const seenUrls = new Map<string, string>();

  for (const dir of dirs) {
    const files = await listFiles(dir);
    for (const file of files) {
      const format = formatOfFile(file);
      if (format === null || isUrlList(file)) continue;
      const source = sourceKey(dir, file);
      const { size } = await stat(file);
      // Check the size before reading so a huge file is never loaded into memory.
      const result = size > options.maxBytes ? tooLarge(size, options.maxBytes) : parseSource(source, await readFile(file), format, options);
      if (!result.ok) {
        errors.push({ file: source, reason: result.reason });
        failedSources.add(source);
        continue;
      }
      const firstOwner = seenUrls.get(result.document.url);
      if (firstOwner !== undefined) {
        errors.push({ file: source, reason: `duplicate url ${result.document.url}: ${firstOwner} already uses it` });
        failedSources.add(source);
        continue;
      }
      seenUrls.set(result.document.url, source);
      documents.push(result.document);
    }
  }
  return { documents, errors, failedSources };
}

/**
 * `sources.txt` beside the pages is the list of their live URLs, read by `npm run ingest -- --urls-file`. It is
 * not a page (no front matter), so a folder ingest passes over it instead of reporting it as a bad file.
 */
function isUrlList(file: string): boolean {
  return path.basename(file).toLowerCase() === "sources.txt";
}

async function listFiles(dir: string): Promise<string[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true, recursive: true });
  } catch (error) {
    throw new DocentError("SOURCE_MISSING", `Cannot read the source folder ${dir}.`, {
      hint: "Check --source or KNOWLEDGE_DIR; it must be a readable folder of .md, .txt or .html files.",
      cause: error,
    });
  }
  return entries
    .filter((entry) => entry.isFile() && !entry.name.startsWith("."))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}

/** The folder's own name plus the file's path inside it: stable across machines and clones. */
function sourceKey(dir: string, file: string): string {
  return path.posix.join(path.basename(path.resolve(dir)), path.relative(dir, file).split(path.sep).join("/"));
}
