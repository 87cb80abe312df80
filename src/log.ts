import pino from "pino";

/**
 * Structured logs go to stderr so that stdout stays free for answers and `--json` output.
 * Callers log ids, counts and timings; never message content or secrets.
 */
export type Logger = pino.Logger;

export function createLogger(level: string, destination: pino.DestinationStream = pino.destination(2)): Logger {
  return pino({ level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, destination);
}
