/**
 * The Discord events being handled right now (a question from arrival to its posted reply, a click, a command).
 * A graceful shutdown waits for them before it closes the gateway, so no reply is cut off half-sent.
 */
export class InFlight {
  private count = 0;
  private readonly idleWaiters: Array<() => void> = [];

  get size(): number {
    return this.count;
  }

  /** Counts `work` as in flight until it settles; returns it unchanged. */
  track<T>(work: Promise<T>): Promise<T> {
    this.count++;
    const done = () => {
      this.count--;
      if (this.count === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    };
    work.then(done, done);
    return work;
  }

  /** Resolves true once nothing is in flight, or false when `timeoutMs` passes first. */
  async idle(timeoutMs: number): Promise<boolean> {
    if (this.count === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const done = new Promise<boolean>((resolve) => this.idleWaiters.push(() => resolve(true)));
    const late = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      return await Promise.race([done, late]);
    } finally {
      clearTimeout(timer);
    }
  }
}
