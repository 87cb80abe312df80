import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { EngineDeps } from "../src/answer/engine/answer-question.ts";
import type { Retriever } from "../src/retrieval/retrieval-types.ts";
import type { Message } from "../src/discord-emulator/types.ts";
import { ALICE, BOB, BOT, GENERAL, MANAGE_MESSAGES, MOD, OTHER_BOT, REVIEW } from "./support/bot-harness.ts";
import { buildTestEngine } from "./support/engine.ts";
import { KNOWLEDGE_DIR } from "./support/fixtures.ts";
import { HELP_FORUM, OTHER_FORUM, TAG, startForumBot } from "./support/forum-harness.ts";

const EPHEMERAL = 1 << 6;

let built: Awaited<ReturnType<typeof buildTestEngine>>;
const queries: string[] = [];
/** While set, every search waits for it: the test decides when an answer may be written. */
let gate: Promise<void> | null = null;
let engine: EngineDeps;
let bot: Awaited<ReturnType<typeof startForumBot>> | null = null;
const queryWaiters: Array<{ count: number; resolve: () => void }> = [];
/** Resolves once the bot has searched `count` times since `queries` was last emptied. */
const searched = (count: number) => (queries.length >= count ? Promise.resolve() : new Promise<void>((resolve) => queryWaiters.push({ count, resolve })));

beforeAll(async () => {
  built = await buildTestEngine([KNOWLEDGE_DIR]);
  const retriever: Retriever = {
    retrieve: async (query, limit, options) => {
      queries.push(query);
      for (const waiter of queryWaiters.filter((w) => queries.length >= w.count)) {
        queryWaiters.splice(queryWaiters.indexOf(waiter), 1);
        waiter.resolve();
      }
      if (gate) await gate;
      return built.engine.retriever.retrieve(query, limit, options);
    },
    judge: (query, passages) => built.engine.retriever.judge(query, passages),
  };
  engine = { retriever, answerer: built.engine.answerer };
});
afterEach(async () => {
  gate = null;
  await bot?.stop();
  bot = null;
});
afterAll(async () => {
  await built.close();
});

const start = async (options: Parameters<typeof startForumBot>[1] = {}) => {
  bot = await startForumBot(engine, options);
  return bot;
};
const ids = (message: Message) => message.components.flatMap((row) => row.components ?? []).map((c) => c.custom_id);
const errorLines = () => bot!.logLines.filter((line) => /"level":(50|60)/.test(line));

