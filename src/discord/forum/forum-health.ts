import type { Logger } from "../../log.ts";

/**
 * Forum set-up problems (a configured tag the forum lacks, no Manage Threads permission): each is logged once, not
 * on every post, and listed by `/docent status` so a moderator can fix it. They never stop an answer.
 */
export class ForumHealth {
  private readonly problems = new Map<string, string>();

  constructor(private readonly logger: Logger) {}

  /** Records a problem under a stable key; the first time, it is logged. */
  report(key: string, text: string): void {
    if (this.problems.has(key)) return;
    this.problems.set(key, text);
    this.logger.warn({ event: "forum_setup_problem", problem: key }, text);
  }

  /** Forgets a problem that turned out fixed (a tag applied after all). */
  resolved(key: string): void {
    this.problems.delete(key);
  }

  get current(): string[] {
    return [...this.problems.values()];
  }

  /** The forum lines of `/docent status`. */
  statusLines(forumIds: ReadonlySet<string>): string[] {
    const watched = forumIds.size > 0 ? [...forumIds].map((id) => `<#${id}>`).join(", ") : "none (FORUM_CHANNEL_IDS is empty; mentions only)";
    return [`- Forums answered unasked: ${watched}`, ...this.current.map((problem) => `- ⚠ Forum: ${problem}`)];
  }
}
