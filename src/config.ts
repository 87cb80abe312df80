import { config as loadDotenv } from "dotenv";
import { z } from "zod";
import { DocentError } from "./errors.ts";

/**
 * The only module that reads the environment. Every variable is validated once, at start-up; a bad value
 * stops the program with a message that names the variable and the form it expects.
 */
const emptyAsUndefined = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value);
const optionalString = z.preprocess(emptyAsUndefined, z.string().optional());
const snowflake = z.string().regex(/^\d{15,21}$/);
const positiveInt = (fallback: number) => z.preprocess(emptyAsUndefined, z.coerce.number().int().positive().default(fallback));

const schema = z.object({
  LANCEDB_URI: z.preprocess(emptyAsUndefined, z.string().default("./data/lancedb")),
  KNOWLEDGE_DIR: z.preprocess(emptyAsUndefined, z.string().default("./knowledge")),
  KNOWLEDGE_DIRS: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^[^,]*[^\s,][^,]*(,[^,]*[^\s,][^,]*)*$/)
      .optional(),
  ),
  VOCABULARY_FILE: optionalString,
  EMBEDDING_PROVIDER: z.preprocess(emptyAsUndefined, z.enum(["local", "openai"]).default("local")),
  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: z.preprocess(emptyAsUndefined, z.url({ protocol: /^https?$/ }).optional()),
  OPENAI_EMBEDDING_MODEL: z.preprocess(emptyAsUndefined, z.string().default("text-embedding-3-small")),
  OPENAI_CHAT_MODEL: z.preprocess(emptyAsUndefined, z.string().default("gpt-4o-mini")),
  LLM_PROVIDER: z.preprocess(emptyAsUndefined, z.enum(["extractive", "openai"]).default("extractive")),
  RETRIEVAL_MODE: z.preprocess(emptyAsUndefined, z.enum(["fts", "vector", "hybrid"]).default("fts")),
  HYBRID_VECTOR_WEIGHT: z.preprocess(emptyAsUndefined, z.coerce.number().min(0).max(1).default(0.3)),
  OPENAI_TIMEOUT_MS: positiveInt(20_000),
  OPENAI_MAX_RETRIES: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(10).default(3)),
  ANSWER_TIMEOUT_MS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(100).max(600_000).default(15_000)),
  INGEST_MAX_FILE_BYTES: positiveInt(1_000_000),
  INGEST_FETCH_DELAY_MS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(60_000).default(500)),
  INGEST_FETCH_CONCURRENCY: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(32).default(4)),
  INGEST_FETCH_TIMEOUT_MS: positiveInt(15_000),
  INGEST_FETCH_MAX_BYTES: positiveInt(2_000_000),
  INGEST_ALLOW_PRIVATE_HOSTS: z.preprocess(emptyAsUndefined, z.enum(["true", "false"]).default("false")),
  INGEST_CANONICAL_HOSTS: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^\s*(\*|[a-z0-9.-]+)(\s*,\s*(\*|[a-z0-9.-]+))*\s*$/i)
      .optional(),
  ),
  INGEST_MAX_URLS: positiveInt(1_000),
  INGEST_MAX_CHUNKS_PER_PAGE: positiveInt(1_000),
  DISCORD_TOKEN: optionalString,
  DISCORD_API_URL: z.preprocess(emptyAsUndefined, z.url({ protocol: /^https?$/ }).optional()),
  DISCORD_GUILD_ID: z.preprocess(emptyAsUndefined, snowflake.optional()),
  SHARD_COUNT: z.preprocess(emptyAsUndefined, z.union([z.literal("auto"), z.coerce.number().int().positive().max(10_000)]).optional()),
  ALLOWED_CHANNEL_IDS: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^\d{15,21}(\s*,\s*\d{15,21})*$/)
      .optional(),
  ),
  // No default here: the bot's is DEFAULT_COOLDOWN_SECONDS, the playground's its own (0), and both need to know
  // whether the user set one.
  COOLDOWN_SECONDS: z.preprocess(emptyAsUndefined, z.coerce.number().min(0).max(3600).optional()),
  MAX_CONCURRENT_ANSWERS: positiveInt(4),
  MAX_QUEUED_QUESTIONS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(10_000).default(50)),
  REVIEW_CHANNEL_ID: z.preprocess(emptyAsUndefined, snowflake.optional()),
  REVIEW_MODE: z.preprocess(emptyAsUndefined, z.enum(["all", "flagged", "approve", "off"]).default("all")),
  MODERATOR_ROLE_IDS: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^\d{15,21}(\s*,\s*\d{15,21})*$/)
      .optional(),
  ),
  FORUM_CHANNEL_IDS: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^\d{15,21}(\s*,\s*\d{15,21})*$/)
      .optional(),
  ),
  FORUM_ANSWERED_TAG: z.preprocess(emptyAsUndefined, z.string().trim().min(1).max(20).optional()),
  FORUM_NEEDS_HUMAN_TAG: z.preprocess(emptyAsUndefined, z.string().trim().min(1).max(20).optional()),
  FORUM_SOLVED_TAG: z.preprocess(emptyAsUndefined, z.string().trim().min(1).max(20).optional()),
  FORUM_ARCHIVE_ON_SOLVED: z.preprocess(emptyAsUndefined, z.enum(["true", "false"]).default("false")),
  LOG_LEVEL: z.preprocess(emptyAsUndefined, z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("warn")),
  PLAYGROUND_PORT: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(65535).default(3000)),
  INDEX_REFRESH_MS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(3_600_000).default(0)),
  AWS_ACCESS_KEY_ID: optionalString,
  AWS_SECRET_ACCESS_KEY: optionalString,
  AWS_SESSION_TOKEN: optionalString,
  AWS_REGION: optionalString,
  AWS_ENDPOINT: z.preprocess(emptyAsUndefined, z.url({ protocol: /^https?$/ }).optional()),
  AWS_ALLOW_HTTP: z.preprocess(emptyAsUndefined, z.enum(["true", "false"]).default("false")),
  METRICS_PORT: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(65_535).optional()),
  METRICS_HOST: z.preprocess(emptyAsUndefined, z.string().min(1).default("127.0.0.1")),
  SHUTDOWN_GRACE_MS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(600_000).default(20_000)),
  INDEX_MAX_AGE_HOURS: z.preprocess(emptyAsUndefined, z.coerce.number().positive().max(100_000).optional()),
});

