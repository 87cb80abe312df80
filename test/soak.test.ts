/**
 * A 2-minute soak (scripts/soak.ts) in the test run: two shard processes under the sharding manager, a steady mix
 * of mentions, /ask, follow-ups, help-forum posts and votes, a re-ingest of changed pages and a shard restarted with SIGTERM in the
 * middle. Held to the same targets as the long soak in BENCHMARKS.md, except that the timing and memory targets
 * are printed, not asserted (--count-only): on a shared test machine they would measure the machine.
 */
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { PROJECT_DIR, scriptArgs, scriptEnv } from "./support/run-script.ts";

describe("npm run soak -- --minutes 2 --shards 2", () => {
  it("loses nothing, answers nothing twice (forum posts included) through a rolling restart of a shard, and answers from the new pages after the re-ingest", async () => {
    const child = spawn(process.execPath, [...scriptArgs("soak.ts"), "--minutes", "2", "--shards", "2", "--rate", "1", "--count-only"], {
      cwd: PROJECT_DIR,
      env: scriptEnv(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
    expect(out).toMatch(/^\| 2 \|/m);
    const verdict = /^verdict: (\w+), sent (\d+), answered (\d+), busy (\d+), lost (\d+), answered twice (\d+), failed (\d+), undelivered (\d+)/m.exec(out);
    expect(verdict, out).not.toBeNull();
    const [, word, sent, answered, busy, lost, twice, failed, undelivered] = verdict!;
    expect([word, lost, twice, failed, undelivered], out).toEqual(["ok", "0", "0", "0", "0"]);
    expect(Number(answered) + Number(busy)).toBe(Number(sent));
    expect(out).toMatch(/ok: new pages after the re-ingest: [1-9]\d*\/[1-9]/);
    expect(out).toMatch(/shard 1 \(pid \d+\) restarted with SIGTERM .* back online/);
    // Help-forum posts are among the questions above, and counted on their own at the end of the verdict line.
    const forum =
      /; forum posts (\d+), forum answered (\d+), forum busy (\d+), forum lost (\d+), forum answered twice (\d+), forum during restart (\d+)$/m.exec(out);
    expect(forum, out).not.toBeNull();
    const [, posts, postsAnswered, postsBusy, postsLost, postsTwice, postsDuringRestart] = forum!.map(Number);
    expect(posts, out).toBeGreaterThan(0);
    expect([postsLost, postsTwice], out).toEqual([0, 0]);
    expect(postsAnswered! + postsBusy!, out).toBe(posts);
    // Posts made to the restarted shard's guild while it hands over are answered once (or told busy) as well.
    expect(postsDuringRestart, out).toBeGreaterThan(0);
    expect(out).toMatch(/ok: forum posts answered once or told busy: /);
    expect(out).toMatch(/ok: forum posts during the shard restart answered once or told busy: /);
    expect(code, out).toBe(0);
  }, 300_000);
});
