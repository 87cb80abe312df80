/**
 * The pure parts of running the bot: when the operator warnings fire, the outcome of an answer, and the claim
 * protocol of a rolling shard restart (the shard and manager sides wired to each other in memory).
 */
import { EventEmitter } from "node:events";
import type { ChildProcess } from "node:child_process";
import { describe, expect, it } from "vitest";
import { checkWarnings, FALLBACK_WINDOW_MS, initialWatchState, QUEUE_WARN_AFTER_MS } from "../src/app/operator-warnings.ts";
import { HandoverDesk, ShardHandover } from "../src/app/shard-handover.ts";
import { isDeadlineFallback, outcomeOf } from "../src/discord/bot-metrics.ts";

const HOUR = 3_600_000;
const sample = (now: number, extra: Partial<Parameters<typeof checkWarnings>[1]> = {}) => ({
  now,
  queued: 0,
  maxQueued: 50,
  index: null,
  indexMaxAgeHours: undefined,
  ...extra,
});

describe("operator warnings", () => {
  it("warns once when the queue stays above half for a minute, and again only after it cleared", () => {
    const state = initialWatchState();
    expect(checkWarnings(state, sample(0, { queued: 26 }))).toEqual([]);
    expect(checkWarnings(state, sample(QUEUE_WARN_AFTER_MS - 1, { queued: 40 }))).toEqual([]);
    expect(checkWarnings(state, sample(QUEUE_WARN_AFTER_MS, { queued: 30 }))).toEqual([
      { event: "queue_backlog", queued: 30, maxQueued: 50, forMs: QUEUE_WARN_AFTER_MS },
    ]);
    expect(checkWarnings(state, sample(QUEUE_WARN_AFTER_MS * 2, { queued: 30 }))).toEqual([]);
    // Half full is not above half: the backlog cleared, and a new one needs its own minute.
    checkWarnings(state, sample(QUEUE_WARN_AFTER_MS * 3, { queued: 25 }));
    expect(checkWarnings(state, sample(QUEUE_WARN_AFTER_MS * 3 + 1, { queued: 30 }))).toEqual([]);
    expect(checkWarnings(state, sample(QUEUE_WARN_AFTER_MS * 4 + 1, { queued: 30 }))).toHaveLength(1);
  });

  it("warns when more than a fifth of the recent answers fell back, counting only the window", () => {
    const state = initialWatchState();
    for (let i = 0; i < 20; i++) state.recent.push({ at: i, fallback: i < 4 });
    expect(checkWarnings(state, sample(100))).toEqual([]);
    state.recent.push({ at: 101, fallback: true }, { at: 102, fallback: true });
    expect(checkWarnings(state, sample(200))).toEqual([{ event: "fallback_rate", fallbacks: 6, answers: 22, windowMs: FALLBACK_WINDOW_MS }]);
    expect(checkWarnings(state, sample(300))).toEqual([]);
    // Past the window the old answers no longer count.
    expect(checkWarnings(state, sample(FALLBACK_WINDOW_MS + 200))).toEqual([]);
    expect(state.recent).toEqual([]);
  });

  it("warns about an index older than INDEX_MAX_AGE_HOURS, at most hourly, and not without the setting", () => {
    const index = { version: 3, lastIngestAt: 0 };
    expect(checkWarnings(initialWatchState(), sample(50 * HOUR, { index }))).toEqual([]);
    const state = initialWatchState();
    expect(checkWarnings(state, sample(23 * HOUR, { index, indexMaxAgeHours: 24 }))).toEqual([]);
    expect(checkWarnings(state, sample(25 * HOUR, { index, indexMaxAgeHours: 24 }))).toEqual([{ event: "index_stale", ageHours: 25, maxAgeHours: 24 }]);
    expect(checkWarnings(state, sample(25.5 * HOUR, { index, indexMaxAgeHours: 24 }))).toEqual([]);
    expect(checkWarnings(state, sample(26 * HOUR, { index, indexMaxAgeHours: 24 }))).toHaveLength(1);
  });
});