describe("new forum posts in a listed forum", () => {
  for (const order of ["thread-first", "message-first"] as const) {
    it(`are answered once in the post's thread, replying to the starter and greeting the poster (${order})`, async () => {
      const { emulator, replyIn, botRepliesTo } = await start();
      const { thread, message } = await emulator.createForumPost({
        forumId: HELP_FORUM,
        author: ALICE,
        title: "Does the API keep the data I send it?",
        content: "How long are API inputs and outputs kept for abuse monitoring?",
        order,
      });
      expect(message.id).toBe(thread.id);
      const answer = await replyIn(thread.id, message.id);
      expect(answer.content).toMatch(new RegExp(`^Hi <@${ALICE.id}>!`));
      expect(answer.content).toMatch(/\[1\] \[.+\]\(<https:\/\/[^>]+>\)/);
      expect(answer.allowed_mentions).toEqual({ parse: [], users: [ALICE.id], replied_user: true });
      expect(ids(answer)).toEqual(["docent:fb:up", "docent:fb:down", "docent:forum:solved"]);
      // The title is part of the question.
      expect(queries.some((q) => /api keep/i.test(q) && /abuse monitoring/i.test(q))).toBe(true);
      // A later mention in the thread is answered after both events of the post were handled: still one answer.
      const followUp = await emulator.sendUserMessage({
        channelId: thread.id,
        author: ALICE,
        content: `<@${BOT.id}> thanks, and for ZDR?`,
        mentions: [BOT.id],
      });
      await replyIn(thread.id, followUp.id);
      expect(botRepliesTo(thread.id, message.id)).toHaveLength(1);
      expect(emulator.messages(HELP_FORUM)).toHaveLength(0);
      expect(errorLines()).toEqual([]);
    });
  }

  it("tags an answered post and a refused one, keeping the poster's own tags", async () => {
    const { emulator, replyIn } = await start();
    const answered = await emulator.createForumPost({
      forumId: HELP_FORUM,
      author: ALICE,
      title: "Encryption",
      content: "Is data encrypted at rest?",
      tags: [TAG.billing],
    });
    await replyIn(answered.thread.id, answered.message.id);
    await emulator.waitFor((e) => e.type === "thread_update" && e.thread.id === answered.thread.id);
    expect(emulator.channel(answered.thread.id)!.applied_tags).toEqual([TAG.billing, TAG.answered]);

    const refused = await emulator.createForumPost({
      forumId: HELP_FORUM,
      author: BOB,
      title: "Baking",
      content: "What's a good recipe for banana bread?",
      tags: [TAG.billing],
    });
    const reply = await replyIn(refused.thread.id, refused.message.id);
    expect(reply.content).toMatch(/^Hi <@100000000000000002>!/);
    await emulator.waitFor((e) => e.type === "thread_update" && e.thread.id === refused.thread.id);
    expect(emulator.channel(refused.thread.id)!.applied_tags).toEqual([TAG.billing, TAG.needsHuman]);
  });

  it("lets the poster press Solved (tag kept, post archived) and refuses another member", async () => {
    const { emulator, replyIn } = await start({ settings: { forumArchiveOnSolved: true } });
    const { thread, message } = await emulator.createForumPost({ forumId: HELP_FORUM, author: BOB, title: "Regions", content: "Can I keep data in Europe?" });
    const answer = await replyIn(thread.id, message.id);
    await emulator.waitFor((e) => e.type === "thread_update" && e.thread.id === thread.id);

    const other = await emulator.clickButton({ channelId: thread.id, messageId: answer.id, customId: "docent:forum:solved", user: ALICE });
    await emulator.waitFor((e) => e.type === "interaction_callback" && e.interactionId === other.id);
    expect(emulator.interactionResponses(other.id)[0]).toMatchObject({
      ephemeral: true,
      data: { content: expect.stringMatching(/Only the person who opened this post/) },
    });
    expect(emulator.channel(thread.id)!.applied_tags).not.toContain(TAG.solved);

    const archived = emulator.waitFor((e) => e.type === "thread_update" && e.thread.id === thread.id && e.changed.includes("archived"));
    // Two quick clicks: one marks it solved, the other is told so privately.
    const click = () => emulator.clickButton({ channelId: thread.id, messageId: answer.id, customId: "docent:forum:solved", user: BOB });
    const [own, again] = await Promise.all([click(), click()]);
    await archived;
    // Already answered, or the next callback: checked and awaited in one synchronous step.
    if (emulator.interactionResponses(again.id).length === 0) await emulator.waitFor((e) => e.type === "interaction_callback" && e.interactionId === again.id);
    expect(emulator.interactionResponses(again.id)[0]).toMatchObject({ ephemeral: true, data: { content: "This post is already marked solved." } });
    expect(emulator.messages(thread.id).filter((m) => m.content.startsWith("✅ Marked as solved"))).toHaveLength(1);
    const after = emulator.channel(thread.id)!;
    expect(after.applied_tags).toEqual([TAG.answered, TAG.solved]);
    expect(after.thread_metadata?.archived).toBe(true);
    // The Solved button is gone from the answer; the feedback buttons stay.
    expect(ids(emulator.message(answer.id)!)).toEqual(["docent:fb:up", "docent:fb:down"]);
    const note = emulator.interactionResponses(own.id).find((r) => r.kind === "followup");
    expect(note?.data).toMatchObject({ content: `✅ Marked as solved by <@${BOB.id}>.`, allowed_mentions: { parse: [] } });
  });

  it("ignores a bot's post and posts in an unlisted forum that don't mention it; answers one there that does", async () => {
    const { emulator, replyIn, botRepliesTo } = await start();
    const byBot = await emulator.createForumPost({ forumId: HELP_FORUM, author: OTHER_BOT, title: "Bot post", content: "Is data encrypted at rest?" });
    const unlisted = await emulator.createForumPost({ forumId: OTHER_FORUM, author: ALICE, title: "Unlisted", content: "Is data encrypted at rest?" });
    const mentioned = await emulator.createForumPost({
      forumId: OTHER_FORUM,
      author: BOB,
      title: "Certifications",
      content: "what certifications does OpenAI have?",
      mentions: [BOT.id],
      order: "message-first",
    });
    // Answered after the two before it were handled (events are handled in order).
    await replyIn(mentioned.thread.id, mentioned.message.id);
    const later = await emulator.createForumPost({ forumId: HELP_FORUM, author: ALICE, title: "Later", content: "Is data encrypted in transit?" });
    await replyIn(later.thread.id, later.message.id);
    expect(botRepliesTo(byBot.thread.id, byBot.message.id)).toHaveLength(0);
    expect(botRepliesTo(unlisted.thread.id, unlisted.message.id)).toHaveLength(0);
    expect(emulator.messages(byBot.thread.id).filter((m) => m.author.id === BOT.id)).toHaveLength(0);
  });

  it("gives an attachment-only post a short note", async () => {
    const { emulator, replyIn } = await start();
    const { thread, message } = await emulator.createForumPost({
      forumId: HELP_FORUM,
      author: ALICE,
      title: "See screenshot",
      content: "",
      attachments: [
        { id: "1", filename: "screenshot.png", size: 10, url: "https://cdn.example/screenshot.png", proxy_url: "https://cdn.example/screenshot.png" },
      ],
    });
    const note = await replyIn(thread.id, message.id);
    expect(note.content).toMatch(/I can only read text/);
    expect(note.content).not.toMatch(/Sources/);
  });
});

