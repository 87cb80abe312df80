import { cp, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../src/config.ts";
import { ChunkStore } from "../src/retrieval/chunk-store.ts";
import { createLocalEmbedder } from "../src/retrieval/local-embedder.ts";
import { createRetriever } from "../src/retrieval/retriever.ts";
import { storageOptionsFor } from "../src/retrieval/storage-options.ts";
import { startFakeOpenAI, type FakeOpenAI } from "./support/fake-openai-server.ts";
import { CORPUS_DIR, KNOWLEDGE_DIR, sharedCorpusAvailable, tempDir } from "./support/fixtures.ts";
import { type Radosgw, radosgwAvailable, startRadosgw } from "./support/radosgw.ts";
import { runScript } from "./support/run-script.ts";

/**
 * The index on object storage: a real S3 implementation (Ceph's RADOS gateway, which honours the conditional PUT
 * LanceDB's commits rely on) started on 127.0.0.1 for this file, and the real CLIs as separate processes.
 */
const enabled = radosgwAvailable() && sharedCorpusAvailable();

// Each test runs several CLI processes against Ceph; on a shared 2-core machine (or beside another run of this
// suite) that takes longer than the default 30 s.
describe.runIf(enabled)("the index on S3-compatible object storage (radosgw)", { timeout: 120_000 }, () => {
  let rgw: Radosgw;
  let work: Awaited<ReturnType<typeof tempDir>>;
  let fake: FakeOpenAI;
  let halves: [string, string];
  const uri = (prefix: string) => `s3://${rgw.bucket}/${prefix}`;
  const open = (prefix: string) => ChunkStore.open(uri(prefix), { storageOptions: storageOptionsFor(uri(prefix), parseConfig(rgw.env)) });
  const ids = async (prefix: string) => {
    const store = await open(prefix);
    try {
      return (await store.readAll()).map((row) => row.id).sort();
    } finally {
      store.close();
    }
  };

  // Kept so that afterAll stops the cluster even when the start outlives beforeAll's timeout.
  let starting: Promise<Radosgw> | undefined;

  beforeAll(async () => {
    starting = startRadosgw();
    [rgw, work, fake] = await Promise.all([starting, tempDir("docent-s3-"), startFakeOpenAI()]);
    // Two sources of about the same size with different pages, so two ingests race for real.
    const names = (await readdir(CORPUS_DIR)).filter((name) => name.endsWith(".md")).sort();
    halves = [path.join(work.dir, "half-a"), path.join(work.dir, "half-b")];
    await Promise.all(names.map((name, i) => cp(path.join(CORPUS_DIR, name), path.join(halves[i % 2]!, name))));
    // Another run of this suite may be starting its own cluster: starts take turns (scripts/services/radosgw.sh).
  }, 240_000);
  afterAll(async () => {
    await Promise.all([
      starting?.then(
        (cluster) => cluster.stop(),
        () => {},
      ),
      fake?.close(),
      work?.cleanup(),
    ]);
  }, 60_000);

  it("ingests, answers and evaluates with LANCEDB_URI=s3://bucket/prefix and the AWS_* settings", async () => {
    const env = { ...rgw.env, LANCEDB_URI: uri("docs"), KNOWLEDGE_DIR };
    const ingest = await runScript("ingest.ts", ["--json"], env);
    expect(ingest.stderr).toBe("");
    expect(ingest.code).toBe(0);
    expect(JSON.parse(ingest.stdout)).toMatchObject({ written: true, chunks: { added: expect.any(Number) } });

    const ask = await runScript("ask.ts", ["--json", "Do you train on my API data?"], env);
    expect(ask.code).toBe(0);
    const answer = JSON.parse(ask.stdout);
    expect(answer.refused).toBe(false);
    expect(answer.passages.length).toBeGreaterThan(0);

    const questions = path.join(work.dir, "questions.jsonl");
    await writeFile(questions, `${JSON.stringify({ id: "q1", kind: "answerable", question: "Do you train on my API data?" })}\n`);
    const evaluation = await runScript("eval.ts", ["--questions", questions, "--json"], env);
    expect(evaluation.code).toBe(0);
    expect(JSON.parse(evaluation.stdout)).toMatchObject({ kinds: { answerable: { n: 1 } } });
  });

  it("two ingests started together: the table is exactly the last committed snapshot, no mix, no duplicate ids", async () => {
    const env = { ...rgw.env };
    // What each source alone gives, for comparison.
    await Promise.all(halves.map((dir, i) => runScript("ingest.ts", ["--source", dir, "--db", uri(`alone-${i}`)], env)));
    const alone = await Promise.all([ids("alone-0"), ids("alone-1")]);
    expect(alone[0]!.length).toBeGreaterThan(0);
    expect(alone[1]!.length).toBeGreaterThan(0);

    expect((await runScript("ingest.ts", ["--source", KNOWLEDGE_DIR, "--db", uri("race")], env)).code).toBe(0);
    const results = await Promise.all(halves.map((dir) => runScript("ingest.ts", ["--source", dir, "--prune", "--db", uri("race"), "--json"], env)));
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    const versions = results.map((result) => JSON.parse(result.stdout).version as number);
    const last = versions[0]! > versions[1]! ? 0 : 1;

    const after = await ids("race");
    expect(new Set(after).size).toBe(after.length);
    expect(after).toEqual(alone[last]);
    const store = await open("race");
    expect((await store.info())?.version).toBe(Math.max(...versions));
    // Both runs finished and were tagged; the live version is the last one's.
    expect(await store.ingestVersions()).toEqual(expect.arrayContaining(versions));
    store.close();
  });

  it("a SIGKILLed ingest leaves the previous version", async () => {
    const env = { ...rgw.env, EMBEDDING_PROVIDER: "openai", OPENAI_BASE_URL: fake.baseURL, OPENAI_API_KEY: "sk-test", OPENAI_EMBEDDING_MODEL: "fake-embed" };
    expect((await runScript("ingest.ts", ["--source", halves[0], "--db", uri("kill")], env)).code).toBe(0);
    const store = await open("kill");
    const before = await store.info();
    const beforeIds = (await store.readAll()).map((row) => row.id).sort();
    store.close();

    fake.setDefault("embeddings", { kind: "delay", ms: 100 });
    const killed = await runScript("ingest.ts", ["--source", halves[1], "--prune", "--db", uri("kill")], env, {
      onStderr: (text, kill) => {
        if (text.includes("Embedded 64/")) kill();
      },
    });
    fake.setDefault("embeddings", { kind: "ok" });
    expect(killed.code).toBeNull();
    const after = await open("kill");
    expect(await after.info()).toEqual(before);
    expect((await after.readAll()).map((row) => row.id).sort()).toEqual(beforeIds);
    after.close();
  });

  it("a bot reading in a loop while an ingest commits never errors and only ever sees whole snapshots", async () => {
    const env = { ...rgw.env };
    expect((await runScript("ingest.ts", ["--source", halves[0], "--db", uri("live")], env)).code).toBe(0);
    const [countA, countB] = [(await ids("alone-0")).length, (await ids("alone-1")).length];
    const store = await open("live");
    const table = store.requireTable();
    const retriever = await createRetriever(store, createLocalEmbedder(), { mode: "hybrid", vectorWeight: 0.3 });
    const seen = new Map<number, number>();
    let done = false;
    const ingest = runScript("ingest.ts", ["--source", halves[1], "--prune", "--db", uri("live")], env).finally(() => (done = true));
    let reads = 0;
    while (!done || reads < 3) {
      const passages = await retriever.retrieve("how long is API data retained", 5);
      expect(passages.length).toBeGreaterThan(0);
      seen.set(await table.version(), await table.countRows());
      reads++;
    }
    expect((await ingest).code).toBe(0);
    store.close();
    for (const count of seen.values()) expect([countA, countB]).toContain(count);
    expect([...seen.values()].at(-1)).toBe(countB);
    expect(reads).toBeGreaterThan(3);
  });

  it("--cleanup removes old versions on object storage and keeps the live one", async () => {
    const env = { ...rgw.env };
    const result = await runScript("ingest.ts", ["--cleanup", "--retention-days", "0", "--db", uri("race"), "--json"], env);
    expect(result.code, result.stderr).toBe(0);
    const cleanup = JSON.parse(result.stdout);
    expect(cleanup.versionsRemoved).toBeGreaterThan(0);
    expect(cleanup.versionsAfter).toBeLessThan(cleanup.versionsBefore);
    const ask = await runScript("ask.ts", ["--db", uri("race"), "--json", "how long is API data retained"], env);
    expect(ask.code, ask.stderr).toBe(0);
  });

  it("bad credentials and a missing bucket stop with a message naming what to fix", async () => {
    const [wrongSecret, wrongKey, noKey, noBucket] = await Promise.all([
      runScript("ask.ts", ["--db", uri("docs"), "question"], { ...rgw.env, AWS_SECRET_ACCESS_KEY: "not-the-secret" }),
      runScript("ingest.ts", ["--db", uri("docs")], { ...rgw.env, AWS_ACCESS_KEY_ID: "NOSUCHKEY" }),
      runScript("ask.ts", ["--db", uri("docs"), "question"], { ...rgw.env, AWS_ACCESS_KEY_ID: "", AWS_SECRET_ACCESS_KEY: "" }),
      runScript("ask.ts", ["--db", "s3://no-such-bucket/docs", "question"], rgw.env),
    ]);
    expect(wrongSecret.code).toBe(2);
    expect(wrongSecret.stderr).toMatch(/refused the credentials .*SignatureDoesNotMatch[\s\S]*AWS_SECRET_ACCESS_KEY/);
    expect(wrongKey.code).toBe(2);
    expect(wrongKey.stderr).toMatch(/InvalidAccessKeyId[\s\S]*AWS_ACCESS_KEY_ID/);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/AWS_ACCESS_KEY_ID is missing/);
    expect(noBucket.code).toBe(2);
    expect(noBucket.stderr).toMatch(/bucket "no-such-bucket" does not exist[\s\S]*Create the bucket/);
    for (const result of [wrongSecret, wrongKey, noKey, noBucket]) expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
