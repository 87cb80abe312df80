/**
 * The soak's bookkeeping, kept pure: what became of each question, the per-minute rows, and the verdict against
 * the targets of issue 21 (0 lost, 0 answered twice, every question answered or told "busy", RSS after the
 * warm-up growing < 10%, p95 at the end within 1.5x the start, answers after the re-ingest from the new pages),
 * with help-forum posts also counted on their own.
 */

export type Fate = "answered" | "busy" | "failed" | "pending";

export interface Question {
  id: string;
  kind: "mention" | "ask" | "follow_up" | "forum_post";
  /** Milliseconds from the soak's start. */
  sentAt: number;
  /** Whether the shard its guild belongs to had a connected gateway session when it was sent. */
  delivered: boolean;
  replies: number;
  fate: Fate;
  latencyMs: number | null;
  /** Asked after the re-ingest about the changed pages: whether the answer quoted the new text (null: not such). */
  fresh: boolean | null;
  /** Sent between a shard's SIGTERM and its successor's login, to a guild of that shard. */
  duringRestart?: boolean;
}

export interface MemorySample {
  at: number;
  process: string;
  pid: number;
  rssBytes: number;
  heapBytes: number | null;
}

/** A reply's kind, from the notices the bot sends (src/discord/handlers.ts). */
export function classifyReply(content: string): Exclude<Fate, "pending"> {
  if (/answering a lot of questions|restarting|asking quickly/.test(content)) return "busy";
  if (/something went wrong/.test(content)) return "failed";
  return "answered";
}

export function quantile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

export interface Totals {
  sent: number;
  answered: number;
  busy: number;
  failed: number;
  /** Delivered to a running shard and never replied to. */
  lost: number;
  /** Sent while the guild's shard had no gateway session (between a shard's exit and its replacement's login). */
  undelivered: number;
  twice: number;
}

export function totals(questions: readonly Question[]): Totals {
  const count = (fate: Fate) => questions.filter((q) => q.fate === fate).length;
  const silent = questions.filter((q) => q.fate === "pending");
  return {
    sent: questions.length,
    answered: count("answered"),
    busy: count("busy"),
    failed: count("failed"),
    lost: silent.filter((q) => q.delivered).length,
    undelivered: silent.filter((q) => !q.delivered).length,
    twice: questions.filter((q) => q.replies > 1).length,
  };
}

export interface Row extends Totals {
  minute: number;
  /** The forum posts among the row's questions. */
  forum: Totals;
  p50: number | null;
  p95: number | null;
  memory: string;
}

/** One row per minute of sending: the questions sent in it and the memory sampled last in it. */
export function minuteRows(questions: readonly Question[], memory: readonly MemorySample[], durationMs: number): Row[] {
  const rows: Row[] = [];
  for (let minute = 0; minute * 60_000 < durationMs; minute++) {
    const inMinute = (at: number) => at >= minute * 60_000 && at < (minute + 1) * 60_000;
    const sent = questions.filter((q) => inMinute(q.sentAt));
    const latencies = sent.filter((q) => q.fate === "answered" && q.latencyMs !== null).map((q) => q.latencyMs!);
    const last = new Map<string, MemorySample>();
    for (const sample of memory) if (inMinute(sample.at)) last.set(sample.process, sample);
    const memoryText = [...last.values()].map((s) => `${s.process} ${mb(s.rssBytes)}${s.heapBytes === null ? "" : `/${mb(s.heapBytes)}`}`).join(", ");
    rows.push({
      minute: minute + 1,
      ...totals(sent),
      forum: totals(sent.filter(isForumPost)),
      p50: quantile(latencies, 0.5),
      p95: quantile(latencies, 0.95),
      memory: memoryText,
    });
  }
  return rows;
}

const isForumPost = (q: Question) => q.kind === "forum_post";

/** A row's forum posts as one table cell: sent (answered/busy/lost/answered twice). */
export function forumCell(t: Totals): string {
  return `${t.sent} (${t.answered}/${t.busy}/${t.lost}/${t.twice})`;
}

const mb = (bytes: number) => `${Math.round(bytes / 1_048_576)}M`;

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
  /** Timing and memory targets: reported always, but decide the verdict only when `timingTargets` is on. */
  timing: boolean;
}

/**
 * The targets. `warmupMs`: the "first 5 minutes" (shorter runs scale it down); `restarted`: processes restarted
 * on purpose (their memory is compared only within one process id).
 */
