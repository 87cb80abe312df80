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

export type Admission = { ok: true } | { ok: false; reason: "cooldown"; retryInMs: number } | { ok: false; reason: "busy" };

export class LoadControl {
  private readonly lastAsked = new Map<string, number>();
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly now: () => number;

  constructor(private readonly options: LoadControlOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Decides whether a user's question is taken; taking it starts the user's cooldown. */
  admit(userId: string): Admission {
    const now = this.now();
    const last = this.lastAsked.get(userId);
    if (last !== undefined && now - last < this.options.cooldownMs) return { ok: false, reason: "cooldown", retryInMs: this.options.cooldownMs - (now - last) };
    if (this.running >= this.options.maxConcurrent && this.waiting.length >= this.options.maxQueued) return { ok: false, reason: "busy" };
    this.lastAsked.set(userId, now);
    this.forgetOld(now);
    return { ok: true };
  }

  /** Runs a task when a slot is free. Admission has already bounded the queue. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.options.maxConcurrent) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    try {
      return await task();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }

  get stats(): { running: number; queued: number } {
    return { running: this.running, queued: this.waiting.length };
  }

  /** Keeps the cooldown map from growing with every user ever seen. */
  private forgetOld(now: number): void {
    if (this.lastAsked.size < 10_000) return;
    for (const [user, at] of this.lastAsked) if (now - at >= this.options.cooldownMs) this.lastAsked.delete(user);
  }
}