describe("threads", () => {
  it("answers a follow-up mention in a post with the earlier exchange read back from the thread, after a restart", async () => {
    const { emulator, replyIn } = await start();
    const { thread, message } = await emulator.createForumPost({
      forumId: HELP_FORUM,
      author: ALICE,
      title: "Abuse monitoring",
      content: "How long are API inputs and outputs kept for abuse monitoring?",
    });
    await replyIn(thread.id, message.id);
    await bot!.restart();
    queries.length = 0;
    const followUp = await emulator.sendUserMessage({
      channelId: thread.id,
      author: ALICE,
      content: `<@${BOT.id}> and does that change with zero data retention?`,
      mentions: [BOT.id],
    });
    const answer = await replyIn(thread.id, followUp.id);
    expect(queries[0]).toMatch(/zero data retention/);
    expect(queries[0]).toMatch(/abuse monitoring/);
    expect(answer.content).toMatch(/\[1\]/);
  });

  it("answers a mention in a private thread of a text channel, in that thread", async () => {
    const { emulator, replyIn } = await start();
    const thread = await emulator.createThread({ channelId: GENERAL, author: BOB, name: "private question", type: 12 });
    const question = await emulator.sendUserMessage({
      channelId: thread.id,
      author: BOB,
      content: `<@${BOT.id}> is data encrypted at rest?`,
      mentions: [BOT.id],
    });
    const answer = await replyIn(thread.id, question.id);
    expect(answer.content).toMatch(/^Hi <@100000000000000002>!/);
    expect(ids(answer)).toEqual(["docent:fb:up", "docent:fb:down"]);
  });

  it("links the review message to the post, with the post's title in the redacted question", async () => {
    const { emulator, replyIn } = await start({ review: { channelId: REVIEW, mode: "all", moderatorRoleIds: new Set() } });
    const { thread, message } = await emulator.createForumPost({
      forumId: HELP_FORUM,
      author: ALICE,
      title: "Certifications question",
      content: "I'm alice@example.org: what certifications does OpenAI have?",
    });
    const answer = await replyIn(thread.id, message.id);
    const review = (await emulator.waitFor<{ message: Message }>((e) => e.type === "message_create" && e.message.channel_id === REVIEW)).message;
    expect(review.content).toContain(`in <#${thread.id}>`);
    expect(review.content).toContain(`/${thread.id}/${answer.id})`);
    const record = review.embeds.find((e) => e.title === "Record")!;
    const question = record.fields?.find((f) => /Question/.test(f.name))?.value ?? "";
    expect(question).toMatch(/Certifications question/);
    expect(question).not.toContain("alice@example.org");
    // A 👎 on a forum answer is counted on its review, as for mentions.
    const down = await emulator.clickButton({ channelId: thread.id, messageId: answer.id, customId: "docent:fb:down", user: BOB });
    await emulator.waitFor((e) => e.type === "interaction_callback" && e.interactionId === down.id);
    await emulator.waitFor((e) => e.type === "message_update" && e.message.id === review.id);
    expect(emulator.message(review.id)!.embeds[0]!.footer?.text).toBe("👍 0 · 👎 1");
  });
});

