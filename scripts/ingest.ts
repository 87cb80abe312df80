/** `npm run ingest`: the maintainers' entry point. Composition root: builds config, store and embedder, then runs. */
import "../src/cli/quiet-native-logs.ts";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { createEmbedder, createOpenAIClient, openStore } from "../src/app/clients.ts";
import { parseArguments, runCli, usageError } from "../src/cli/run-cli.ts";
import { canonicalHosts, type Config, knowledgeDirs, loadConfig, requireDiscordToken } from "../src/config.ts";
import { postToChannel } from "../src/discord/announce.ts";
import { gateCandidate } from "../src/eval/gate.ts";
import { readQuestions } from "../src/eval/questions.ts";
import { renderChangelog } from "../src/ingest/changelog.ts";
import { DocentError } from "../src/errors.ts";
import { createProgressReporter } from "../src/ingest/progress-reporter.ts";
import { renderSummary, summaryJson } from "../src/ingest/render-summary.ts";
import { type IngestProgress, type IngestSummary, runIngest } from "../src/ingest/run-ingest.ts";
import type { WebFetchResult, WebTargets } from "../src/ingest/web/fetch-sources.ts";
import { checkWebUrl, parseUrlList } from "../src/ingest/web/url-list.ts";
import { type ChunkStore, KEEP_INGEST_TAGS } from "../src/retrieval/chunk-store.ts";
import { loadVocabulary } from "../src/retrieval/vocabulary.ts";
import { printableJson, printableLines } from "../src/terminal-text.ts";

const USAGE = `Usage: npm run ingest -- [--source DIR ...] [--url URL ...] [--urls-file FILE ...] [--sitemap URL ...]
                         [--db URI] [--dry-run] [--prune] [--rollback] [--rebuild] [--gate FILE [--gate-min X]] [--announce] [--json]
       npm run ingest -- --cleanup [--retention-days N] [--db URI] [--json]
  --source DIR      folder of .md/.txt/.html pages (repeatable; default the KNOWLEDGE_DIRS folders, or KNOWLEDGE_DIR)
  --url URL         a live page to fetch and ingest (repeatable)
  --urls-file FILE  page URLs, one per line, # for comments (repeatable), e.g. knowledge/sources.txt
  --sitemap URL     a sitemap or sitemap index: every page it lists is fetched (repeatable)
  --db URI          index location (default LANCEDB_URI)
  --dry-run         report what would change; write nothing
  --prune           let the run remove pages that its sources do not name (pages from other folders, URLs
                    not listed this run); without it such a run lists them and writes nothing. Not needed
                    for a run over exactly the configured folders.
  --rollback        restore the index as it was before the latest ingest
  --rebuild         re-embed everything into a new version (needed after changing the embedder)
  --gate FILE       before publishing, score the new version on FILE's questions (dev-questions format); publish
                    only if quote-hit@5 is not below the live version's nor below --gate-min (0..1, default 0)
  --announce        after a run that changed pages, post the changelog to REVIEW_CHANNEL_ID with DISCORD_TOKEN
                    (DISCORD_API_URL is honoured)
  --cleanup         remove index versions older than --retention-days (default 7) and files no version uses
                    (left by crashed runs); keeps the latest ${KEEP_INGEST_TAGS} ingests for --rollback. Run it when no
                    ingest is running.
  --json            print only one JSON object on stdout
Pages from URLs are ingested together with the folder pages (KNOWLEDGE_DIRS unless --source is given), so a
URL run never removes the shipped pages; a live page replaces a folder page that has the same url. A page
deleted from a folder the run reads is removed; a page from a folder or URL the run does not name is removed
only with --prune, or by a run over exactly the configured folders (the index then mirrors them and its URLs).
Fetching sends the user agent DocentBot/0.1, obeys robots.txt, one request at a time per host with a pause
(INGEST_FETCH_DELAY_MS), INGEST_FETCH_CONCURRENCY hosts at once, INGEST_FETCH_TIMEOUT_MS per request, at most
5 redirects, INGEST_FETCH_MAX_BYTES per page and INGEST_MAX_URLS pages per run. Only public http(s) hosts
are fetched (redirects and sitemap entries included) unless INGEST_ALLOW_PRIVATE_HOSTS=true; a page's canonical
link counts only on its own site or INGEST_CANONICAL_HOSTS. Unchanged pages are skipped (ETag / Last-Modified, then
content hash). A page answering 404 or 410 is gone and removed from the index; any other failure (5xx,
timeout, robots.txt, redirect loop, too large, not HTML) is reported and keeps what was indexed from it.
Exit codes: 0 everything ingested, 1 some files or URLs skipped (the rest ingested), 2 failed (index
unchanged), 3 the gate refused the new version (index unchanged), 4 the run would remove pages its sources do
not name (index unchanged; see --prune), 64 bad usage.`;

