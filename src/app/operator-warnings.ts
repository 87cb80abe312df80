/**
 * Warnings for whoever runs the bot, in the log: a queue that stays more than half full for a minute, chat answers
 * falling back to the extractive answerer more often than FALLBACK_WARN_SHARE, an index older than
 * INDEX_MAX_AGE_HOURS. Each warns once when it starts and again only after it cleared (or, for the lasting
 * conditions, at most every REPEAT_MS), so a bad hour is a few lines, not thousands.
 */
import { type BotMetrics, NO_METRICS } from "../discord/bot-metrics.ts";
import type { Logger } from "../log.ts";
import type { IndexSnapshot } from "./prometheus-metrics.ts";

const TICK_MS = 5_000;
export const QUEUE_WARN_AFTER_MS = 60_000;
/** The window fallbacks are counted over, and how many of the answers in it may fall back before a warning. */
export const FALLBACK_WINDOW_MS = 5 * 60_000;
export const FALLBACK_WARN_SHARE = 0.2;
/** Below this many fallbacks in the window nothing is said: two failures out of five answers is not a trend. */
const FALLBACK_WARN_MIN = 5;
const REPEAT_MS = 60 * 60_000;

export interface WatchState {
  queueAboveSince: number | null;
  queueWarned: boolean;
  /** Times of recent answers and whether each fell back, oldest first. */
  recent: Array<{ at: number; fallback: boolean }>;
  fallbackWarnedAt: number | null;
  indexWarnedAt: number | null;
}

export const initialWatchState = (): WatchState => ({ queueAboveSince: null, queueWarned: false, recent: [], fallbackWarnedAt: null, indexWarnedAt: null });

export interface Sample {
  now: number;
  queued: number;
  maxQueued: number;
  index: IndexSnapshot | null;
  indexMaxAgeHours: number | undefined;
}

export type Warning =
  | { event: "queue_backlog"; queued: number; maxQueued: number; forMs: number }
  | { event: "fallback_rate"; fallbacks: number; answers: number; windowMs: number }
  | { event: "index_stale"; ageHours: number; maxAgeHours: number };

/** One tick: the warnings due now (pure; updates `state`). */
export function checkWarnings(state: WatchState, sample: Sample): Warning[] {
  const warnings: Warning[] = [];
  const { now } = sample;
  if (sample.maxQueued > 0 && sample.queued > sample.maxQueued / 2) {
    state.queueAboveSince ??= now;
    const forMs = now - state.queueAboveSince;
    if (forMs >= QUEUE_WARN_AFTER_MS && !state.queueWarned) {
      state.queueWarned = true;
      warnings.push({ event: "queue_backlog", queued: sample.queued, maxQueued: sample.maxQueued, forMs });
    }
  } else {
    state.queueAboveSince = null;
    state.queueWarned = false;
  }

  while (state.recent.length > 0 && now - state.recent[0]!.at > FALLBACK_WINDOW_MS) state.recent.shift();
  const fallbacks = state.recent.filter((answer) => answer.fallback).length;
  const answers = state.recent.length;
  const tooMany = fallbacks >= FALLBACK_WARN_MIN && fallbacks / answers > FALLBACK_WARN_SHARE;
  if (tooMany && (state.fallbackWarnedAt === null || now - state.fallbackWarnedAt >= FALLBACK_WINDOW_MS)) {
    state.fallbackWarnedAt = now;
    warnings.push({ event: "fallback_rate", fallbacks, answers, windowMs: FALLBACK_WINDOW_MS });
  }

  const ingested = sample.index?.lastIngestAt;
  if (sample.indexMaxAgeHours !== undefined && ingested != null) {
    const ageHours = (now - ingested) / 3_600_000;
    if (ageHours > sample.indexMaxAgeHours && (state.indexWarnedAt === null || now - state.indexWarnedAt >= REPEAT_MS)) {
      state.indexWarnedAt = now;
      warnings.push({ event: "index_stale", ageHours: Math.round(ageHours * 10) / 10, maxAgeHours: sample.indexMaxAgeHours });
    }
  }
  return warnings;
}

const MESSAGES: Record<Warning["event"], string> = {
  queue_backlog: "the answer queue has stayed more than half full for a minute: raise MAX_CONCURRENT_ANSWERS or add shards",
  fallback_rate: "many chat answers fell back to the extractive answerer: check the chat model (OPENAI_*, ANSWER_TIMEOUT_MS)",
  index_stale: "the index is older than INDEX_MAX_AGE_HOURS: run npm run ingest",
};

/** Runs the checks every few seconds until `stop()`; `metrics` counts the answers and fallbacks they need. */
export function startOperatorWarnings(options: {
  logger: Logger;
  queue: () => { queued: number };
  maxQueued: number;
  index: () => IndexSnapshot | null;
  indexMaxAgeHours: number | undefined;
  now?: () => number;
}): { metrics: BotMetrics; stop(): void } {
  const now = options.now ?? Date.now;
  const state = initialWatchState();
  const tick = () => {
    const sample = {
      now: now(),
      queued: options.queue().queued,
      maxQueued: options.maxQueued,
      index: options.index(),
      indexMaxAgeHours: options.indexMaxAgeHours,
    };
    for (const warning of checkWarnings(state, sample)) options.logger.warn(warning, MESSAGES[warning.event]);
  };
  const timer = setInterval(tick, TICK_MS);
  timer.unref();
  // An index already too old is said at start, not a tick later.
  setImmediate(tick).unref();
  let fellBack = false;
  return {
    metrics: {
      ...NO_METRICS,
      chatFallback: () => {
        // chatFallback comes just before the answered() of the same answer.
        fellBack = true;
      },
      answered: (outcome) => {
        if (outcome === "busy" || outcome === "failed") return;
        state.recent.push({ at: now(), fallback: fellBack });
        fellBack = false;
      },
    },
    stop: () => clearInterval(timer),
  };
}