describe("outcome of an answer", () => {
  it("is refused, uncertain or confident; a deadline fallback is told apart from other fallbacks", () => {
    expect(outcomeOf({ refused: true })).toBe("refused");
    expect(outcomeOf({ refused: false, confidence: "uncertain" })).toBe("uncertain");
    expect(outcomeOf({ refused: false, confidence: "confident" })).toBe("confident");
    expect(isDeadlineFallback("the answer deadline passed (15000 ms, ANSWER_TIMEOUT_MS)")).toBe(true);
    expect(isDeadlineFallback("the chat model returned no JSON")).toBe(false);
    expect(isDeadlineFallback(undefined)).toBe(false);
  });
});

/** Two in-memory IPC ends: what one side sends, the other receives (asynchronously, as over a pipe). */
function pipe() {
  const shardSide = new EventEmitter() as EventEmitter & { send: (m: unknown) => boolean; connected: boolean };
  const managerSide = new EventEmitter() as EventEmitter & { send: (m: unknown) => boolean; connected: boolean; exitCode: number | null; signalCode: null };
  shardSide.connected = true;
  managerSide.connected = true;
  managerSide.exitCode = null;
  managerSide.signalCode = null;
  const deliver = (to: EventEmitter) => (m: unknown) => {
    setImmediate(() => to.emit("message", structuredClone(m)));
    return true;
  };
  shardSide.send = deliver(managerSide);
  managerSide.send = deliver(shardSide);
  return { shardSide, managerSide };
}

describe("rolling restart of a shard: claims", () => {
  it("hands every event to exactly one process, the old one until the successor is ready, then the successor", async () => {
    const desk = new HandoverDesk();
    const oldPipe = pipe();
    const newPipe = pipe();
    const old = new ShardHandover(oldPipe.shardSide, { successor: false });
    let successor: ShardHandover | null = null;
    let successorReady: () => void = () => {};
    const ready = new Promise<void>((resolve) => {
      successorReady = resolve;
    });
    desk.serve(oldPipe.managerSide as unknown as ChildProcess, 1, {
      stopping: () => false,
      startSuccessor: async () => {
        successor = new ShardHandover(newPipe.shardSide, { successor: true });
        desk.serve(newPipe.managerSide as unknown as ChildProcess, 1, { stopping: () => false, startSuccessor: () => Promise.reject(new Error("none")) });
        await ready;
        return { send: (m: unknown) => newPipe.managerSide.send(m) };
      },
    });

    // Before the handover nothing is asked: the old process handles everything.
    expect(await old.claim("e1")).toBe(true);
    const handedOver = old.handOver(10_000);
    // The manager waits a moment (a whole-group stop signal) before it starts the successor.
    for (let i = 0; i < 400 && successor === null; i++) await new Promise((resolve) => setTimeout(resolve, 25));
    expect(successor).not.toBeNull();
    // Both see e2 and e3: whoever claims first handles it, the other does not.
    expect(await old.claim("e2")).toBe(true);
    expect(await successor!.claim("e2")).toBe(false);
    expect(await successor!.claim("e3")).toBe(true);
    expect(await old.claim("e3")).toBe(false);
    successorReady();
    expect(await handedOver).toBe(true);
    // Ready: the old process takes nothing new.
    expect(await old.claim("e4")).toBe(false);
    expect(await successor!.claim("e4")).toBe(true);
    // The old process exits: the successor stops asking.
    oldPipe.managerSide.exitCode = 0;
    oldPipe.managerSide.emit("exit", 0);
    await new Promise((resolve) => setTimeout(resolve, 20));
    newPipe.shardSide.send = () => {
      throw new Error("a claim was sent after the handover ended");
    };
    expect(await successor!.claim("e5")).toBe(true);
  });

  it("gives no successor while the manager is stopping: the shard just drains", async () => {
    const desk = new HandoverDesk();
    const { shardSide, managerSide } = pipe();
    const shard = new ShardHandover(shardSide, { successor: false });
    let started = false;
    desk.serve(managerSide as unknown as ChildProcess, 0, {
      stopping: () => true,
      startSuccessor: async () => {
        started = true;
        return { send: () => {} };
      },
    });
    expect(await shard.handOver(10_000)).toBe(false);
    expect(started).toBe(false);
    expect(await shard.claim("e1")).toBe(true);
  });
});
