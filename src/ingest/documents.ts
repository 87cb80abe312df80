/** A page ready to chunk: Markdown text plus the metadata every chunk carries. */
export interface SourceDocument {
  /** Where it came from, relative to its source folder (or a URL): used to report errors and keep pages on failure. */
  source: string;
  url: string;
  title: string;
  /** ISO date the page says it was updated, when known. */
  updated: string | null;
  markdown: string;
  /** For a page fetched from a URL: its HTTP validators, remembered for the next conditional request. */
  http?: { etag: string | null; lastModified: string | null };
}

/** A file that could not be ingested, and why, in words a maintainer can act on. */
export interface SourceError {
  file: string;
  reason: string;
}
