/**
 * Soak: `npm start` with SHARD_COUNT (the sharding manager and its shard processes, as in production) against the
 * local Discord emulator, under a steady mix of mentions, /ask, follow-ups, help-forum posts (one forum per guild,
 * in FORUM_CHANNEL_IDS) and feedback votes for N minutes. In
 * the middle it re-ingests changed pages (every "30 days" becomes "45 days"), restarts one shard with SIGTERM (as
 * a rolling upgrade does) and lets the manager bring it back, and with --s3 restarts the RADOS gateway under the
 * index. Prints one row per minute (sent, answered, busy, lost, answered twice, p50/p95, RSS/heap per process)
 * and one verdict line; exits 1 when a target of issue 21 is missed. Forum posts count as questions and are also
 * shown on their own (a table column, fields at the end of the verdict line), including posts made to the
 * restarted shard's guilds while it restarts.
 *
 * Usage: npm run soak -- --minutes 30 [--shards 2] [--s3] [--rate 2] [--count-only]
 *   --rate: questions per second over all guilds; --count-only: timing and memory targets are printed but do not
 *   decide the exit code (the test in `npm test` runs on a shared machine, where they would only measure it).
 */
import "../src/cli/quiet-native-logs.ts";
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs, promisify } from "node:util";
import { feedbackId } from "../src/discord/custom-ids.ts";
import { type DiscordEmulator, startDiscordEmulator } from "../src/discord-emulator/emulator.ts";
import type { EmulatorEvent, EmulatorUser, Message } from "../src/discord-emulator/types.ts";
import { siblingScript } from "../src/cli/sibling-script.ts";
import { PROJECT_ROOT } from "../src/project-files.ts";
import { type Radosgw, radosgwAvailable, startRadosgw } from "../test/support/radosgw.ts";
import { scriptEnv } from "../test/support/run-script.ts";
import { BENCH_QUESTIONS, benchUsers } from "./bench/mention-load.ts";
import { checks, classifyReply, forumCell, forumVerdict, type MemorySample, minuteRows, type Question, totals, verdictLine } from "./soak/soak-tally.ts";

const { values } = parseArgs({
  options: {
    minutes: { type: "string", default: "30" },
    shards: { type: "string", default: "1" },
    s3: { type: "boolean", default: false },
    rate: { type: "string", default: "2" },
    "count-only": { type: "boolean", default: false },
  },
});
const DURATION_MS = Number(values.minutes) * 60_000;
const SHARDS = Number(values.shards);
const RATE = Number(values.rate);
if (!(DURATION_MS > 0) || !Number.isInteger(SHARDS) || SHARDS < 1 || !(RATE > 0)) {
  console.error("usage: npm run soak -- --minutes N [--shards 2] [--s3] [--rate R] [--count-only]");
  process.exit(64);
}
/** The "first 5 minutes" of the targets; a shorter soak compares its first and last 40%. */
const WARMUP_MS = Math.min(5 * 60_000, DURATION_MS * 0.4);
/** Node's arguments for a script beside this one, run the way this one runs. */
function nodeArgsFor(name: string): string[] {
  const { file, execArgv } = siblingScript(import.meta.url, name);
  return [...execArgv, file];
}
const TOKEN = "soak-token";
const BOT: EmulatorUser = { id: "900000000000000001", username: "docent", bot: true };
/** `(id >> 22) % n`: consecutive multiples of 2^22 land on consecutive shards. */
const GUILDS = Array.from({ length: Math.max(2, SHARDS) }, (_, i) => ({
  id: String(300000000000000001n + BigInt(i) * 4194304n),
  channel: String(400000000000000001n + BigInt(i)),
  /** A help forum listed in FORUM_CHANNEL_IDS: its new posts are answered unasked. */
  forum: String(410000000000000001n + BigInt(i)),
}));
/** One event in ten is a new forum post (taken from the mentions' share: 40% mentions, 10% forum posts). */
const FORUM_ROLL = 4;
const users = benchUsers(40);
/** The question about the pages the re-ingest changes, and what its answer says before and after. */
const RETENTION_QUESTION = BENCH_QUESTIONS[1]!;
/** What the posts made on purpose during the shard restart ask. */
const RESTART_POST = BENCH_QUESTIONS[0]!;
/** Milliseconds since the traffic started (set again once the bot is up). */
let trafficStart = performance.now();
const elapsed = () => performance.now() - trafficStart;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const work = await mkdtemp(path.join(tmpdir(), "docent-soak-"));
const knowledge = path.join(work, "knowledge");
await cp(path.join(PROJECT_ROOT, "knowledge"), knowledge, { recursive: true });
let rgw: Radosgw | null = null;
let emulator: DiscordEmulator | null = null;
let manager: ChildProcess | null = null;
let logs = "";
let exitCode = 1;

