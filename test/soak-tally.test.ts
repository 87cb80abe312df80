/**
 * The soak's bookkeeping (scripts/soak/soak-tally.ts) for help-forum posts: counted with the other questions and on
 * their own, per minute, in the checks and at the end of the verdict line.
 */
import { describe, expect, it } from "vitest";
import { checks, forumCell, forumVerdict, minuteRows, type Question, totals, verdictLine } from "../scripts/soak/soak-tally.ts";

let next = 0;
function question(kind: Question["kind"], fields: Partial<Question> = {}): Question {
  return { id: String(next++), kind, sentAt: 1_000, delivered: true, replies: 1, fate: "answered", latencyMs: 50, fresh: null, ...fields };
}

const check = (questions: Question[], restarted: boolean, name: string) =>
  checks({ questions, memory: [], durationMs: 120_000, warmupMs: 48_000, reingested: true, restarted }).find((c) => c.name === name);

describe("forum posts in the soak's tally", () => {
  it("counts a post with the other questions and on its own in the minute it was sent", () => {
    const questions = [
      question("mention"),
      question("forum_post"),
      question("forum_post", { fate: "busy" }),
      question("forum_post", { sentAt: 61_000, replies: 0, fate: "pending" }),
    ];
    const [first, second] = minuteRows(questions, [], 120_000);
    expect([first!.sent, first!.answered, first!.busy]).toEqual([3, 2, 1]);
    expect(forumCell(first!.forum)).toBe("2 (1/1/0/0)");
    expect(forumCell(second!.forum)).toBe("1 (0/0/1/0)");
    expect(totals(questions).lost).toBe(1);
  });

  it("passes when every post was answered once or told busy, and names what went wrong otherwise", () => {
    const name = "forum posts answered once or told busy";
    expect(check([question("forum_post"), question("forum_post", { fate: "busy" })], false, name)?.ok).toBe(true);
    const twice = check([question("forum_post", { replies: 2 })], false, name);
    expect(twice?.ok).toBe(false);
    expect(twice?.detail).toContain("1 answered twice");
    const lost = check([question("forum_post", { replies: 0, fate: "pending" })], false, name);
    expect(lost?.ok).toBe(false);
    expect(lost?.detail).toContain("1 lost");
    // A soak whose mix sent no post has not shown anything about posts.
    expect(check([question("mention")], false, name)?.ok).toBe(false);
  });

  it("checks the posts made during a shard restart only when a shard was restarted, and needs at least one", () => {
    const name = "forum posts during the shard restart answered once or told busy";
    expect(check([question("forum_post", { duringRestart: true })], false, name)).toBeUndefined();
    expect(check([question("forum_post", { duringRestart: true }), question("forum_post")], true, name)?.ok).toBe(true);
    expect(check([question("forum_post")], true, name)?.ok).toBe(false);
    expect(check([question("forum_post", { duringRestart: true, replies: 0, fate: "pending" })], true, name)?.ok).toBe(false);
  });

  it("adds the forum fields after the verdict line's existing ones", () => {
    const questions = [question("mention"), question("forum_post", { duringRestart: true }), question("forum_post", { fate: "busy" })];
    const line = verdictLine(true, totals(questions), `; mentions 1${forumVerdict(questions)}`);
    expect(line).toBe(
      "verdict: ok, sent 3, answered 2, busy 1, lost 0, answered twice 0, failed 0, undelivered 0; mentions 1; forum posts 2, forum answered 1, forum busy 1, forum lost 0, forum answered twice 0, forum during restart 1",
    );
  });
});