const expectedForms: Record<string, string> = {
  LANCEDB_URI: "a folder path or a URI LanceDB accepts (e.g. ./data/lancedb or s3://bucket/prefix)",
  KNOWLEDGE_DIR: "a folder path",
  KNOWLEDGE_DIRS: "folder paths separated by commas, e.g. ./knowledge,./my-pages",
  VOCABULARY_FILE: "a path to a YAML vocabulary file (see config/privacy-vocabulary.yaml)",
  EMBEDDING_PROVIDER: "local or openai",
  OPENAI_BASE_URL: "an http(s) URL such as https://api.openai.com/v1 or http://localhost:11434/v1",
  LLM_PROVIDER: "extractive or openai",
  RETRIEVAL_MODE: "fts, vector or hybrid",
  HYBRID_VECTOR_WEIGHT: "a number from 0 to 1",
  OPENAI_TIMEOUT_MS: "a positive whole number of milliseconds",
  OPENAI_MAX_RETRIES: "a whole number from 0 to 10",
  ANSWER_TIMEOUT_MS: "a whole number of milliseconds from 100 to 600000",
  INGEST_MAX_FILE_BYTES: "a positive whole number of bytes",
  INGEST_FETCH_DELAY_MS: "a whole number of milliseconds from 0 to 60000",
  INGEST_FETCH_CONCURRENCY: "a whole number from 1 to 32",
  INGEST_FETCH_TIMEOUT_MS: "a positive whole number of milliseconds",
  INGEST_FETCH_MAX_BYTES: "a positive whole number of bytes",
  INGEST_ALLOW_PRIVATE_HOSTS: "true or false (true lets URL ingest fetch loopback, private and link-local addresses)",
  INGEST_CANONICAL_HOSTS: "a comma-separated list of registrable domains such as example.com, or * for any",
  INGEST_MAX_URLS: "a positive whole number of pages per run",
  INGEST_MAX_CHUNKS_PER_PAGE: "a positive whole number of passages",
  DISCORD_API_URL: "an http(s) URL of a Discord REST API base, e.g. https://discord.com/api",
  DISCORD_GUILD_ID: "a Discord id (15-21 digits)",
  SHARD_COUNT: "auto or a positive whole number of shards (unset: one process, no sharding manager)",
  ALLOWED_CHANNEL_IDS: "a comma-separated list of Discord channel ids",
  COOLDOWN_SECONDS: "a number of seconds from 0 to 3600",
  MAX_CONCURRENT_ANSWERS: "a positive whole number",
  MAX_QUEUED_QUESTIONS: "a whole number from 0 to 10000",
  REVIEW_CHANNEL_ID: "a Discord channel id (15-21 digits)",
  REVIEW_MODE: "all, flagged, approve or off",
  MODERATOR_ROLE_IDS: "a comma-separated list of Discord role ids",
  FORUM_CHANNEL_IDS: "a comma-separated list of Discord forum channel ids",
  FORUM_ANSWERED_TAG: "the name of a forum tag (1-20 characters, as Discord allows), e.g. Answered by Docent",
  FORUM_NEEDS_HUMAN_TAG: "the name of a forum tag (1-20 characters, as Discord allows), e.g. Needs a human",
  FORUM_SOLVED_TAG: "the name of a forum tag (1-20 characters, as Discord allows), e.g. Solved",
  FORUM_ARCHIVE_ON_SOLVED: "true or false (true archives a forum post when it is marked solved)",
  LOG_LEVEL: "one of fatal, error, warn, info, debug, trace, silent",
  PLAYGROUND_PORT: "a port number from 0 to 65535 (0 picks a free port)",
  INDEX_REFRESH_MS: "a whole number of milliseconds from 0 to 3600000 (0 checks for a new index version before every search)",
  AWS_ENDPOINT: "an http(s) URL of an S3-compatible server, e.g. http://127.0.0.1:7480",
  AWS_ALLOW_HTTP: "true or false",
  METRICS_PORT: "a port number from 0 to 65535 (with SHARD_COUNT, shard k serves on METRICS_PORT + k)",
  METRICS_HOST: "a host name or IP address to bind the metrics server to (default 127.0.0.1)",
  SHUTDOWN_GRACE_MS: "a whole number of milliseconds from 0 to 600000",
  INDEX_MAX_AGE_HOURS: "a positive number of hours",
};

