/** What the Discord benchmarks send: the same questions and the same crowd of askers, so their numbers compare. */
export const BENCH_QUESTIONS = [
  "do you train on my API data?",
  "how long are API inputs kept for abuse monitoring?",
  "what is zero data retention and who can get it?",
  "is data encrypted at rest?",
  "how do I report a security vulnerability?",
  "does azure openai store my prompts?",
];

export function benchUsers(count: number): Array<{ id: string; username: string }> {
  return Array.from({ length: count }, (_, i) => ({ id: String(200000000000000000n + BigInt(i)), username: `user${i}` }));
}

/** Latency quantile of sorted milliseconds, formatted for a table. */
export function quantileMs(sorted: readonly number[], q: number): string {
  return (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0).toFixed(1);
}
