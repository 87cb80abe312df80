/**
 * `npm run doctor` and the short form `npm start` runs before logging in: Docent's setup checked as a checklist.
 * Composes the checks of src/discord/setup (over REST, as the bot) with the configuration's own and the index's.
 */
import { REST } from "discord.js";
import type { Writable } from "node:stream";
import type { Config } from "../config.ts";
import { commands } from "../discord/commands.ts";
import { channelNeeds } from "../discord/setup/channel-needs.ts";
import { renderChecklist, renderWarning } from "../discord/setup/render-checklist.ts";
import { type Check, checkDiscordSetup } from "../discord/setup/setup-checks.ts";
import { DocentError, describeError } from "../errors.ts";
import { openStore } from "./clients.ts";

/** Settings that only make sense together (pure). */
export function configChecks(config: Config): Check[] {
  if (config.REVIEW_MODE === "approve" && !config.REVIEW_CHANNEL_ID) {
    return [
      {
        id: "config:REVIEW_MODE",
        title: "Review settings",
        status: "fail",
        detail: "REVIEW_CHANNEL_ID is missing: REVIEW_MODE=approve sends every draft answer there for a moderator.",
        fix: "Set REVIEW_CHANNEL_ID to the id of a moderators-only channel, or choose another REVIEW_MODE.",
        stopsStart: true,
      },
    ];
  }
  return [];
}

/** The index at LANCEDB_URI: there, with its version and page count. */
export async function checkIndex(config: Config): Promise<Check> {
  const title = "Index";
  try {
    const store = await openStore(config);
    try {
      if (!store.exists) {
        return {
          id: "index",
          title,
          status: "fail",
          detail: `there is no index at ${store.uri}.`,
          fix: "Run npm run ingest (npm start also builds it from KNOWLEDGE_DIR when there is none).",
        };
      }
      const status = await store.status();
      return {
        id: "index",
        title,
        status: "ok",
        detail: `${store.uri}: version ${status.version}, ${status.pages} pages, ${status.chunks} chunks, embedder ${status.embedderId}.`,
      };
    } finally {
      store.close();
    }
  } catch (error) {
    const [message, hint] = describeError(error).split("\n  → ");
    return { id: "index", title, status: "fail", detail: message ?? "could not open it.", ...(hint ? { fix: hint } : {}) };
  }
}

/** Every check, in the checklist's order. Without a token the Discord checks are one failure saying so. */
export async function runSetupChecks(config: Config, options: { index?: boolean } = {}): Promise<Check[]> {
  const checks = configChecks(config);
  if (!config.DISCORD_TOKEN) {
    checks.push({
      id: "token",
      title: "Token",
      status: "fail",
      detail: "DISCORD_TOKEN is not set (without it npm start opens the local playground).",
      fix: "Put DISCORD_TOKEN=<your bot token> in .env (developer portal → your application → Bot → Reset Token).",
    });
  } else {
    const rest = new REST({ ...(config.DISCORD_API_URL ? { api: config.DISCORD_API_URL } : {}), timeout: 15_000, retries: 1 }).setToken(config.DISCORD_TOKEN);
    checks.push(...(await checkDiscordSetup({ rest, needs: channelNeeds(config), commands, commandGuildId: config.DISCORD_GUILD_ID })));
  }
  if (options.index !== false) checks.push(await checkIndex(config));
  return checks;
}

/** `npm run doctor`: prints the checklist; 1 when any check failed, 0 when all is well. */
export async function runDoctor(config: Config, out: Writable = process.stdout): Promise<number> {
  const checks = await runSetupChecks(config);
  out.write(`${renderChecklist(checks)}\n`);
  return checks.some((check) => check.status === "fail") ? 1 : 0;
}

/**
 * The short form `npm start` runs before logging in (the index is built by then, so it is not checked): a failure
 * that makes the bot useless stops it with its fix; any other failure or warning is one line on `err`.
 */
export async function runStartupChecks(config: Config, err: Writable = process.stderr): Promise<void> {
  const checks = await runSetupChecks(config, { index: false });
  const fatal = checks.find((check) => check.status === "fail" && check.stopsStart);
  if (fatal) {
    const code = fatal.id === "token" ? "DISCORD_TOKEN_REJECTED" : fatal.id === "intent" ? "DISCORD_INTENT_REFUSED" : "CONFIG_INVALID";
    throw new DocentError(code, `${fatal.title}: ${fatal.detail}`, { hint: `${fatal.fix ?? ""} (npm run doctor checks the whole setup.)`.trim() });
  }
  for (const check of checks) if (check.status === "fail" || check.status === "warn") err.write(`${renderWarning(check)}\n`);
}