describe("load and safety", () => {
  it("answers a burst of 50 posts or tells them it is busy, losing none", async () => {
    const { emulator, botRepliesTo } = await start({ load: { maxConcurrent: 2, maxQueued: 5 } });
    let release!: () => void;
    gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const posts: Array<Awaited<ReturnType<typeof emulator.createForumPost>>> = [];
    for (let i = 0; i < 50; i++) {
      posts.push(
        await emulator.createForumPost({
          forumId: HELP_FORUM,
          author: { id: String(200000000000000000n + BigInt(i)), username: `member${i}` },
          title: `Question ${i}`,
          content: "Is data encrypted at rest?",
          order: i % 2 === 0 ? "thread-first" : "message-first",
        }),
      );
    }
    // 50 posts, one reply each: 7 slots (2 running, 5 waiting) and 43 busy notices, given while the answers wait.
    const busyIn = (threadId: string, messageId: string) => botRepliesTo(threadId, messageId).some((m) => /answering a lot of questions/.test(m.content));
    const allReplied = () => posts.every((p) => botRepliesTo(p.thread.id, p.message.id).length > 0);
    while (posts.filter((p) => busyIn(p.thread.id, p.message.id)).length < 43) {
      await emulator.waitFor((e) => e.type === "message_create" && e.message.author.id === BOT.id, 10_000);
    }
    release();
    gate = null;
    while (!allReplied()) await emulator.waitFor((e) => e.type === "message_create" && e.message.author.id === BOT.id, 10_000);
    const replies = posts.map((p) => botRepliesTo(p.thread.id, p.message.id));
    expect(replies.every((r) => r.length === 1)).toBe(true);
    expect(replies.filter((r) => /Sources/.test(r[0]!.content))).toHaveLength(7);
    expect(replies.filter((r) => /answering a lot of questions/.test(r[0]!.content))).toHaveLength(43);
  });

  it("handles a post archived, or deleted, before the answer without an error", async () => {
    const { emulator, replyIn, logsMatching } = await start();
    queries.length = 0;
    let release!: () => void;
    gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const archived = await emulator.createForumPost({ forumId: HELP_FORUM, author: ALICE, title: "Archived", content: "Is data encrypted at rest?" });
    const deleted = await emulator.createForumPost({ forumId: HELP_FORUM, author: BOB, title: "Deleted", content: "Is data encrypted at rest?" });
    const locked = await emulator.createForumPost({ forumId: HELP_FORUM, author: MOD, title: "Locked", content: "Is data encrypted at rest?" });
    // All three are being answered (searching, held at the gate) when their posts go away.
    await searched(3);
    await emulator.archiveThread(archived.thread.id);
    await emulator.deleteThread(deleted.thread.id);
    await emulator.archiveThread(locked.thread.id, true, true);
    release();
    gate = null;
    // An archived (unlocked) post is reopened by the answer, as on Discord.
    await replyIn(archived.thread.id, archived.message.id);
    expect(emulator.channel(archived.thread.id)!.thread_metadata?.archived).toBe(false);
    await logsMatching(/"event":"forum_post_gone"/, 2);
    expect(emulator.messages(locked.thread.id).filter((m) => m.author.id === BOT.id)).toHaveLength(0);
    expect(errorLines()).toEqual([]);
  });

  it("without Manage Threads still answers, and reports the missing permission once, in /docent status", async () => {
    const { emulator, replyIn, logLines, logsMatching } = await start({ botCanManageThreads: false });
    for (const title of ["First", "Second"]) {
      const { thread, message } = await emulator.createForumPost({
        forumId: HELP_FORUM,
        author: ALICE,
        title,
        content: "Is data encrypted at rest?",
        tags: [TAG.billing],
      });
      const answer = await replyIn(thread.id, message.id);
      expect(answer.content).toMatch(/Sources/);
      await emulator.waitFor((e) => e.type === "rest_request" && e.method === "PATCH" && e.path === `/channels/${thread.id}`);
      expect(emulator.channel(thread.id)!.applied_tags).toEqual([TAG.billing]);
    }
    await logsMatching(/"event":"forum_setup_problem"/, 1);
    expect(logLines.filter((line) => line.includes('"event":"forum_setup_problem"'))).toHaveLength(1);
    const status = await emulator.runSlashCommand({
      channelId: GENERAL,
      user: MOD,
      name: "docent",
      options: [{ name: "status", type: 1, value: "" }] as never,
    });
    const edit = await emulator.waitFor<{ messageId: string }>((e) => e.type === "webhook_edit" && e.interactionId === status.id);
    expect(emulator.message(edit.messageId)!.content).toMatch(/lacks Manage Threads in <#410000000000000001>/);
    expect(emulator.message(edit.messageId)!.flags & EPHEMERAL).toBe(EPHEMERAL);
  });

  it("reports a configured tag the forum lacks, and still answers", async () => {
    const { emulator, replyIn, health } = await start({ settings: { forumAnsweredTag: "Docent answered" } });
    const { thread, message } = await emulator.createForumPost({ forumId: HELP_FORUM, author: ALICE, title: "Tags", content: "Is data encrypted at rest?" });
    const answer = await replyIn(thread.id, message.id);
    expect(answer.content).toMatch(/Sources/);
    await bot!.logsMatching(/"event":"forum_setup_problem"/, 1);
    expect(health.statusLines(new Set([HELP_FORUM])).join("\n")).toMatch(/has no tag named "Docent answered" \(FORUM_ANSWERED_TAG\)/);
    expect(emulator.channel(thread.id)!.applied_tags).toEqual([]);
  });

  it("puts a refused forum post, title included, in the knowledge gaps report", async () => {
    const { emulator, replyIn } = await start({ review: { channelId: REVIEW, mode: "all", moderatorRoleIds: new Set() } });
    const mirrored = emulator.waitFor((e) => e.type === "message_create" && e.message.channel_id === REVIEW);
    const { thread, message } = await emulator.createForumPost({
      forumId: HELP_FORUM,
      author: ALICE,
      title: "Sourdough starter question",
      content: "What's a good recipe for banana bread?",
    });
    await replyIn(thread.id, message.id);
    await mirrored;
    const gaps = await emulator.runSlashCommand({
      channelId: GENERAL,
      user: MOD,
      name: "docent",
      options: [{ name: "gaps", type: 1, value: "" }] as never,
      memberPermissions: MANAGE_MESSAGES,
    });
    const edit = await emulator.waitFor<{ messageId: string }>((e) => e.type === "webhook_edit" && e.interactionId === gaps.id, 15_000);
    const report = emulator.message(edit.messageId)!.content;
    expect(report).toMatch(/Reviewed 1 question/);
    expect(report.toLowerCase()).toMatch(/sourdough starter question/);
  });

  it("lets a moderator remove a forum answer from its review message", async () => {
    const { emulator, replyIn } = await start({ review: { channelId: REVIEW, mode: "all", moderatorRoleIds: new Set() } });
    const { thread, message } = await emulator.createForumPost({
      forumId: HELP_FORUM,
      author: ALICE,
      title: "Remove me",
      content: "Is data encrypted at rest?",
    });
    const answer = await replyIn(thread.id, message.id);
    const review = (await emulator.waitFor<{ message: Message }>((e) => e.type === "message_create" && e.message.channel_id === REVIEW)).message;
    const removed = emulator.waitFor((e) => e.type === "message_delete" && e.id === answer.id);
    await emulator.clickButton({ channelId: REVIEW, messageId: review.id, customId: "docent:review:remove", user: MOD, memberPermissions: MANAGE_MESSAGES });
    await removed;
    expect(emulator.message(answer.id)).toBeUndefined();
  });
});

describe("forum posts with REVIEW_MODE=approve", () => {
  const APPROVE = { channelId: REVIEW, mode: "approve" as const, moderatorRoleIds: new Set<string>() };
  /** The review message about a reply: already posted, or the next one to arrive. */
  const reviewOf = async (replyId: string): Promise<Message> => {
    const isAbout = (m: Message) => m.channel_id === REVIEW && m.content.includes(`/${replyId})`);
    const existing = bot!.emulator.messages(REVIEW).find(isAbout);
    if (existing) return existing;
    return (await bot!.emulator.waitFor<{ message: Message }>((e) => e.type === "message_create" && isAbout(e.message))).message;
  };
  const decide = async (reviewId: string, action: "approve" | "reject", placeholderId: string) => {
    const edited = bot!.emulator.waitFor((e) => e.type === "message_update" && e.message.id === placeholderId);
    const verdict = bot!.emulator.waitFor((e) => e.type === "message_update" && e.message.id === reviewId);
    await bot!.emulator.clickButton({
      channelId: REVIEW,
      messageId: reviewId,
      customId: `docent:review:${action}`,
      user: MOD,
      memberPermissions: MANAGE_MESSAGES,
    });
    await Promise.all([edited, verdict]);
    return bot!.emulator.message(placeholderId)!;
  };

  it("posts an approved answer as a direct one: Solved button, answered tag, Solved works; a follow-up mention stays a plain answer", async () => {
    const { emulator, replyIn, logLines } = await start({ review: APPROVE });
    const { thread, message } = await emulator.createForumPost({
      forumId: HELP_FORUM,
      author: ALICE,
      title: "Encryption",
      content: "Is data encrypted at rest?",
      tags: [TAG.billing],
    });
    const placeholder = await replyIn(thread.id, message.id);
    expect(placeholder.content).toMatch(/A moderator will check my answer/);
    expect(ids(placeholder)).toEqual([]);
    const review = await reviewOf(placeholder.id);
    expect(review.content).toMatch(/Draft answer waiting for approval/);
    // Nothing is answered yet: the post carries only the poster's tag until a moderator decides.
    expect(emulator.channel(thread.id)!.applied_tags).toEqual([TAG.billing]);

    const tagged = emulator.waitFor((e) => e.type === "thread_update" && e.thread.id === thread.id);
    const answer = await decide(review.id, "approve", placeholder.id);
    await tagged;
    expect(answer.content).toBe(review.embeds[0]!.description);
    expect(answer.content).toMatch(new RegExp(`^Hi <@${ALICE.id}>!`));
    expect(ids(answer)).toEqual(["docent:fb:up", "docent:fb:down", "docent:forum:solved"]);
    expect(answer.allowed_mentions).toEqual({ parse: [], users: [ALICE.id], replied_user: true });
    expect(emulator.channel(thread.id)!.applied_tags).toEqual([TAG.billing, TAG.answered]);
    expect(JSON.stringify(emulator.message(review.id)!.embeds)).toMatch(/Approved and posted/);

    const solved = await emulator.clickButton({ channelId: thread.id, messageId: answer.id, customId: "docent:forum:solved", user: ALICE });
    await emulator.waitFor((e) => e.type === "interaction_callback" && e.interactionId === solved.id);
    await bot!.logsMatching(/"event":"forum_solved"/, 1);
    expect(emulator.channel(thread.id)!.applied_tags).toEqual([TAG.billing, TAG.answered, TAG.solved]);
    expect(ids(emulator.message(answer.id)!)).toEqual(["docent:fb:up", "docent:fb:down"]);
    // Counted and logged once, when answered, as a direct answer is.
    expect(logLines.filter((line) => line.includes('"event":"answered"') && line.includes('"via":"forum"'))).toHaveLength(1);

    // A follow-up mention in the post is a mention: approved, it is a plain answer, without a second Solved button.
    const followUp = await emulator.sendUserMessage({ channelId: thread.id, author: ALICE, content: `<@${BOT.id}> and in transit?`, mentions: [BOT.id] });
    const second = await replyIn(thread.id, followUp.id);
    const later = await decide((await reviewOf(second.id)).id, "approve", second.id);
    expect(ids(later)).toEqual(["docent:fb:up", "docent:fb:down"]);
    expect(errorLines()).toEqual([]);
  });

  it("after a restart, posts a draft approved once its post was archived: the post is reopened and tagged", async () => {
    const { emulator, replyIn } = await start({ review: APPROVE });
    const { thread, message } = await emulator.createForumPost({
      forumId: HELP_FORUM,
      author: ALICE,
      title: "Transit",
      content: "Is data encrypted in transit?",
    });
    const placeholder = await replyIn(thread.id, message.id);
    const review = await reviewOf(placeholder.id);
    await emulator.archiveThread(thread.id);
    // Nothing is remembered but what Discord holds: the review message and the placeholder.
    await bot!.restart();
    const tagged = emulator.waitFor((e) => e.type === "thread_update" && e.thread.id === thread.id && e.changed.includes("applied_tags"));
    const answer = await decide(review.id, "approve", placeholder.id);
    await tagged;
    expect(ids(answer)).toEqual(["docent:fb:up", "docent:fb:down", "docent:forum:solved"]);
    expect(emulator.channel(thread.id)!.thread_metadata?.archived).toBe(false);
    expect(emulator.channel(thread.id)!.applied_tags).toEqual([TAG.answered]);
    expect(errorLines()).toEqual([]);
  });

  it("tells the poster when a moderator rejects the answer, tags the post for a human and keeps Solved for later", async () => {
    const { emulator, replyIn } = await start({ review: APPROVE });
    const { thread, message } = await emulator.createForumPost({ forumId: HELP_FORUM, author: BOB, title: "Regions", content: "Can I keep data in Europe?" });
    const placeholder = await replyIn(thread.id, message.id);
    const review = await reviewOf(placeholder.id);
    const tagged = emulator.waitFor((e) => e.type === "thread_update" && e.thread.id === thread.id);
    const note = await decide(review.id, "reject", placeholder.id);
    await tagged;
    expect(note.content).toMatch(/A moderator decided not to post this answer/);
    expect(note.allowed_mentions).toEqual({ parse: [], users: [], replied_user: false });
    expect(ids(note)).toEqual(["docent:forum:solved"]);
    expect(emulator.channel(thread.id)!.applied_tags).toEqual([TAG.needsHuman]);
    expect(JSON.stringify(emulator.message(review.id)!.embeds)).toMatch(/Rejected/);
    // Once a person has helped, the poster closes the post with it.
    const solved = await emulator.clickButton({ channelId: thread.id, messageId: note.id, customId: "docent:forum:solved", user: BOB });
    await emulator.waitFor((e) => e.type === "interaction_callback" && e.interactionId === solved.id);
    await bot!.logsMatching(/"event":"forum_solved"/, 1);
    expect(emulator.channel(thread.id)!.applied_tags).toEqual([TAG.needsHuman, TAG.solved]);
    expect(errorLines()).toEqual([]);
  });
});
