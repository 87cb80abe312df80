/**
 * Politeness for the web fetcher: at most `concurrency` requests in flight overall, one request at a time per
 * host, and at least `delayMs` between the end of one request to a host and the start of the next.
 * A host's delay can be raised (robots.txt `Crawl-delay`), never lowered below the default.
 */
export interface HostSchedulerOptions {
  concurrency: number;
  delayMs: number;
}

interface HostState {
  tail: Promise<void>;
  delayMs: number;
  lastEnd: number;
}

export class HostScheduler {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly hosts = new Map<string, HostState>();

  constructor(private readonly options: HostSchedulerOptions) {
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) throw new RangeError("concurrency must be a positive whole number");
  }

  /** Raises the pause between two requests to `host` (e.g. to honour a robots.txt Crawl-delay). */
  setDelay(host: string, delayMs: number): void {
    const state = this.state(host);
    state.delayMs = Math.max(this.options.delayMs, delayMs);
  }

  delayOf(host: string): number {
    return this.state(host).delayMs;
  }

  /** Runs `task` when the host is free, its pause is over and a slot is available. */
  async run<T>(host: string, task: () => Promise<T>): Promise<T> {
    const state = this.state(host);
    const previous = state.tail;
    let done!: () => void;
    state.tail = new Promise<void>((resolve) => (done = resolve));
    await previous;
    try {
      const wait = state.lastEnd + state.delayMs - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      await this.acquire();
      try {
        return await task();
      } finally {
        this.release();
      }
    } finally {
      state.lastEnd = Date.now();
      done();
    }
  }

  private state(host: string): HostState {
    let state = this.hosts.get(host);
    if (!state) {
      state = { tail: Promise.resolve(), delayMs: this.options.delayMs, lastEnd: Number.NEGATIVE_INFINITY };
      this.hosts.set(host, state);
    }
    return state;
  }

  private acquire(): Promise<void> {
    if (this.active < this.options.concurrency) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    // The slot passes straight to the next waiter, so `active` stays the same.
    if (next) next();
    else this.active--;
  }
}
