/**
 * Per-user cooldown and a bounded work queue. Over a limit the caller tells the asker politely instead of
 * dropping the question; nothing here can throw into the event loop.
 */
export interface LoadControlOptions {
  /** Minimum time between two questions of one user. */
  cooldownMs: number;
  /** Questions answered at the same time. */
  maxConcurrent: number;
  /** Questions waiting beyond those; more than this and new ones are turned away with a notice. */
  maxQueued: number;
  now?: () => number;
}

/**
 * A place taken in the answer queue. `run` answers in it once a running slot is free and gives the place back
 * afterwards; `release` gives it back unused (safe to call again, and after `run`).
 */
export interface QueueSlot {
  run<T>(task: () => Promise<T>): Promise<T>;
  release(): void;
}

export type Admission =
  | { ok: true; slot: QueueSlot }
  | { ok: false; reason: "cooldown"; retryInMs: number }
  | { ok: false; reason: "busy" }
  | { ok: false; reason: "restarting" };

/** Thrown by `QueueSlot.run` when the bot stops before the answer finished (see {@link LoadControl.abandon}). */
export class RestartingError extends Error {
  constructor() {
    super("the bot is restarting: the answer was not finished within SHUTDOWN_GRACE_MS");
    this.name = "RestartingError";
  }
}

export class LoadControl {
  private readonly lastAsked = new Map<string, number>();
  /** Places taken and not yet given back: questions running, waiting for a slot, or being prepared by a handler. */
  private held = 0;
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly now: () => number;
  private stopping = false;
  /** Rejected by `abandon()`: every run still going gives up at once. Never settles otherwise. */
  private readonly abandoned: Promise<never>;
  private rejectAbandoned: (error: Error) => void = () => {};

  constructor(private readonly options: LoadControlOptions) {
    this.now = options.now ?? Date.now;
    this.abandoned = new Promise<never>((_resolve, reject) => {
      this.rejectAbandoned = reject;
    });
    // Nobody may be running when it is rejected; that is not an unhandled rejection.
    this.abandoned.catch(() => {});
  }

  /** Shutdown, step one: every question from now on is told the bot is restarting. */
  stopAdmitting(): void {
    this.stopping = true;
  }

  /** Shutdown, past the grace period: answers still running or waiting give up with a {@link RestartingError}. */
  abandon(): void {
    this.rejectAbandoned(new RestartingError());
  }

  /**
   * Decides whether a user's question is taken and, if so, reserves its place in the queue in the same
   * synchronous step: a burst of questions arriving together cannot all pass the check before any of them
   * counts. Taking a question starts the user's cooldown.
   */
  admit(userId: string): Admission {
    if (this.stopping) return { ok: false, reason: "restarting" };
    const now = this.now();
    const last = this.lastAsked.get(userId);
    if (last !== undefined && now - last < this.options.cooldownMs) return { ok: false, reason: "cooldown", retryInMs: this.options.cooldownMs - (now - last) };
    if (this.held >= this.options.maxConcurrent + this.options.maxQueued) return { ok: false, reason: "busy" };
    this.held++;
    this.lastAsked.set(userId, now);
    this.forgetOld(now);
    return { ok: true, slot: this.slot() };
  }

  get stats(): { running: number; queued: number } {
    return { running: this.running, queued: this.held - this.running };
  }

  private slot(): QueueSlot {
    let released = false;
    let used = false;
    const release = () => {
      if (released) return;
      released = true;
      this.held--;
    };
    const run = async <T>(task: () => Promise<T>): Promise<T> => {
      if (released || used) throw new Error("a queue slot runs one task, before it is released");
      used = true;
      try {
        await Promise.race([this.startRunning(), this.abandoned]);
        try {
          return await Promise.race([task(), this.abandoned]);
        } finally {
          this.stopRunning();
        }
      } finally {
        release();
      }
    };
    return { run, release };
  }

  private async startRunning(): Promise<void> {
    if (this.running < this.options.maxConcurrent) {
      this.running++;
      return;
    }
    // The finishing task hands its running slot straight over, so nothing can slip in between.
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private stopRunning(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }

  /** Keeps the cooldown map from growing with every user ever seen. */
  private forgetOld(now: number): void {
    if (this.lastAsked.size < 10_000) return;
    for (const [user, at] of this.lastAsked) if (now - at >= this.options.cooldownMs) this.lastAsked.delete(user);
  }
}