export type Config = Readonly<z.infer<typeof schema>>;

/** Validates a set of variables (pure: tests pass their own). */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const result = schema.safeParse(env);
  if (!result.success) {
    const issue = result.error.issues[0];
    const name = String(issue?.path[0] ?? "configuration");
    const got = env[name];
    const shown =
      name === "OPENAI_API_KEY" || name === "DISCORD_TOKEN" || name.startsWith("AWS_SECRET") || name === "AWS_SESSION_TOKEN" || got === undefined
        ? ""
        : ` (got "${got}")`;
    throw new DocentError("CONFIG_INVALID", `${name} is invalid${shown}: expected ${expectedForms[name] ?? issue?.message}.`, {
      hint: `Fix ${name} in .env or the environment; .env.example documents every variable.`,
    });
  }
  const config = result.data;
  for (const [name, value, offline] of [
    ["EMBEDDING_PROVIDER", config.EMBEDDING_PROVIDER, "local"],
    ["LLM_PROVIDER", config.LLM_PROVIDER, "extractive"],
  ] as const) {
    if (value === "openai" && !config.OPENAI_API_KEY && !config.OPENAI_BASE_URL) {
      throw new DocentError("CONFIG_INVALID", `OPENAI_API_KEY is missing: ${name}=openai needs a key (or an OPENAI_BASE_URL of a local server).`, {
        hint: `Set OPENAI_API_KEY, or use ${name}=${offline} to stay offline.`,
      });
    }
  }
  for (const [name, other] of [
    ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"],
    ["AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID"],
  ] as const) {
    if (config[other] && !config[name]) {
      throw new DocentError("CONFIG_INVALID", `${name} is missing: ${other} is set, and object storage needs both.`, {
        hint: `Set ${name} in .env or the environment, or unset ${other} to use the platform's credentials.`,
      });
    }
  }
  if (config.AWS_ENDPOINT?.startsWith("http://") && config.AWS_ALLOW_HTTP !== "true") {
    throw new DocentError("CONFIG_INVALID", `AWS_ALLOW_HTTP must be true for the plain-http AWS_ENDPOINT ${config.AWS_ENDPOINT}.`, {
      hint: "Set AWS_ALLOW_HTTP=true (local or trusted networks only), or use an https:// endpoint.",
    });
  }
  // REVIEW_MODE=approve without REVIEW_CHANNEL_ID is refused by `npm start`'s setup checks (src/app/doctor.ts), not
  // here: the playground supplies its own review channel.
  return Object.freeze(config);
}

/** The per-user cooldown of the bot, when COOLDOWN_SECONDS is not set. */
export const DEFAULT_COOLDOWN_SECONDS = 10;

