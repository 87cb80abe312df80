/** A page ready to chunk: Markdown text plus the metadata every chunk carries. */
export interface SourceDocument {
  /** Where it came from, relative to its source folder (or a URL): used to report errors and keep pages on failure. */
  source: string;
  url: string;
  title: string;
  /** ISO date the page says it was updated, when known. */
  updated: string | null;
  /**
   * Who and what the page is about, when its front matter says so (`provider: Acme AI`, `applies_to: API
   * customers`): the answer layer takes a page's provider from here before its title and web address.
   */
  provider?: string | null;
  appliesTo?: string | null;
  markdown: string;
  /** For a page fetched from a URL: its HTTP validators, remembered for the next conditional request. */
  http?: { etag: string | null; lastModified: string | null };
}

/** A file that could not be ingested, and why, in words a maintainer can act on. */
export interface SourceError {
  file: string;
  reason: string;
}
