/**
 * Gaps report benchmark: the time to build the knowledge gaps report from N review messages (default 5,000) read
 * over REST from the local Discord emulator, paging included, beside the paging alone (the same GET requests,
 * nothing parsed) and the pure report builder alone. The review messages are written the way the bot writes them
 * (buildReviewMessage, then votes and verdicts applied): 60% covered questions, 40% about 40 uncovered topics asked
 * four ways each (so the report should find 40 topics of 50 questions).
 * Usage: npm run bench:gaps [-- --messages 5000 --runs 5]
 */
import { parseArgs } from "node:util";
import { type APIMessage, makeURLSearchParams, REST, Routes } from "discord.js";
import type { AnswerResult } from "../../src/answer/answer-types.ts";
import { buildReviewMessage, withVerdict, withVotes } from "../../src/discord/review/review-message.ts";
import { startDiscordEmulator } from "../../src/discord-emulator/emulator.ts";
import { buildGapsReport } from "../../src/gaps/build-gaps-report.ts";
import { readReviewChannel } from "../../src/gaps/read-review-channel.ts";
import { collectGapsReport } from "../../src/gaps/run-gaps.ts";
import { BENCH_QUESTIONS, quantileMs } from "./mention-load.ts";

const { values } = parseArgs({ options: { messages: { type: "string", default: "5000" }, runs: { type: "string", default: "5" } } });
const N = Number(values.messages);
const RUNS = Number(values.runs);

const BOT = { id: "900000000000000001", username: "docent", bot: true };
const GUILD = "300000000000000001";
const REVIEW = "400000000000000003";
const TOKEN = "bench-token";
const MOD = "100000000000000004";

const GAPS = [
  "SAML single sign-on",
  "SCIM user provisioning",
  "HIPAA business associate agreement",
  "FedRAMP authorisation",
  "customer-managed encryption keys",
  "audit log export",
  "IP allowlisting",
  "data residency in India",
  "Anthropic Claude retention",
  "Gemini training on prompts",
  "fine-tuning prices",
  "batch API rate limits",
  "realtime voice recordings",
  "image inputs retention",
  "embeddings deletion",
  "assistants thread storage",
  "vector store encryption",
  "SOC 3 report",
  "ISO 42001 certificate",
  "pen test summary",
  "bug bounty payouts",
  "GDPR representative",
  "CCPA opt-out link",
  "children's data",
  "employee access to prompts",
  "sub-processor notifications",
  "breach notification timeline",
  "data export format",
  "account deletion grace period",
  "workspace transfer",
  "Bedrock model logs",
  "Copilot data sharing",
  "plugin data flows",
  "browser extension permissions",
  "mobile app analytics",
  "webhook signing secrets",
  "organisation key rotation",
  "project-level retention",
  "evals data storage",
  "moderation endpoint logs",
];
const PHRASINGS = ["does OpenAI offer {t}?", "how do I get {t} for my team?", "what is your policy on {t}?", "is {t} available on the API?"];
const PAGES = [
  {
    title: "Encryption and security controls for business data",
    url: "https://openai.com/business-data/",
    heading: "Encryption and security controls for business data > Access management features",
  },
  {
    title: "Zero data retention",
    url: "https://platform.openai.com/docs/guides/your-data#zero-data-retention",
    heading: "Zero data retention > Feature limitations",
  },
  { title: "Certifications and audits", url: "https://openai.com/security-and-privacy/", heading: "Certifications and audits > Reports" },
];

function result(question: string, kind: "answered" | "refused" | "uncertain", page: number): AnswerResult {
  const passages =
    kind === "refused" && page === 0
      ? []
      : [{ id: `p${page}`, ...PAGES[page % PAGES.length]!, text: "The passage text the answer quoted. ".repeat(6), pageDate: null, score: 3.1 }];
  return {
    question,
    answer: "",
    refused: kind === "refused",
    mode: "extractive",
    redacted: [],
    draft: null,
    citations: [],
    passages,
    timings: { retrieveMs: 4, answerMs: 2, totalMs: 6 },
    ...(kind === "uncertain" ? { confidence: "uncertain" as const } : {}),
  };
}