/** One run of the command, as parsed from its arguments: every usage error is found before any work. */
type IngestCommand =
  | { mode: "help" }
  | { mode: "cleanup"; db: string | undefined; retentionDays: number; json: boolean }
  | { mode: "rollback"; db: string | undefined; dryRun: boolean; json: boolean }
  | {
      mode: "ingest";
      db: string | undefined;
      sources: string[] | undefined;
      targets: WebTargets;
      dryRun: boolean;
      prune: boolean;
      rebuild: boolean;
      gate: { file: string; min: number } | null;
      announce: boolean;
      json: boolean;
    };

runCli(async () => {
  const command = await parseIngestCommand(process.argv.slice(2));
  if (command.mode === "help") {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const config = loadConfig();
  switch (command.mode) {
    case "cleanup":
      return withStore(config, command.db, (store) => cleanupIndex(store, command));
    case "rollback":
      return withStore(config, command.db, (store) => rollBackIndex(store, command));
    case "ingest":
      return ingestSources(config, command);
  }
});

async function parseIngestCommand(argv: string[]): Promise<IngestCommand> {
  const args = parseArguments(
    {
      args: argv,
      options: {
        source: { type: "string", multiple: true },
        url: { type: "string", multiple: true },
        "urls-file": { type: "string", multiple: true },
        sitemap: { type: "string", multiple: true },
        db: { type: "string" },
        "dry-run": { type: "boolean", default: false },
        prune: { type: "boolean", default: false },
        rollback: { type: "boolean", default: false },
        rebuild: { type: "boolean", default: false },
        cleanup: { type: "boolean", default: false },
        "retention-days": { type: "string" },
        gate: { type: "string" },
        "gate-min": { type: "string" },
        announce: { type: "boolean", default: false },
        json: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      allowPositionals: false,
    },
    USAGE,
  ).values;
  if (args.help) return { mode: "help" };
  let targets: WebTargets;
  try {
    targets = {
      urls: [...(args.url ?? []).map((url) => checkWebUrl(url, "--url")), ...(await readUrlFiles(args["urls-file"] ?? []))],
      sitemaps: (args.sitemap ?? []).map((url) => checkWebUrl(url, "--sitemap")),
    };
  } catch (error) {
    if (error instanceof DocentError) throw error;
    throw usageError((error as Error).message, USAGE);
  }
  const gateMin = args["gate-min"] === undefined ? 0 : Number(args["gate-min"]);
  if (!(gateMin >= 0 && gateMin <= 1)) throw usageError(`--gate-min must be a number from 0 to 1 (got "${args["gate-min"]}").`, USAGE);
  const retentionDays = args["retention-days"] === undefined ? 7 : Number(args["retention-days"]);
  if (!(retentionDays >= 0 && Number.isFinite(retentionDays)))
    throw usageError(`--retention-days must be a number of days, 0 or more (got "${args["retention-days"]}").`, USAGE);
  if (args["retention-days"] !== undefined && !args.cleanup) throw usageError("--retention-days goes with --cleanup.", USAGE);
  const { db, json } = args;
  if (args.cleanup) return { mode: "cleanup", db, retentionDays, json };
  if (args.rollback) return { mode: "rollback", db, dryRun: args["dry-run"], json };
  return {
    mode: "ingest",
    db,
    sources: args.source,
    targets,
    dryRun: args["dry-run"],
    prune: args.prune,
    rebuild: args.rebuild,
    gate: args.gate ? { file: args.gate, min: gateMin } : null,
    announce: args.announce,
    json,
  };
}

async function withStore(config: Config, db: string | undefined, run: (store: ChunkStore) => Promise<number>): Promise<number> {
  const store = await openStore(config, db);
  try {
    return await run(store);
  } finally {
    store.close();
  }
}

async function cleanupIndex(store: ChunkStore, command: { retentionDays: number; json: boolean }): Promise<number> {
  const { retentionDays } = command;
  const result = await store.cleanup(retentionDays);
  if (command.json) process.stdout.write(`${printableJson({ cleanup: true, retentionDays, ...result })}\n`);
  else {
    process.stdout.write(
      `Cleanup (older than ${retentionDays} day(s)): removed ${result.versionsRemoved} version(s) and ${formatBytes(result.bytesRemoved)} of files; ` +
        `${result.versionsAfter} version(s) left, live version ${result.version}.\n`,
    );
    if (result.tagsDeleted.length > 0)
      process.stdout.write(
        `Forgot ${result.tagsDeleted.length} old ingest tag(s) (${result.tagsDeleted.join(", ")}); --rollback reaches back ${KEEP_INGEST_TAGS} ingests.\n`,
      );
  }
  return 0;
}

/** `--rollback`; with `--dry-run`, only what it would restore. */
async function rollBackIndex(store: ChunkStore, command: { dryRun: boolean; json: boolean }): Promise<number> {
  if (command.dryRun) {
    const plan = await store.rollbackPlan();
    if (command.json) process.stdout.write(`${printableJson({ rolledBack: false, dryRun: true, ...plan })}\n`);
    else
      process.stdout.write(
        `Dry run: --rollback would undo the ingest of version ${plan.from} and restore what version ${plan.restored} held (${plan.rows} chunks). Nothing was changed.\n`,
      );
    return 0;
  }
  const result = await store.rollback();
  const info = await store.info();
  if (command.json) process.stdout.write(`${printableJson({ rolledBack: true, ...result, rows: info?.rows ?? 0 })}\n`);
  else
    process.stdout.write(
      `Rolled back: the ingest of version ${result.from} is undone; version ${result.version} now holds what version ${result.restored} held (${info?.rows ?? 0} chunks).\n`,
    );
  return 0;
}

/** A folder and URL ingest (`--dry-run`, `--rebuild`, `--gate`, `--announce`). */
async function ingestSources(config: Config, command: Extract<IngestCommand, { mode: "ingest" }>): Promise<number> {
  // Checked before any work, so an ingest is never done only to fail at the announcement.
  const announceTo = command.announce ? { token: requireDiscordToken(config), channelId: requireReviewChannel(config) } : null;
  const gateQuestions = command.gate ? await readQuestions(command.gate.file) : null;
  return withStore(config, command.db, async (store) => {
    const embedder = await createEmbedder(config, await createOpenAIClient(config));
    const progress = createProgressReporter(command.json ? "silent" : process.stderr.isTTY ? "bar" : "lines");
    const { targets } = command;
    const web =
      targets.urls.length + targets.sitemaps.length > 0
        ? await fetchPages(targets, store, config, progress.onProgress).catch((error) => {
            progress.stop();
            throw error;
          })
        : null;
    const gateMin = command.gate?.min ?? 0;
    const sources = command.sources ?? knowledgeDirs(config);
    const summary = await runIngest(
      { store, embedder, onProgress: progress.onProgress },
      {
        sources,
        prune: command.prune || sameFolders(sources, knowledgeDirs(config)),
        maxBytes: config.INGEST_MAX_FILE_BYTES,
        maxChunksPerPage: config.INGEST_MAX_CHUNKS_PER_PAGE,
        ...(config.VOCABULARY_FILE ? { vocabulary: loadVocabulary(config.VOCABULARY_FILE) } : {}),
        dryRun: command.dryRun,
        rebuild: command.rebuild,
        ...(web ? { documents: web.documents, keepSources: web.keepSources, errors: web.errors, notes: web.notes } : {}),
        ...(gateQuestions
          ? {
              gate: (rows) =>
                gateCandidate({
                  live: store,
                  rows,
                  embedder,
                  questions: gateQuestions,
                  min: gateMin,
                  retrieval: { mode: config.RETRIEVAL_MODE, vectorWeight: config.HYBRID_VECTOR_WEIGHT },
                }),
            }
          : {}),
      },
    ).finally(progress.stop);
    // The new version is live by now: a changelog that cannot be posted is told, never reported as a failed run.
    let announceProblem: string | null = null;
    const announced =
      announceTo && summary.written && summary.changes.length > 0
        ? await postToChannel({ ...announceTo, apiBase: config.DISCORD_API_URL, content: renderChangelog(summary) }).catch((error: unknown) => {
            announceProblem = error instanceof Error ? error.message : String(error);
            return null;
          })
        : null;
    printIngestSummary(summary, web, announced, command.json);
    if (announceProblem !== null) {
      process.stderr.write(`${printableLines(`The new index is live (version ${summary.version}), but ${announceProblem}`)}\n`);
    }
    if (summary.gate && !summary.gate.passed) return 3;
    if (summary.withheld?.length) return 4;
    return summary.errors.length > 0 ? 1 : 0;
  });
}

function printIngestSummary(summary: IngestSummary, web: WebFetchResult | null, announced: string | null, json: boolean): void {
  if (json) {
    process.stdout.write(
      `${printableJson({ ...summaryJson(summary), ...(web ? { fetch: web.stats } : {}), ...(announced ? { announcedMessageId: announced } : {}) })}\n`,
    );
    return;
  }
  const { fetched, notModified, gone, failed, requested } = web?.stats ?? {};
  if (web) process.stdout.write(`Fetched ${requested} URL(s): ${fetched} read, ${notModified} not modified, ${gone} gone, ${failed} failed.\n`);
  process.stdout.write(`${renderSummary(summary)}\n`);
  if (announced) process.stdout.write(`Changelog posted to the review channel (message ${announced}).\n`);
}

/** Whether a run's folders are the configured ones (same folders, any order or spelling of the path). */
function sameFolders(a: readonly string[], b: readonly string[]): boolean {
  const set = (dirs: readonly string[]) => new Set(dirs.map((dir) => path.resolve(dir)));
  const [x, y] = [set(a), set(b)];
  return x.size === y.size && [...x].every((dir) => y.has(dir));
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

async function readUrlFiles(files: readonly string[]): Promise<string[]> {
  const urls: string[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      throw new DocentError("SOURCE_MISSING", `Cannot read the URL list ${file}.`, {
        hint: "--urls-file takes a text file with one URL per line.",
        cause: error,
      });
    }
    urls.push(...parseUrlList(text, file));
  }
  return urls;
}

/**
 * Fetches the pages, sending the validators stored with each one so an unchanged page costs a 304. The fetcher
 * (undici, the public suffix list) is loaded only for a URL run, so a folder ingest starts as fast as before.
 */
async function fetchPages(targets: WebTargets, store: ChunkStore, config: Config, onProgress: (event: IngestProgress) => void): Promise<WebFetchResult> {
  const { fetchWebSources, storedWebState } = await import("../src/ingest/web/fetch-sources.ts");
  const stored = storedWebState(await store.readAll());
  return fetchWebSources(targets, {
    concurrency: config.INGEST_FETCH_CONCURRENCY,
    delayMs: config.INGEST_FETCH_DELAY_MS,
    timeoutMs: config.INGEST_FETCH_TIMEOUT_MS,
    maxBytes: config.INGEST_FETCH_MAX_BYTES,
    validators: stored.validators,
    storedSources: stored.sources,
    addresses: { allowPrivate: config.INGEST_ALLOW_PRIVATE_HOSTS === "true" },
    canonicalHosts: canonicalHosts(config),
    maxUrls: config.INGEST_MAX_URLS,
    onProgress,
  });
}

function requireReviewChannel(config: Config): string {
  if (!config.REVIEW_CHANNEL_ID) {
    throw new DocentError("CONFIG_INVALID", "REVIEW_CHANNEL_ID is missing: --announce posts the changelog to the review channel.", {
      hint: "Set REVIEW_CHANNEL_ID (and DISCORD_TOKEN) in .env, or leave out --announce.",
    });
  }
  return config.REVIEW_CHANNEL_ID;
}
