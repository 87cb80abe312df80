import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChunkStore, KEEP_INGEST_TAGS, pruneCutoff } from "../src/retrieval/chunk-store.ts";
import { tempDir, writePage } from "./support/fixtures.ts";
import { runScript } from "./support/run-script.ts";

let work: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  work = await tempDir();
});
afterAll(async () => {
  await work.cleanup();
});

describe("npm run ingest -- --rollback --dry-run", () => {
  it("shows what a rollback would restore and changes nothing", async () => {
    const sources = path.join(work.dir, "kb-dry");
    const db = path.join(work.dir, "db-dry");
    await writePage(sources, "a.md", { title: "A", url: "https://example.com/a" }, "## One\n\nThe first revision.");
    expect((await runScript("ingest.ts", ["--source", sources, "--db", db])).code).toBe(0);
    await writePage(sources, "b.md", { title: "B", url: "https://example.com/b" }, "## Two\n\nA second page.");
    expect((await runScript("ingest.ts", ["--source", sources, "--db", db])).code).toBe(0);
    let store = await ChunkStore.open(db);
    const before = await store.info();
    const ingests = await store.ingestVersions();
    store.close();

    const json = await runScript("ingest.ts", ["--rollback", "--dry-run", "--db", db, "--json"]);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({ rolledBack: false, dryRun: true, from: ingests.at(-1), restored: ingests.at(-2), rows: 1 });
    const text = await runScript("ingest.ts", ["--rollback", "--dry-run", "--db", db]);
    expect(text.stdout).toContain(
      `Dry run: --rollback would undo the ingest of version ${ingests.at(-1)} and restore what version ${ingests.at(-2)} held (1 chunks). Nothing was changed.`,
    );

    store = await ChunkStore.open(db);
    expect(await store.info()).toEqual(before);
    expect(await store.ingestVersions()).toEqual(ingests);
    store.close();

    // The real rollback then does what the dry run said.
    const done = await runScript("ingest.ts", ["--rollback", "--db", db, "--json"]);
    expect(JSON.parse(done.stdout)).toMatchObject({ rolledBack: true, from: ingests.at(-1), restored: ingests.at(-2), rows: 1 });
  }, 90_000);
});

describe("npm run ingest -- --cleanup", () => {
  it("removes old versions and orphaned files, keeps the latest ingests for rollback and the live version", async () => {
    const sources = path.join(work.dir, "kb");
    const db = path.join(work.dir, "db");
    for (let i = 1; i <= KEEP_INGEST_TAGS + 2; i++) {
      await writePage(sources, "a.md", { title: "A", url: "https://example.com/a" }, `## One\n\nRevision ${i} of the retention text.`);
      expect((await runScript("ingest.ts", ["--source", sources, "--db", db])).code).toBe(0);
    }
    let store = await ChunkStore.open(db);
    const before = await store.info();
    const ingestsBefore = await store.ingestVersions();
    store.close();
    expect(ingestsBefore).toHaveLength(KEEP_INGEST_TAGS + 2);

    // Nothing is old enough with the default retention: only the tags beyond the latest few go.
    const kept = await runScript("ingest.ts", ["--cleanup", "--db", db, "--json"]);
    expect(kept.code, kept.stderr).toBe(0);
    expect(JSON.parse(kept.stdout)).toMatchObject({ retentionDays: 7, versionsRemoved: 0, tagsDeleted: ingestsBefore.slice(0, 2).map((v) => `ingest-${v}`) });

    const result = await runScript("ingest.ts", ["--cleanup", "--retention-days", "0", "--db", db]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      /Cleanup \(older than 0 day\(s\)\): removed [1-9]\d* version\(s\) and [\d.]+ (B|KiB|MiB) of files; \d+ version\(s\) left, live version \d+\./,
    );

    store = await ChunkStore.open(db);
    expect(await store.info()).toMatchObject({ rows: before!.rows, embedderId: before!.embedderId });
    expect(await store.ingestVersions()).toEqual(ingestsBefore.slice(-KEEP_INGEST_TAGS));
    const remaining = await store.requireTable().listVersions();
    expect(remaining[0]!.version).toBe(ingestsBefore.at(-KEEP_INGEST_TAGS));
    store.close();

    // Rollback still works after a cleanup.
    const rollback = await runScript("ingest.ts", ["--rollback", "--db", db, "--json"]);
    expect(rollback.code, rollback.stderr).toBe(0);
    const ask = await runScript("ask.ts", ["--db", db, "--json", "retention text revision"]);
    expect(JSON.parse(ask.stdout).passages[0].text).toContain(`Revision ${KEEP_INGEST_TAGS + 1}`);
    // A dozen CLI processes, one after another: give a loaded machine room.
  }, 120_000);

  it("refuses --retention-days without --cleanup, or a negative one", async () => {
    expect((await runScript("ingest.ts", ["--retention-days", "3", "--db", path.join(work.dir, "x")])).code).toBe(64);
    const negative = await runScript("ingest.ts", ["--cleanup", "--retention-days=-1", "--db", path.join(work.dir, "x")]);
    expect(negative.code).toBe(64);
    expect(negative.stderr).toMatch(/--retention-days must be/);
  });
});

describe("pruneCutoff", () => {
  const at = (version: number, ms: number) => ({ version, timestamp: new Date(ms) });

  it("sits just after the newest version to go, leaving the gap to the kept one for LanceDB's clock", () => {
    // Version 3 is the oldest ingest kept; 1 and 2 go. LanceDB turns the cutoff into an age and back, a few
    // milliseconds later: anywhere in 2's (1_000_040, 1_000_100] still spares 3.
    expect(pruneCutoff([at(1, 1_000_000), at(2, 1_000_040), at(3, 1_000_100), at(4, 1_000_500)], 3)).toBe(1_000_041);
  });

  it("falls back to just before the kept version when nothing older is left, and never prunes without one", () => {
    expect(pruneCutoff([at(3, 2_000_000), at(4, 2_000_500)], 3)).toBe(1_999_999);
    expect(pruneCutoff([at(2, 5_000), at(3, 5_000)], 3)).toBe(4_999);
    expect(pruneCutoff([at(1, 1_000)], undefined)).toBe(Number.POSITIVE_INFINITY);
  });
});
