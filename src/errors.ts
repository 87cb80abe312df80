/**
 * Typed errors. Library code throws these with a stable `code` and a `hint` that tells a person what to do;
 * only entry points decide how to show them (a one-line message and an exit code in a CLI).
 */
export type ErrorCode =
  | "CONFIG_INVALID"
  | "EMBEDDER_MISMATCH"
  | "EMBEDDER_FAILED"
  | "INDEX_MISSING"
  | "INDEX_UNREADABLE"
  | "STORE_CREDENTIALS"
  | "STORE_BUCKET_MISSING"
  | "STORE_UNREACHABLE"
  | "NOTHING_TO_ROLL_BACK"
  | "SOURCE_MISSING"
  | "USAGE"
  | "CHAT_FAILED"
  | "DISCORD_ACCESS"
  | "DISCORD_RATE_LIMITED"
  | "DISCORD_UNAVAILABLE";

export class DocentError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "DocentError";
    this.code = code;
    this.hint = options.hint;
  }
}

/** One line for a person: the message, then what to do. Never a stack trace. */
export function describeError(error: unknown): string {
  if (error instanceof DocentError) return error.hint ? `${error.message}\n  → ${error.hint}` : error.message;
  if (error instanceof Error) return `Unexpected error: ${error.message}`;
  return `Unexpected error: ${String(error)}`;
}