try {
  if (values.s3) {
    if (!radosgwAvailable()) throw new Error("--s3 needs Debian's radosgw, ceph-mon and ceph-osd (apt-get install -y radosgw ceph-mon ceph-osd)");
    rgw = await startRadosgw();
  }
  const botEnv = {
    ...(rgw?.env ?? {}),
    LANCEDB_URI: rgw ? `s3://${rgw.bucket}/soak` : path.join(work, "db"),
    KNOWLEDGE_DIR: knowledge,
  };
  const ingest = async () => {
    const run = promisify(execFile);
    await run(process.execPath, nodeArgsFor("ingest"), {
      cwd: PROJECT_ROOT,
      env: scriptEnv(botEnv),
      timeout: 120_000,
    });
  };
  await ingest();

  emulator = await startDiscordEmulator({
    botToken: TOKEN,
    botUser: BOT,
    shards: SHARDS,
    heartbeatIntervalMs: 5_000,
    guilds: GUILDS.map((guild, i) => ({
      id: guild.id,
      name: `Guild ${i}`,
      channels: [
        { id: guild.channel, name: "general" },
        { id: guild.forum, name: "help-forum", type: 15 },
      ],
      members: users.map((user) => ({ user })),
    })),
  });
  const metricsPort = await freePort();
  manager = spawn("nice", ["-n", "5", process.execPath, ...nodeArgsFor("bot")], {
    cwd: PROJECT_ROOT,
    env: scriptEnv({
      ...botEnv,
      LOG_LEVEL: "info",
      DISCORD_TOKEN: TOKEN,
      DISCORD_API_URL: emulator.restApiUrl,
      SHARD_COUNT: String(SHARDS),
      COOLDOWN_SECONDS: "0",
      METRICS_PORT: String(metricsPort),
      SHUTDOWN_GRACE_MS: "20000",
      FORUM_CHANNEL_IDS: GUILDS.map((guild) => guild.forum).join(","),
    }),
    stdio: ["ignore", "ignore", "pipe"],
  });
  manager.stderr!.on("data", (d) => {
    logs += d;
    // Keep the tail only: a long soak logs a line per answer.
    if (logs.length > 4_000_000) logs = logs.slice(-1_000_000);
  });
  const onlineLines = () =>
    logs
      .split("\n")
      .filter((line) => line.includes('"msg":"Docent is online"'))
      .map((line) => JSON.parse(line) as { shard: number; pid: number });
  const waitFor = async (check: () => boolean, what: string, timeoutMs = 90_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline || manager!.exitCode !== null) throw new Error(`timed out waiting for ${what}:\n${logs.slice(-3000)}`);
      await sleep(100);
    }
  };
  await waitFor(() => logs.includes('"event":"sharding_ready"'), "the shards to start");
  console.log(
    `Soak: ${values.minutes} min, ${SHARDS} shard(s), ${RATE} questions/s, index ${values.s3 ? "on radosgw (S3)" : "on local disk"}; Node ${process.version}`,
  );

  trafficStart = performance.now();
  // --- what came back --------------------------------------------------------------------------------------
  const questions = new Map<string, Question>();
  const sentAtMs = new Map<string, number>();
  const answers: Array<{ id: string; channelId: string; hasVotes: boolean }> = [];
  const votes = { sent: 0, acknowledged: 0 };
  const voteIds = new Set<string>();
  let reingestedAt: number | null = null;
  const record = (questionId: string, content: string) => {
    const question = questions.get(questionId);
    if (!question) return;
    question.replies += 1;
    if (question.replies > 1) return;
    question.fate = classifyReply(content);
    question.latencyMs = performance.now() - sentAtMs.get(questionId)!;
    if (question.fate === "answered" && reingestedAt !== null && question.sentAt > reingestedAt && questionText.get(questionId) === RETENTION_QUESTION)
      question.fresh = /45[ -]day/.test(content) && !/30[ -]day/.test(content);
  };
  const questionText = new Map<string, string>();
  emulator.events.on("event", (event: EmulatorEvent) => {
    if (event.type === "message_create" && event.message.author.id === BOT.id) {
      const to = event.message.message_reference?.message_id;
      if (!to) return;
      // A forum post is answered in its own thread (whose id is the post's): a reply elsewhere does not count.
      if (questions.get(to)?.kind === "forum_post" && event.message.channel_id !== to) return;
      record(to, event.message.content);
      const hasVotes = JSON.stringify(event.message.components ?? []).includes(feedbackId("up"));
      if (questions.get(to)?.fate === "answered") answers.push({ id: event.message.id, channelId: event.message.channel_id, hasVotes });
      // Follow-ups and votes pick among the recent answers only.
      if (answers.length > 200) answers.splice(0, answers.length - 200);
    } else if (event.type === "webhook_edit" || event.type === "webhook_followup") {
      const content = event.type === "webhook_edit" ? String((event.data as { content?: unknown })?.content ?? "") : event.message.content;
      if (content) record(event.interactionId, content);
    } else if (event.type === "interaction_callback" && voteIds.has(event.interactionId)) {
      votes.acknowledged += 1;
    }
  });

  // --- memory, sampled every 10 s ------------------------------------------------------------------------------
  const memory: MemorySample[] = [];
  const sampleMemory = async () => {
    const at = elapsed();
    const managerStatus = readFileSync(`/proc/${manager!.pid}/status`, "utf8");
    // `nice` execs node: the manager's pid is the child's.
    const rss = Number(/VmRSS:\s+(\d+) kB/.exec(managerStatus)?.[1] ?? 0) * 1024;
    memory.push({ at, process: "manager", pid: manager!.pid!, rssBytes: rss, heapBytes: null });
    for (let shard = 0; shard < SHARDS; shard++) {
      try {
        const text = await (await fetch(`http://127.0.0.1:${metricsPort + shard}/metrics`, { signal: AbortSignal.timeout(5_000) })).text();
        const value = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, "m").exec(text)?.[1] ?? Number.NaN);
        const pid =
          onlineLines()
            .filter((line) => line.shard === shard)
            .at(-1)?.pid ?? 0;
        memory.push({
          at,
          process: `shard ${shard}`,
          pid,
          rssBytes: value("docent_process_resident_memory_bytes"),
          heapBytes: value("docent_nodejs_heap_size_used_bytes"),
        });
      } catch {
        // A shard restarting has no metrics for a moment.
      }
    }
  };
  const memoryTimer = setInterval(() => void sampleMemory().catch(() => {}), 10_000);
  await sampleMemory();

  // --- sending ---------------------------------------------------------------------------------------------------
  const track = (id: string, kind: Question["kind"], sentAt: number, delivered: boolean, text: string, startedAt: number, duringRestart: boolean) => {
    questions.set(id, { id, kind, sentAt, delivered, replies: 0, fate: "pending", latencyMs: null, fresh: null, duringRestart });
    sentAtMs.set(id, startedAt);
    questionText.set(id, text);
  };
  const shardConnected = (guildId: string) => emulator!.gatewaySessions().some((s) => s.shardId === emulator!.shardOf(guildId) && s.connected);
  /** The shard being restarted (from its SIGTERM until its successor is online), or null. */
  let restartingShard: number | null = null;
  let shardRestarted = false;
  const sendFailed = (error: unknown) => console.error(`send failed: ${String(error).slice(0, 200)}`);
  const inRestart = (guildId: string) => restartingShard !== null && emulator!.shardOf(guildId) === restartingShard;
  const sends: Array<Promise<unknown>> = [];
  let posts = 0;
  /** A member opens a post in the guild's help forum: a thread whose starter message (same id) is the question. */
  const postToForum = async (guild: (typeof GUILDS)[number], text: string, duringRestart: boolean) => {
    const sentAt = elapsed();
    const startedAt = performance.now();
    const delivered = shardConnected(guild.id);
    const k = posts++;
    const { message } = await emulator!.createForumPost({
      forumId: guild.forum,
      author: users[k % users.length]!,
      title: `Soak post ${k}`,
      content: text,
      // Discord sends the thread and its starter message in either order; the bot must answer once either way.
      order: k % 2 === 0 ? "thread-first" : "message-first",
    });
    track(message.id, "forum_post", sentAt, delivered, text, startedAt, duringRestart || inRestart(guild.id));
  };

  // --- the mid-run events ----------------------------------------------------------------------------------------
  const events: string[] = [];
  const midRun = (async () => {
    await sleep(Math.max(0, DURATION_MS * 0.35 - elapsed()));
    const t0 = elapsed();
    for (const name of await readdir(knowledge)) {
      if (!name.endsWith(".md")) continue;
      const file = path.join(knowledge, name);
      const text = await readFile(file, "utf8");
      const changed = text.replace(/30 days/g, "45 days").replace(/30-day/g, "45-day");
      if (changed !== text) await writeFile(file, changed);
    }
    await ingest();
    reingestedAt = elapsed();
    events.push(`re-ingest of the changed pages at ${(t0 / 60_000).toFixed(1)} min took ${((reingestedAt - t0) / 1000).toFixed(1)} s`);

    await sleep(Math.max(0, DURATION_MS * 0.55 - elapsed()));
    const victim = SHARDS - 1;
    const before = onlineLines().filter((line) => line.shard === victim);
    const pid = before.at(-1)!.pid;
    const t1 = elapsed();
    restartingShard = victim;
    process.kill(pid, "SIGTERM");
    // A post while the old process hands over (it asked for a successor, which is not online yet), and one right
    // after the successor logs in (the old process is still finishing): each must be answered once, or told busy.
    const victimGuilds = GUILDS.filter((guild) => emulator!.shardOf(guild.id) === victim);
    await waitFor(
      () => logs.includes(`"event":"shutdown"`) && logs.split("\n").some((l) => l.includes(`"event":"shutdown"`) && l.includes(`"pid":${pid}`)),
      `shard ${victim} to begin its handover`,
    );
    for (const guild of victimGuilds) sends.push(postToForum(guild, RESTART_POST, true).catch(sendFailed));
    await waitFor(() => onlineLines().filter((line) => line.shard === victim).length > before.length, `shard ${victim} to come back`);
    const back = elapsed();
    for (const guild of victimGuilds) sends.push(postToForum(guild, RESTART_POST, true).catch(sendFailed));
    restartingShard = null;
    shardRestarted = true;
    events.push(
      `shard ${victim} (pid ${pid}) restarted with SIGTERM at ${(t1 / 60_000).toFixed(1)} min, back online after ${((back - t1) / 1000).toFixed(1)} s`,
    );

    if (rgw) {
      await sleep(Math.max(0, DURATION_MS * 0.7 - elapsed()));
      const t2 = elapsed();
      await restartRadosgw(rgw);
      events.push(`radosgw restarted at ${(t2 / 60_000).toFixed(1)} min, serving again after ${((elapsed() - t2) / 1000).toFixed(1)} s`);
    }
  })();

  // --- steady traffic ------------------------------------------------------------------------------------------------
  let n = 0;
  const interval = 1000 / RATE;
  while (elapsed() < DURATION_MS) {
    const i = n++;
    const roll = i % 10;
    // Forum posts take every tenth event, so they go round the guilds on their own (every guild gets its share).
    const guild = (roll === FORUM_ROLL ? GUILDS[Math.floor(i / 10) % GUILDS.length] : GUILDS[i % GUILDS.length])!;
    const user = users[i % users.length]!;
    const text = BENCH_QUESTIONS[Math.floor(i / GUILDS.length) % BENCH_QUESTIONS.length]!;
    const sentAt = elapsed();
    const startedAt = performance.now();
    const delivered = shardConnected(guild.id);
    const duringRestart = inRestart(guild.id);
    const earlier = answers.filter((a) => a.channelId === guild.channel);
    const send = async () => {
      if (roll === FORUM_ROLL) {
        await postToForum(guild, text, false);
      } else if (roll < 5 || earlier.length === 0) {
        const message: Message = await emulator!.sendUserMessage({
          channelId: guild.channel,
          author: user,
          content: `<@${BOT.id}> ${text}`,
          mentions: [BOT.id],
        });
        track(message.id, "mention", sentAt, delivered, text, startedAt, duringRestart);
      } else if (roll < 7) {
        const interaction = await emulator!.runSlashCommand({
          channelId: guild.channel,
          user,
          name: "ask",
          options: [{ name: "question", type: 3, value: text }],
        });
        track(interaction.id, "ask", sentAt, delivered, text, startedAt, duringRestart);
      } else if (roll < 9) {
        const to = earlier[i % earlier.length]!;
        const message = await emulator!.sendUserMessage({
          channelId: guild.channel,
          author: user,
          content: `<@${BOT.id}> ${text}`,
          mentions: [BOT.id],
          replyTo: to.id,
        });
        track(message.id, "follow_up", sentAt, delivered, text, startedAt, duringRestart);
      } else {
        const target = earlier.filter((a) => a.hasVotes).at(-1);
        if (!target) return;
        votes.sent += 1;
        const interaction = await emulator!.clickButton({
          channelId: guild.channel,
          messageId: target.id,
          customId: feedbackId(i % 20 < 10 ? "up" : "down"),
          user,
        });
        voteIds.add(interaction.id);
      }
    };
    // The emulator's dispatch is synchronous up to the send: ids are tracked before any reply can arrive.
    sends.push(send().catch(sendFailed));
    const next = (i + 1) * interval;
    await sleep(Math.max(0, next - elapsed()));
  }
  await Promise.all(sends);
  await midRun;
  // The posts made during the restart may still be on their way.
  await Promise.all(sends);
  // Answers still being written get a generous while; then a moment longer to catch any second reply.
  const settleBy = Date.now() + 60_000;
  while ([...questions.values()].some((q) => q.fate === "pending" && q.delivered) && Date.now() < settleBy) await sleep(200);
  await sleep(2_000);
  clearInterval(memoryTimer);

  // --- report ------------------------------------------------------------------------------------------------------
  const all = [...questions.values()];
  const fmt = (ms: number | null) => (ms === null ? "-" : ms.toFixed(0));
  console.log(
    "\n| min | sent | answered | busy | lost | answered twice | failed | undelivered | forum posts (answered/busy/lost/twice) | p50 ms | p95 ms | RSS/heap (MB) |",
  );
  console.log("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
  for (const row of minuteRows(all, memory, DURATION_MS))
    console.log(
      `| ${row.minute} | ${row.sent} | ${row.answered} | ${row.busy} | ${row.lost} | ${row.twice} | ${row.failed} | ${row.undelivered} | ${forumCell(row.forum)} | ${fmt(row.p50)} | ${fmt(row.p95)} | ${row.memory} |`,
    );
  console.log("");
  for (const event of events) console.log(`- ${event}`);
  const results = checks({
    questions: all,
    memory,
    durationMs: DURATION_MS,
    warmupMs: WARMUP_MS,
    reingested: reingestedAt !== null,
    restarted: shardRestarted,
  });
  for (const check of results)
    console.log(
      `- ${check.ok ? "ok" : "MISSED"}: ${check.name}: ${check.detail}${check.timing && values["count-only"] ? " (reported only: --count-only)" : ""}`,
    );
  const ok = results.every((check) => check.ok || (check.timing && values["count-only"]));
  const byKind = (kind: Question["kind"]) => all.filter((q) => q.kind === kind).length;
  console.log(
    verdictLine(
      ok,
      totals(all),
      `; mentions ${byKind("mention")}, /ask ${byKind("ask")}, follow-ups ${byKind("follow_up")}, votes ${votes.acknowledged}/${votes.sent} acknowledged${forumVerdict(all)}`,
    ),
  );
  exitCode = ok && votes.acknowledged === votes.sent ? 0 : 1;
} catch (error) {
  console.error(`soak failed: ${error instanceof Error ? error.message : String(error)}`);
  exitCode = 1;
} finally {
  if (manager && manager.exitCode === null) {
    const closed = new Promise((resolve) => manager!.once("close", resolve));
    manager.kill("SIGTERM");
    await closed;
  }
  await emulator?.close();
  await rgw?.stop();
  await rm(work, { recursive: true, force: true });
}
process.exit(exitCode);

