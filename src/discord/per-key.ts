/**
 * In-process coordination per key (an answer's message id): claims for work that must happen once, and a queue
 * that runs work on one key one piece at a time. Claims and enqueueing are synchronous, so events handled
 * concurrently cannot both pass. The state lives in this process only: a guild's interactions all reach the
 * same shard, but a restart forgets it.
 */
export type Claim = "claimed" | "in-flight" | "done";

export class OncePerKey {
  private readonly state = new Map<string, "in-flight" | "done">();

  /** `capacity` bounds how many finished keys are remembered; the oldest are forgotten first. */
  constructor(private readonly capacity = 10_000) {}

  /** Takes the key if nobody has it; otherwise says whether its work is under way or already done. */
  claim(key: string): Claim {
    const current = this.state.get(key);
    if (current) return current;
    this.state.set(key, "in-flight");
    return "claimed";
  }

  /** Ends a claim: done for good, or (after a failure) free to be claimed again. */
  finish(key: string, done: boolean): void {
    if (!done) {
      this.state.delete(key);
      return;
    }
    this.state.delete(key);
    this.state.set(key, "done");
    for (const [old, status] of this.state) {
      if (this.state.size <= this.capacity) break;
      if (status === "done") this.state.delete(old);
    }
  }
}

export class KeyedQueue {
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `task` after every task queued earlier on the same key has settled; tasks on other keys run freely. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const result = (this.tails.get(key) ?? Promise.resolve()).then(task);
    const tail = result.then(
      () => {},
      () => {},
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