/** The i-th review message: about 60% covered and fine, the rest uncovered topics refused, uncertain, voted down or marked wrong. */
function reviewBody(i: number) {
  const covered = i % 5 < 3;
  // The u-th uncovered question: every topic in turn, each in every phrasing and outcome over time.
  const u = Math.floor(i / 5) * 2 + (i % 5) - 3;
  const question = covered
    ? BENCH_QUESTIONS[i % BENCH_QUESTIONS.length]!
    : PHRASINGS[Math.floor(u / GAPS.length) % PHRASINGS.length]!.replace("{t}", GAPS[u % GAPS.length]!);
  const outcome = Math.floor(u / 3) % 4;
  const kind = covered ? "answered" : (["refused", "uncertain", "answered", "answered"] as const)[outcome]!;
  const context = {
    askerId: "100000000000000001",
    guildId: GUILD,
    channelId: "400000000000000001",
    replyMessageId: String(600000000000000000n + BigInt(i)),
    answerContent: "The answer as it was posted, with its sources.\n".repeat(8),
    pending: false,
  };
  let { content, embeds } = buildReviewMessage(result(question, kind, i % 3), context);
  if (!covered && outcome === 2) embeds = withVotes(embeds, { up: 0, down: 1 + (i % 3) });
  if (!covered && outcome === 3) embeds = withVerdict(embeds, "wrong", MOD, new Date(), "The page does not say this.");
  return { content, embeds, allowed_mentions: { parse: [] } };
}

const emulator = await startDiscordEmulator({
  botToken: TOKEN,
  botUser: BOT,
  guilds: [{ id: GUILD, channels: [{ id: REVIEW, name: "docent-review" }], members: [] }],
});
try {
  const seeded = performance.now();
  const url = `${emulator.restApiUrl}/v10/channels/${REVIEW}/messages`;
  let next = 0;
  // Created in order (ids are chronological), 8 requests at a time.
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < N) {
        const body = reviewBody(next++);
        const response = await fetch(url, {
          method: "POST",
          headers: { authorization: `Bot ${TOKEN}`, "content-type": "application/json" },
          body: JSON.stringify(body),
        });
        if (!response.ok) throw new Error(`seeding failed: ${response.status} ${await response.text()}`);
      }
    }),
  );
  console.log(
    `Gaps report benchmark: ${N} review messages in the emulator's review channel (seeded in ${((performance.now() - seeded) / 1000).toFixed(1)} s), ${RUNS} runs, Node ${process.version}`,
  );
  // Discord allows 50 requests/s per bot; the emulator has no limit, so this measures Docent's own cost.
  const rest = new REST({ api: emulator.restApiUrl, globalRequestsPerSecond: 1e9 }).setToken(TOKEN);
  const from = new Date(Date.now() - 30 * 86_400_000);

  const pagingOnly = async () => {
    let before: string | undefined;
    let pages = 0;
    for (;;) {
      const page = (await rest.get(Routes.channelMessages(REVIEW), {
        query: makeURLSearchParams({ limit: 100, ...(before ? { before } : {}) }),
      })) as APIMessage[];
      pages += 1;
      if (page.length < 100) return pages;
      before = page.at(-1)!.id;
    }
  };
  const contents = await readReviewChannel({ rest, channelId: REVIEW, botUserId: BOT.id, from });
  const time = async (run: () => Promise<unknown> | unknown) => {
    const ms: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const t0 = performance.now();
      await run();
      ms.push(performance.now() - t0);
    }
    return ms.sort((a, b) => a - b);
  };
  const paging = await time(pagingOnly);
  const full = await time(() => collectGapsReport({ rest, channelId: REVIEW, days: 30, botUserId: BOT.id }));
  const build = await time(() => buildGapsReport({ entries: contents.entries, window: { from, to: new Date() }, skipped: contents.skipped }));
  const { report, pages } = await collectGapsReport({ rest, channelId: REVIEW, days: 30, botUserId: BOT.id });
  const row = (name: string, ms: number[]) => ({ step: name, "median ms": quantileMs(ms, 0.5), "min ms": ms[0]!.toFixed(1), "max ms": ms.at(-1)!.toFixed(1) });
  console.table([
    row("paging alone (baseline: GET 100 at a time, nothing parsed)", paging),
    row("full report (paging + reading records + building)", full),
    row("building alone (pure, records in memory)", build),
  ]);
  console.log(
    `${pages} pages; ${report.totals.reviewed} reviewed (${report.totals.refused} refused, ${report.totals.wrong} marked wrong, ${report.totals.downvoted} voted down); ${report.topics.length} topics, sizes ${report.topics.map((t) => t.count).join(", ")}. Peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB.`,
  );
  console.log("Against Discord itself, paging is paced by its 50 requests/s limit: 50 pages take at least 1 s.");
} finally {
  await emulator.close();
}