/** Stops only the radosgw daemon (the monitor and the in-memory OSD keep the data) and starts it again. */
async function restartRadosgw(gateway: Radosgw): Promise<void> {
  const endpoint = gateway.env.AWS_ENDPOINT!;
  const dir = await findRadosgwDir(endpoint);
  const pid = Number((await readFile(path.join(dir, "run", "client.rgw.a.pid"), "utf8")).trim());
  process.kill(pid, "SIGTERM");
  while (await isAlive(pid)) await sleep(100);
  await promisify(execFile)("radosgw", ["-n", "client.rgw.a", "-c", path.join(dir, "ceph.conf")], {
    env: { ...process.env, CEPH_CONF: path.join(dir, "ceph.conf") },
  });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (
      await fetch(`${endpoint}/`, { signal: AbortSignal.timeout(2_000) }).then(
        () => true,
        () => false,
      )
    )
      return;
    await sleep(200);
  }
  throw new Error("radosgw did not come back within 60 s");
}

async function isAlive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The radosgw.sh directory whose ceph.conf serves `endpoint`. */
async function findRadosgwDir(endpoint: string): Promise<string> {
  const port = new URL(endpoint).port;
  for (const name of await readdir(tmpdir())) {
    if (!name.startsWith("docent-radosgw-")) continue;
    const dir = path.join(tmpdir(), name);
    const conf = await readFile(path.join(dir, "ceph.conf"), "utf8").catch(() => "");
    if (conf.includes(`127.0.0.1:${port} `)) return dir;
  }
  throw new Error(`no radosgw.sh directory serves ${endpoint}`);
}
