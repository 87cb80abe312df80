/**
 * Typed errors. Library code throws these with a stable `code` and a `hint` that tells a person what to do;
 * only entry points decide how to show them (a one-line message and an exit code in a CLI).
 */
export type ErrorCode =
  /** A setting (environment, .env, VOCABULARY_FILE) is missing or malformed. */
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
  /** Discord answered 401 (or closed the gateway with 4004): DISCORD_TOKEN is not the bot's current token. */
  | "DISCORD_TOKEN_REJECTED"
  /** Discord closed the gateway with 4014: the Message Content intent is not enabled for the bot. */
  | "DISCORD_INTENT_REFUSED"
  | "DISCORD_ACCESS"
  | "DISCORD_RATE_LIMITED"
  /** Discord (or DISCORD_API_URL) could not be reached, or failed in a way that says nothing about the settings. */
  | "DISCORD_UNAVAILABLE"
  /** A message could not be posted (ingest --announce). */
  | "DISCORD_POST_FAILED"
  /** A shard process of the sharding manager did not become ready. */
  | "SHARD_FAILED"
  /** PLAYGROUND_PORT is taken by another program. */
  | "PORT_IN_USE";

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
