/** `npm run gaps`: the knowledge gaps report from the review channel. Composition root: config, REST, then one run. */
import { REST } from "discord.js";
import { parseArguments, runCli, usageError } from "../src/cli/run-cli.ts";
import { loadConfig, requireDiscordToken } from "../src/config.ts";
import type { DocentError } from "../src/errors.ts";
import { collectGapsReport, DEFAULT_DAYS, MAX_DAYS, parseDays, postGapsReport, requireReviewChannel } from "../src/gaps/run-gaps.ts";
import { renderGapsReport } from "../src/gaps/render-gaps-report.ts";
import { createLogger } from "../src/log.ts";
import { printableJson, printableLines } from "../src/terminal-text.ts";

const USAGE = `Usage: npm run --silent gaps -- [--days N] [--json] [--post]
  --days N  the window: the last N days (1-${MAX_DAYS}, default ${DEFAULT_DAYS})
  --json    print exactly one JSON object on stdout:
            {window:{from,to}, totals:{reviewed,answered,refused,wrong,downvoted,removed},
             topics:[{label,count,kinds:{refused,wrong,downvoted,removed,uncertain},examples,closest,action}], skipped}
  --post    also post the report to the review channel (one message; the full report attached when it is long)
Reads the review channel (REVIEW_CHANNEL_ID) with DISCORD_TOKEN over Discord's REST API (DISCORD_API_URL is
honoured). Exit codes: 0 report made, 2 failed (what to fix is printed), 64 bad usage.`;

/** Rate limits shorter than this are waited out; a longer one stops the run with a message instead. */
const MAX_RATE_LIMIT_WAIT_MS = 60_000;

runCli(async () => {
  const args = parseArguments(
    {
      options: {
        days: { type: "string" },
        json: { type: "boolean", default: false },
        post: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      allowPositionals: false,
    },
    USAGE,
  ).values;
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let days: number;
  try {
    days = parseDays(args.days);
  } catch (error) {
    throw usageError((error as DocentError).message, USAGE);
  }
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  // The channel is checked first: without it there is nothing to read, whatever the token.
  const channelId = requireReviewChannel(config.REVIEW_CHANNEL_ID);
  const token = requireDiscordToken(config);
  const rest = new REST({
    ...(config.DISCORD_API_URL ? { api: config.DISCORD_API_URL } : {}),
    timeout: 15_000,
    rejectOnRateLimit: (limit) => limit.timeToReset > MAX_RATE_LIMIT_WAIT_MS,
  }).setToken(token);
  const { report, pages, unreadable } = await collectGapsReport({ rest, channelId, days });
  for (const skipped of unreadable) logger.warn({ event: "review_unreadable", messageId: skipped.messageId, reason: skipped.reason }, "review message skipped");
  logger.info({ event: "gaps_read", pages, reviewed: report.totals.reviewed, topics: report.topics.length }, "review channel read");
  process.stdout.write(args.json ? `${printableJson(report)}\n` : `${printableLines(renderGapsReport(report))}\n`);
  if (args.post) {
    if (report.totals.reviewed === 0) process.stderr.write("Nothing posted: there are no review messages in this window.\n");
    else {
      const id = await postGapsReport({ rest, channelId, report });
      process.stderr.write(`Report posted to the review channel (message ${id}).\n`);
    }
  }
  return 0;
});
