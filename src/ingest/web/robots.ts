import robotsParserModule from "robots-parser";
import type { HostScheduler } from "./host-scheduler.ts";
import type { AddressGuard } from "./address-guard.ts";
import { type FetchPolicy, fetchPage } from "./fetch-page.ts";

/** Longest Crawl-delay honoured: a site asking for more would stall the ingest, so we cap it. */
const MAX_CRAWL_DELAY_MS = 30_000;
/** RFC 9309 asks crawlers to read at least 500 KiB of a robots.txt. */
const MAX_ROBOTS_BYTES = 512 * 1024;

interface Robot {
  isDisallowed(url: string, ua?: string): boolean | undefined;
  getCrawlDelay(ua?: string): number | undefined;
}
// The package is CommonJS (`module.exports = function`); its types describe an ES default export, which under
// NodeNext resolution reads as the module object. At run time the default import is the function itself.
const robotsParser = robotsParserModule as unknown as (url: string, contents: string) => Robot;

type Verdict = { ok: true } | { ok: false; reason: string };
type Rules = { kind: "rules"; robot: Robot } | { kind: "allow-all" } | { kind: "unreachable"; reason: string };

/**
 * robots.txt, read once per origin and asked before every request (redirect hops included), following RFC 9309:
 * a missing robots.txt (4xx) allows everything; one that cannot be read (5xx, timeout, network) disallows the
 * whole site for this run, which keeps its pages as they were indexed. A `Crawl-delay` for our agent (or `*`)
 * raises the pause between requests to that host.
 */
export class RobotsRules {
  private readonly byOrigin = new Map<string, Promise<Rules>>();

  constructor(
    private readonly policy: FetchPolicy,
    private readonly scheduler: HostScheduler,
    private readonly guard: AddressGuard,
  ) {}

  async check(url: string): Promise<Verdict> {
    const { origin, host } = new URL(url);
    let rules = this.byOrigin.get(origin);
    if (!rules) {
      rules = this.load(origin, host);
      this.byOrigin.set(origin, rules);
    }
    const loaded = await rules;
    if (loaded.kind === "allow-all") return { ok: true };
    if (loaded.kind === "unreachable") return { ok: false, reason: loaded.reason };
    return loaded.robot.isDisallowed(url, this.policy.userAgent)
      ? { ok: false, reason: `disallowed by ${origin}/robots.txt for ${agentToken(this.policy.userAgent)}` }
      : { ok: true };
  }

  private async load(origin: string, host: string): Promise<Rules> {
    const robotsUrl = `${origin}/robots.txt`;
    const outcome = await fetchPage(robotsUrl, {
      expect: "any",
      policy: { ...this.policy, maxBytes: MAX_ROBOTS_BYTES },
      // robots.txt itself is never subject to robots rules; it still waits its turn on the host.
      gate: { allowed: async () => ({ ok: true }), run: (h, task) => this.scheduler.run(h, task) },
      guard: this.guard,
    });
    if (outcome.kind === "gone") return { kind: "allow-all" };
    if (outcome.kind === "failed") {
      // A 4xx other than 404/410 also means "no rules" (RFC 9309 2.3.1.3); 5xx and network failures do not.
      if (/^HTTP 4\d\d/.test(outcome.reason)) return { kind: "allow-all" };
      return { kind: "unreachable", reason: `${robotsUrl} could not be read (${outcome.reason}), so the site is treated as disallowed for now` };
    }
    if (outcome.kind === "not-modified") return { kind: "allow-all" };
    return this.parse(robotsUrl, host, outcome.body);
  }

  private parse(robotsUrl: string, host: string, text: string): Rules {
    const robot = robotsParser(robotsUrl, text);
    const crawlDelay = robot.getCrawlDelay(this.policy.userAgent);
    if (crawlDelay !== undefined && crawlDelay > 0) this.scheduler.setDelay(host, Math.min(crawlDelay * 1000, MAX_CRAWL_DELAY_MS));
    return { kind: "rules", robot };
  }
}

/** The product token robots.txt groups match against, e.g. "DocentBot". */
export function agentToken(userAgent: string): string {
  return userAgent.split("/")[0]!.trim();
}