/** Reads `.env` (if present) into the environment once, then validates it. */
export function loadConfig(): Config {
  // DOTENV_CONFIG_PATH names another env file (dotenv honours it only in its preload, so pass it on here):
  // tests and scripts point it at a missing file so a developer's own .env cannot leak into them.
  loadDotenv({ quiet: true, ...(process.env.DOTENV_CONFIG_PATH ? { path: process.env.DOTENV_CONFIG_PATH } : {}) });
  return parseConfig(process.env);
}

/** The bot needs a token; other commands don't, so this is checked by the bot's entry point only. */
export function requireDiscordToken(config: Config): string {
  if (!config.DISCORD_TOKEN) {
    throw new DocentError("CONFIG_INVALID", "DISCORD_TOKEN is missing: the bot needs its token to log in to Discord.", {
      hint: "Put DISCORD_TOKEN=<your bot token> in .env (from the Discord developer portal, Bot tab).",
    });
  }
  return config.DISCORD_TOKEN;
}

/**
 * DEBUG set: a CLI prints the stack of an unexpected error. Read apart from the schema, because it must work when
 * the configuration itself is what failed.
 */
export function stackTracesWanted(): boolean {
  return Boolean(process.env.DEBUG);
}

/**
 * Runs `build` with SHARDS and SHARD_COUNT hidden from the environment. discord.js's Client reads them whenever
 * its shard options equal the defaults (`shardCount: 1` does), but in a process that is not a managed shard
 * SHARD_COUNT is Docent's own setting — `auto`, or empty from a copied .env.example — and would make the client
 * refuse to start. Here because this is the one module that touches the environment.
 */
export function withoutShardVariables<T>(build: () => T): T {
  const saved: Record<string, string> = {};
  for (const name of ["SHARDS", "SHARD_COUNT"]) {
    const value = process.env[name];
    if (value !== undefined) saved[name] = value;
    delete process.env[name];
  }
  try {
    return build();
  } finally {
    Object.assign(process.env, saved);
  }
}

export function allowedChannelIds(config: Config): Set<string> | null {
  return config.ALLOWED_CHANNEL_IDS ? idList(config.ALLOWED_CHANNEL_IDS) : null;
}

/**
 * INGEST_CANONICAL_HOSTS as a set of registrable domains (lower case); `"*"` in it accepts any. Empty when unset:
 * a page's canonical link is then accepted only on its own site.
 */
export function canonicalHosts(config: Config): Set<string> {
  return new Set(
    (config.INGEST_CANONICAL_HOSTS ?? "")
      .split(",")
      .map((host) => host.trim().toLowerCase().replace(/\.$/, ""))
      .filter(Boolean),
  );
}

/** Forum settings: which forums' new posts are answered unasked, and the tags Docent applies to posts. */
export interface ForumConfig {
  forumChannelIds: ReadonlySet<string>;
  forumAnsweredTag: string | null;
  forumNeedsHumanTag: string | null;
  forumSolvedTag: string | null;
  forumArchiveOnSolved: boolean;
}

export function forumConfig(config: Config): ForumConfig {
  return {
    forumChannelIds: config.FORUM_CHANNEL_IDS ? idList(config.FORUM_CHANNEL_IDS) : new Set(),
    forumAnsweredTag: config.FORUM_ANSWERED_TAG ?? null,
    forumNeedsHumanTag: config.FORUM_NEEDS_HUMAN_TAG ?? null,
    forumSolvedTag: config.FORUM_SOLVED_TAG ?? null,
    forumArchiveOnSolved: config.FORUM_ARCHIVE_ON_SOLVED === "true",
  };
}

export function moderatorRoleIds(config: Config): Set<string> {
  return config.MODERATOR_ROLE_IDS ? idList(config.MODERATOR_ROLE_IDS) : new Set();
}

function idList(value: string): Set<string> {
  return new Set(value.split(",").map((id) => id.trim()));
}

/**
 * The folders of knowledge pages a plain `npm run ingest` reads: KNOWLEDGE_DIRS (comma-separated), else the one
 * KNOWLEDGE_DIR. A run over exactly these may remove pages that are gone from them without `--prune`.
 */
export function knowledgeDirs(config: Config): string[] {
  if (!config.KNOWLEDGE_DIRS) return [config.KNOWLEDGE_DIR];
  return config.KNOWLEDGE_DIRS.split(",")
    .map((dir) => dir.trim())
    .filter((dir) => dir !== "");
}
