/**
 * Running the bot for real: GET /healthz and GET /metrics (METRICS_PORT) of the bot started by the composition
 * root against the Discord emulator, and a graceful SIGTERM of `npm start` while an answer is being written.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { Writable } from "node:stream";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildIndexIfMissing, openApp } from "../src/app/engine.ts";
import { type RunningBot, startDocentBot } from "../src/app/start-bot.ts";
import { parseConfig } from "../src/config.ts";
import { type DiscordEmulator, startDiscordEmulator } from "../src/discord-emulator/emulator.ts";
import type { Message } from "../src/discord-emulator/types.ts";
import { feedbackId } from "../src/discord/custom-ids.ts";
import { createLogger } from "../src/log.ts";
import { ALICE, BOB, BOT, BOT_TOKEN, GENERAL, GUILD } from "./support/bot-harness.ts";
import { type FakeOpenAI, startFakeOpenAI } from "./support/fake-openai-server.ts";
import { KNOWLEDGE_DIR, tempDir } from "./support/fixtures.ts";
import { PROJECT_DIR, scriptArgs, scriptEnv } from "./support/run-script.ts";

const GUILDS = [{ id: GUILD, name: "Ops", channels: [{ id: GENERAL, name: "general" }], members: [{ user: ALICE }, { user: BOB }] }];

async function until(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** One sample of a Prometheus text exposition: the value of `name{labels}` (labels in any order), or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split("\n")) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = Object.fromEntries([...(match[2] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(match[3]);
  }
  return undefined;
}

const replyTo = (emulator: DiscordEmulator, question: Message) =>
  emulator.waitFor<{ message: Message }>(
    (event) => event.type === "message_create" && event.message.author.id === BOT.id && event.message.message_reference?.message_id === question.id,
    10_000,
  );

describe("GET /healthz and GET /metrics (METRICS_PORT) against the Discord emulator", () => {
  let emulator: DiscordEmulator;
  let work: Awaited<ReturnType<typeof tempDir>>;
  let bot: RunningBot;
  let base: string;
  const logs: string[] = [];

  beforeAll(async () => {
    work = await tempDir("docent-ops-");
    emulator = await startDiscordEmulator({ botToken: BOT_TOKEN, botUser: BOT, heartbeatIntervalMs: 200, guilds: GUILDS });
    const config = parseConfig({
      LANCEDB_URI: path.join(work.dir, "db"),
      KNOWLEDGE_DIR,
      COOLDOWN_SECONDS: "0",
      METRICS_PORT: "0",
      LOG_LEVEL: "info",
    });
    const app = await openApp(config);
    await buildIndexIfMissing(app, () => {});
    const sink = new Writable({
      write: (chunk, _enc, done) => {
        logs.push(String(chunk));
        done();
      },
    });
    const logger = createLogger("info", sink);
    bot = await startDocentBot({ app, logger, token: BOT_TOKEN, restApiUrl: emulator.restApiUrl, globalRequestsPerSecond: 1e9 });
    expect(bot.metricsPort).toEqual(expect.any(Number));
    base = `http://127.0.0.1:${bot.metricsPort}`;
  }, 60_000);

  afterAll(async () => {
    await bot?.stop();
    await emulator?.close();
    await work?.cleanup();
  });

  const metrics = async () => {
    const response = await fetch(`${base}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    return response.text();
  };

  it("reports healthy while the gateway is connected and the index opens", async () => {
    const response = await fetch(`${base}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: "ok", reasons: [], gateway: "Ready", indexVersion: expect.any(Number) });
    expect((await fetch(`${base}/nothing-here`)).status).toBe(404);
  });

  it("starts every series at zero, with the index version and age and the process's memory", async () => {
    const text = await metrics();
    for (const way of ["mention", "ask", "forum", "follow_up"]) expect(sample(text, "docent_questions_total", { way })).toBe(0);
    for (const outcome of ["confident", "uncertain", "refused", "busy", "failed"]) expect(sample(text, "docent_answers_total", { outcome })).toBe(0);
    expect(sample(text, "docent_queue_depth", { state: "queued" })).toBe(0);
    expect(sample(text, "docent_index_version")).toBeGreaterThan(0);
    expect(sample(text, "docent_index_age_seconds")).toBeGreaterThanOrEqual(0);
    expect(sample(text, "docent_process_resident_memory_bytes")).toBeGreaterThan(0);
    expect(sample(text, "docent_nodejs_heap_size_used_bytes")).toBeGreaterThan(0);
  });

  it("counts mentions, follow-ups, /ask, outcomes, latency and votes as questions are answered", async () => {
    const question = await emulator.sendUserMessage({
      channelId: GENERAL,
      author: ALICE,
      content: `<@${BOT.id}> Do you train on my API data?`,
      mentions: [BOT.id],
    });
    const { message: answer } = await replyTo(emulator, question);
    const followUp = await emulator.sendUserMessage({
      channelId: GENERAL,
      author: ALICE,
      content: `<@${BOT.id}> and how long do you keep it?`,
      mentions: [BOT.id],
      replyTo: answer.id,
    });
    await replyTo(emulator, followUp);
    const off = await emulator.sendUserMessage({ channelId: GENERAL, author: BOB, content: `<@${BOT.id}> what's the best pizza topping?`, mentions: [BOT.id] });
    await replyTo(emulator, off);
    const ask = await emulator.runSlashCommand({
      channelId: GENERAL,
      user: BOB,
      name: "ask",
      options: [{ name: "question", type: 3, value: "Is my data encrypted at rest?" }],
    });
    await emulator.waitFor((event) => event.type === "webhook_edit" && event.interactionId === ask.id, 10_000);
    await emulator.clickButton({ channelId: GENERAL, messageId: answer.id, customId: feedbackId("up"), user: BOB });
    await until(() => logs.some((line) => line.includes('"event":"feedback"')), "the vote");

    const finished = (text: string) =>
      ["confident", "uncertain", "refused"].reduce((sum, outcome) => sum + (sample(text, "docent_answer_latency_seconds_count", { outcome }) ?? 0), 0);
    // A reply is counted right after it is posted: poll until the last one is.
    let text = await metrics();
    for (let i = 0; i < 40 && finished(text) < 4; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      text = await metrics();
    }
    expect(sample(text, "docent_questions_total", { way: "mention" })).toBe(2);
    expect(sample(text, "docent_questions_total", { way: "follow_up" })).toBe(1);
    expect(sample(text, "docent_questions_total", { way: "ask" })).toBe(1);
    const outcomes = Object.fromEntries(
      ["confident", "uncertain", "refused", "busy", "failed"].map((o) => [o, sample(text, "docent_answers_total", { outcome: o })]),
    );
    expect(outcomes.refused).toBeGreaterThanOrEqual(1);
    expect(outcomes.confident! + outcomes.uncertain! + outcomes.refused!).toBe(4);
    expect([outcomes.busy, outcomes.failed]).toEqual([0, 0]);
    expect(finished(text)).toBe(4);
    expect(sample(text, "docent_review_votes_total", { vote: "up" })).toBe(1);
    expect(sample(text, "docent_review_votes_total", { vote: "down" })).toBe(0);
    // One operator line per answer: outcome and latency, never the question's words.
    const answered = logs.filter((line) => line.includes('"event":"answered"')).map((line) => JSON.parse(line));
    expect(answered).toHaveLength(4);
    for (const line of answered) expect(line).toMatchObject({ outcome: expect.stringMatching(/^(confident|uncertain|refused)$/), ms: expect.any(Number) });
    expect(logs.join("")).not.toMatch(/pizza|encrypted at rest|train on my/);
  });

  it("answers 503 with the reason while the gateway is down", async () => {
    await emulator.close();
    await until(() => bot.client.ws.shards.some((shard) => shard.status !== 0), "the client to notice");
    const response = await fetch(`${base}/healthz`);
    expect(response.status).toBe(503);
    const body = (await response.json()) as { status: string; reasons: string[] };
    expect(body.status).toBe("unhealthy");
    expect(body.reasons.join(" ")).toMatch(/gateway not connected/);
  });
});

describe("npm start: SIGTERM while an answer is being written", () => {
  let emulator: DiscordEmulator;
  let fake: FakeOpenAI;
  let work: Awaited<ReturnType<typeof tempDir>>;

  beforeAll(async () => {
    [emulator, fake, work] = await Promise.all([
      startDiscordEmulator({ botToken: BOT_TOKEN, botUser: BOT, heartbeatIntervalMs: 200, guilds: GUILDS }),
      startFakeOpenAI(),
      tempDir("docent-sigterm-"),
    ]);
  });
  afterAll(async () => {
    await emulator?.close();
    await fake?.close();
    await work?.cleanup();
  });

  /** `npm start` with a chat model behind the fake OpenAI server; resolves once it is online. */
  async function startBot(extra: Record<string, string>): Promise<{ child: ChildProcess; logs: () => string; exit: Promise<number | null> }> {
    const env = scriptEnv({
      LOG_LEVEL: "info",
      DISCORD_TOKEN: BOT_TOKEN,
      DISCORD_API_URL: emulator.restApiUrl,
      LANCEDB_URI: path.join(work.dir, "db"),
      KNOWLEDGE_DIR,
      COOLDOWN_SECONDS: "0",
      LLM_PROVIDER: "openai",
      OPENAI_BASE_URL: fake.baseURL,
      OPENAI_MAX_RETRIES: "0",
      ...extra,
    });
    const child = spawn(process.execPath, scriptArgs("bot.ts"), {
      cwd: PROJECT_DIR,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let logs = "";
    child.stdout!.on("data", (d) => (logs += d));
    child.stderr!.on("data", (d) => (logs += d));
    const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    await until(() => logs.includes("Docent is online") || child.exitCode !== null, "the bot to come online", 45_000);
    expect(logs).toContain("Docent is online");
    return { child, logs: () => logs, exit };
  }

  const chatRequests = () => fake.requests.filter((request) => request.path.endsWith("/chat/completions")).length;

  /** Alice asks; once the chat model has her question, the bot gets SIGTERM. `answered`: the reply she will get. */
  async function askThenStop(bot: Awaited<ReturnType<typeof startBot>>) {
    const before = chatRequests();
    const question = await emulator.sendUserMessage({
      channelId: GENERAL,
      author: ALICE,
      content: `<@${BOT.id}> Do you train on my API data?`,
      mentions: [BOT.id],
    });
    const answered = replyTo(emulator, question);
    await until(() => chatRequests() > before, "the chat request");
    bot.child.kill("SIGTERM");
    return { answered };
  }

  it("finishes the answer in flight, tells a new asker it is restarting, and exits 0", async () => {
    const bot = await startBot({ SHUTDOWN_GRACE_MS: "20000" });
    fake.script("chat", { kind: "delay", ms: 1_500 });
    const { answered } = await askThenStop(bot);
    await until(() => bot.logs().includes('"event":"draining"'), "the drain to start");
    const late = await emulator.sendUserMessage({ channelId: GENERAL, author: BOB, content: `<@${BOT.id}> is data encrypted at rest?`, mentions: [BOT.id] });
    const lateReply = await replyTo(emulator, late);
    expect(lateReply.message.content).toMatch(/restarting/);
    const answer = (await answered).message;
    expect(answer.content).toMatch(/Sources/);
    expect(await bot.exit).toBe(0);
    expect(bot.logs()).toMatch(/"event":"stopped","finished":true/);
    expect(bot.logs()).not.toMatch(/train on my|encrypted at rest/);
  }, 90_000);

  it("past SHUTDOWN_GRACE_MS tells the asker it is restarting, then exits 0", async () => {
    const bot = await startBot({ SHUTDOWN_GRACE_MS: "300" });
    fake.script("chat", { kind: "hang" });
    const { answered } = await askThenStop(bot);
    expect((await answered).message.content).toMatch(/restarting/);
    expect(await bot.exit).toBe(0);
    expect(bot.logs()).toMatch(/"event":"drain_timeout"/);
  }, 90_000);
});