export function checks(input: {
  questions: readonly Question[];
  memory: readonly MemorySample[];
  durationMs: number;
  warmupMs: number;
  reingested: boolean;
  /** Whether a shard was restarted on purpose: the forum posts sent meanwhile are then checked on their own. */
  restarted?: boolean;
}): Check[] {
  const t = totals(input.questions);
  const result: Check[] = [
    { name: "nothing lost", ok: t.lost === 0, detail: `${t.lost} delivered questions got no reply`, timing: false },
    { name: "nothing answered twice", ok: t.twice === 0, detail: `${t.twice} questions got more than one reply`, timing: false },
    { name: "answered or busy", ok: t.failed === 0, detail: `${t.failed} questions got the "something went wrong" reply`, timing: false },
    {
      name: "every question reached a shard",
      ok: t.undelivered === 0,
      detail: `${t.undelivered} questions were sent while their shard had no gateway session (between a restarted shard's exit and its replacement's login) and got no reply`,
      timing: false,
    },
  ];
  const fresh = input.questions.filter((q) => q.fresh !== null);
  result.push({
    name: "new pages after the re-ingest",
    ok: input.reingested && fresh.length > 0 && fresh.every((q) => q.fresh),
    detail: input.reingested
      ? `${fresh.filter((q) => q.fresh).length}/${fresh.length} answers about the changed pages quoted the new text`
      : "the re-ingest did not run",
    timing: false,
  });
  result.push(...forumChecks(input.questions, input.restarted ?? false));

  // Memory: per process id, the first sample after the warm-up against the last one.
  const byPid = new Map<number, MemorySample[]>();
  for (const sample of input.memory) byPid.set(sample.pid, [...(byPid.get(sample.pid) ?? []), sample]);
  const growth: string[] = [];
  let memoryOk = true;
  for (const samples of byPid.values()) {
    const start = samples[0]!.at;
    const after = samples.filter((s) => s.at - start >= input.warmupMs);
    if (after.length < 2) continue;
    const share = after.at(-1)!.rssBytes / after[0]!.rssBytes - 1;
    growth.push(`${samples[0]!.process} (pid ${samples[0]!.pid}) ${(share * 100).toFixed(1)}%`);
    if (share >= 0.1) memoryOk = false;
  }
  result.push({
    name: "RSS after the warm-up grows < 10%",
    ok: memoryOk,
    detail: growth.join(", ") || "no process lived long enough to compare",
    timing: true,
  });

  const latencies = (from: number, to: number) =>
    input.questions.filter((q) => q.fate === "answered" && q.sentAt >= from && q.sentAt < to && q.latencyMs !== null).map((q) => q.latencyMs!);
  const first = quantile(latencies(0, input.warmupMs), 0.95);
  const last = quantile(latencies(input.durationMs - input.warmupMs, input.durationMs), 0.95);
  result.push({
    name: "p95 at the end within 1.5x the start",
    ok: first !== null && last !== null && last <= 1.5 * first,
    detail: `p95 first ${first?.toFixed(0) ?? "-"} ms, last ${last?.toFixed(0) ?? "-"} ms`,
    timing: true,
  });
  return result;
}

/**
 * Forum posts are counted with the other questions above and again on their own here: each post answered once in
 * its thread or told busy. The bot has no catch-up of posts made while its shard had no gateway session (it relies
 * on the rolling restart's successor-first handover instead), so a post made during a restart must be answered by
 * one of the shard's two processes like any other question.
 */
function forumChecks(questions: readonly Question[], restarted: boolean): Check[] {
  const posts = questions.filter(isForumPost);
  const f = totals(posts);
  const once = (t: Totals) => t.lost === 0 && t.twice === 0 && t.failed === 0 && t.undelivered === 0 && t.answered + t.busy === t.sent;
  const result: Check[] = [
    {
      name: "forum posts answered once or told busy",
      ok: f.sent > 0 && once(f),
      detail: `${f.sent} posts: ${f.answered} answered, ${f.busy} busy, ${f.lost} lost, ${f.twice} answered twice, ${f.failed} failed, ${f.undelivered} undelivered`,
      timing: false,
    },
  ];
  if (restarted) {
    const r = totals(posts.filter((q) => q.duringRestart));
    result.push({
      name: "forum posts during the shard restart answered once or told busy",
      ok: r.sent > 0 && once(r),
      detail: `${r.sent} posts made while the shard restarted: ${r.answered} answered, ${r.busy} busy, ${r.lost} lost, ${r.twice} answered twice`,
      timing: false,
    });
  }
  return result;
}

/** The forum posts' fields of the verdict line (appended after the existing ones, so parsers of those keep working). */
export function forumVerdict(questions: readonly Question[]): string {
  const posts = questions.filter(isForumPost);
  const f = totals(posts);
  const during = posts.filter((q) => q.duringRestart).length;
  return `; forum posts ${f.sent}, forum answered ${f.answered}, forum busy ${f.busy}, forum lost ${f.lost}, forum answered twice ${f.twice}, forum during restart ${during}`;
}

export function verdictLine(ok: boolean, t: Totals, extra: string): string {
  return `verdict: ${ok ? "ok" : "FAILED"}, sent ${t.sent}, answered ${t.answered}, busy ${t.busy}, lost ${t.lost}, answered twice ${t.twice}, failed ${t.failed}, undelivered ${t.undelivered}${extra}`;
}
