/**
 * The bot's metrics in the Prometheus text format (prom-client), served on GET /metrics. Every series of a shard
 * process carries `shard="k"`; with SHARD_COUNT each shard serves its own on METRICS_PORT + k, so Prometheus
 * scrapes one target per shard and sums across them with `sum without (shard, instance)`.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import { ANSWER_OUTCOMES, type BotMetrics, QUESTION_WAYS } from "../discord/bot-metrics.ts";
import type { LoadControl } from "../discord/load-control.ts";

/** What the index gauges read; refreshed by the caller's own schedule, so a scrape never waits on the store. */
export interface IndexSnapshot {
  version: number;
  /** Last ingest time (ms since the epoch), or null when the index does not record it. */
  lastIngestAt: number | null;
}

export interface PrometheusMetrics {
  registry: Registry;
  metrics: BotMetrics;
}

/** Seconds: answers take from a few ms (extractive) to the chat model's deadline. */
const LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40];

export function createPrometheusMetrics(options: {
  load: LoadControl;
  index: () => IndexSnapshot | null;
  shard?: number | undefined;
  now?: () => number;
}): PrometheusMetrics {
  const registry = new Registry();
  if (options.shard !== undefined) registry.setDefaultLabels({ shard: String(options.shard) });
  // Process RSS, heap, event-loop lag and GC: what a long run is judged by.
  collectDefaultMetrics({ register: registry, prefix: "docent_" });
  const now = options.now ?? Date.now;
  const registers = [registry];

  const questions = new Counter({ name: "docent_questions_total", help: "Questions received, by the way they were asked.", labelNames: ["way"], registers });
  const answers = new Counter({
    name: "docent_answers_total",
    help: "Questions finished, by outcome: confident, uncertain, refused, busy (turned away or restarting), failed.",
    labelNames: ["outcome"],
    registers,
  });
  const latency = new Histogram({
    name: "docent_answer_latency_seconds",
    help: "From the question's arrival to the reply being posted.",
    labelNames: ["outcome"],
    buckets: LATENCY_BUCKETS,
    registers,
  });
  // Zero series for every label value, so dashboards and rate() see them before the first event.
  for (const way of QUESTION_WAYS) questions.inc({ way }, 0);
  for (const outcome of ANSWER_OUTCOMES) answers.inc({ outcome }, 0);
  const cooldown = new Counter({ name: "docent_cooldown_rejections_total", help: "Questions turned away by the per-member cooldown.", registers });
  const fallbacks = new Counter({ name: "docent_chat_fallbacks_total", help: "Chat answers replaced by the extractive answer.", registers });
  const deadlines = new Counter({ name: "docent_answer_deadline_hits_total", help: "Chat answers that ran past ANSWER_TIMEOUT_MS.", registers });
  const votes = new Counter({ name: "docent_review_votes_total", help: "Helpful / not helpful votes on answers.", labelNames: ["vote"], registers });
  votes.inc({ vote: "up" }, 0);
  votes.inc({ vote: "down" }, 0);
  new Gauge({
    name: "docent_queue_depth",
    help: "Questions being answered (running) and waiting for a slot (queued).",
    labelNames: ["state"],
    registers,
    collect() {
      const { running, queued } = options.load.stats;
      this.set({ state: "running" }, running);
      this.set({ state: "queued" }, queued);
    },
  });
  new Gauge({
    name: "docent_index_version",
    help: "The LanceDB table version the bot last saw.",
    registers,
    collect() {
      const index = options.index();
      if (index) this.set(index.version);
    },
  });
  new Gauge({
    name: "docent_index_age_seconds",
    help: "Seconds since the last ingest of the live index.",
    registers,
    collect() {
      const index = options.index();
      if (index?.lastIngestAt != null) this.set(Math.max(0, (now() - index.lastIngestAt) / 1000));
    },
  });

  return {
    registry,
    metrics: {
      asked: (way) => questions.inc({ way }),
      answered: (outcome, ms) => {
        answers.inc({ outcome });
        latency.observe({ outcome }, ms / 1000);
      },
      cooldownRejected: () => cooldown.inc(),
      chatFallback: (deadline) => {
        fallbacks.inc();
        if (deadline) deadlines.inc();
      },
      reviewVote: (vote) => votes.inc({ vote }),
    },
  };
}
