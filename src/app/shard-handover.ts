/**
 * Rolling restart of one shard without losing or doubling a question. Discord ends a shard's session when its
 * process closes, and a new process cannot resume it (it would have no READY, so no cache), so a restarted shard
 * is replaced successor-first:
 *
 *   1. the old shard process gets SIGTERM and asks the manager for a successor, still answering meanwhile;
 *   2. the manager spawns the successor for the same shard id; once it is connected both receive the shard's
 *      events, and each claims an event at the manager before handling it: the first claim wins;
 *   3. when the successor is ready the old process stops claiming, finishes its answers and exits;
 *   4. when the old process is gone the manager tells the successor to stop claiming.
 *
 * Outside a handover nothing is claimed (no IPC per event). Messages are plain objects with a `docent` key, which
 * discord.js's own sharding messages never carry.
 */
import type { ChildProcess } from "node:child_process";

type ToShard =
  | { docent: "claim_result"; nonce: number; ok: boolean }
  | { docent: "successor_ready" }
  | { docent: "no_successor" }
  | { docent: "handover_done" };
type ToManager = { docent: "handover" } | { docent: "claim"; id: string; nonce: number };

/** The IPC channel of a forked process: `process` in a shard, the ChildProcess in the manager. */
interface Channel {
  send?: ((message: unknown) => boolean) | undefined;
  on(event: "message", listener: (message: unknown) => void): unknown;
  readonly connected?: boolean;
}

/** See HandoverDesk.handOver. */
const STOP_SIGNAL_SETTLE_MS = 500;

const isDocent = (message: unknown): message is { docent: string } => typeof message === "object" && message !== null && "docent" in message;

/** The shard process's side. */
export class ShardHandover {
  /** alone: handle everything; claiming: ask the manager per event; yielded: the successor handles everything. */
  private mode: "alone" | "claiming" | "yielded";
  private nonce = 0;
  private readonly pending = new Map<number, (ok: boolean) => void>();
  private answer: ((ready: boolean) => void) | null = null;

  constructor(
    private readonly channel: Channel,
    options: { successor: boolean },
  ) {
    this.mode = options.successor ? "claiming" : "alone";
    channel.on("message", (message) => {
      if (!isDocent(message)) return;
      const m = message as ToShard;
      if (m.docent === "claim_result") {
        this.pending.get(m.nonce)?.(m.ok);
        this.pending.delete(m.nonce);
      } else if (m.docent === "handover_done") this.mode = "alone";
      else if (m.docent === "successor_ready" || m.docent === "no_successor") this.answer?.(m.docent === "successor_ready");
    });
  }

  /** Whether this process handles an event (a message or interaction id). */
  readonly claim = (id: string): Promise<boolean> => {
    if (this.mode === "alone") return Promise.resolve(true);
    if (this.mode === "yielded") return Promise.resolve(false);
    if (!this.channel.connected || !this.channel.send) return Promise.resolve(true);
    const nonce = ++this.nonce;
    return new Promise<boolean>((resolve) => {
      this.pending.set(nonce, resolve);
      this.channel.send!({ docent: "claim", id, nonce } satisfies ToManager);
    });
  };

  /**
   * The old process's step 1 and 3: asks for a successor and claims events until it is ready (true), or until the
   * manager says there will be none or `timeoutMs` passes (false: the caller just drains). After true, this process
   * handles no new event.
   */
  async handOver(timeoutMs: number): Promise<boolean> {
    if (!this.channel.connected || !this.channel.send) return false;
    this.mode = "claiming";
    let timer: NodeJS.Timeout | undefined;
    const ready = await new Promise<boolean>((resolve) => {
      this.answer = resolve;
      timer = setTimeout(() => resolve(false), timeoutMs);
      this.channel.send!({ docent: "handover" } satisfies ToManager);
    });
    clearTimeout(timer);
    this.mode = ready ? "yielded" : "alone";
    return ready;
  }
}

/**
 * The manager's side, for one shard process: answers its claims, and on its handover request calls
 * `startSuccessor`, which resolves once the successor is ready (or rejects). `shardId` keys the claims, so the old
 * and the new process of one shard share them.
 */
export class HandoverDesk {
  /** Per shard id in handover: the event ids claimed so far. */
  private readonly claims = new Map<number, Set<string>>();

  serve(
    child: ChildProcess,
    shardId: number,
    options: { stopping: () => boolean; startSuccessor: () => Promise<{ send(message: unknown): unknown }>; onEvent?: (event: string) => void },
  ): void {
    child.on("message", (message: unknown) => {
      if (!isDocent(message)) return;
      const m = message as ToManager;
      const reply = (answer: ToShard) => {
        if (child.connected) child.send(answer);
      };
      if (m.docent === "claim") {
        const claimed = this.claims.get(shardId);
        const ok = claimed === undefined || !claimed.has(m.id);
        claimed?.add(m.id);
        reply({ docent: "claim_result", nonce: m.nonce, ok });
        return;
      }
      if (m.docent !== "handover") return;
      if (this.claims.has(shardId)) {
        reply({ docent: "no_successor" });
        return;
      }
      this.claims.set(shardId, new Set());
      void this.handOver(child, shardId, reply, options);
    });
  }

  private async handOver(
    child: ChildProcess,
    shardId: number,
    reply: (answer: ToShard) => void,
    options: { stopping: () => boolean; startSuccessor: () => Promise<{ send(message: unknown): unknown }>; onEvent?: (event: string) => void },
  ): Promise<void> {
    // A service manager stopping the bot may signal the whole process group at once: the manager's own signal
    // gets a moment to arrive, so a shutdown does not spawn successors.
    await new Promise((resolve) => setTimeout(resolve, STOP_SIGNAL_SETTLE_MS));
    if (options.stopping()) {
      this.claims.delete(shardId);
      reply({ docent: "no_successor" });
      return;
    }
    options.onEvent?.("handover_start");
    options.startSuccessor().then(
      (successor) => {
        reply({ docent: "successor_ready" });
        options.onEvent?.("handover_ready");
        const done = () => {
          this.claims.delete(shardId);
          successor.send({ docent: "handover_done" } satisfies ToShard);
          options.onEvent?.("handover_done");
        };
        if (child.exitCode !== null || child.signalCode !== null) done();
        else child.once("exit", done);
      },
      () => {
        this.claims.delete(shardId);
        reply({ docent: "no_successor" });
        options.onEvent?.("handover_failed");
      },
    );
  }
}
