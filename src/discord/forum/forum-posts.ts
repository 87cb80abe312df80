import {
  ActionRowBuilder,
  type AnyThreadChannel,
  ButtonBuilder,
  type ButtonInteraction,
  ButtonStyle,
  ChannelType,
  type Client,
  DiscordAPIError,
  Events,
  type Message,
  MessageFlags,
  type MessageActionRowComponentBuilder,
  PermissionFlagsBits,
  RESTJSONErrorCodes,
} from "discord.js";
import { answerQuestion, type EngineDeps } from "../../answer/engine/answer-question.ts";
import { type BotMetrics, isDeadlineFallback, outcomeOf } from "../bot-metrics.ts";
import type { AnswerResult } from "../../answer/answer-types.ts";
import type { ForumConfig } from "../../config.ts";
import { kindOf } from "../../gaps/review-record.ts";
import type { Logger } from "../../log.ts";
import { isAllowedChannel } from "../channel-allowlist.ts";
import { formatDiscordAnswer } from "../format-reply.ts";
import type { Admission, LoadControl } from "../load-control.ts";
import { OncePerKey } from "../per-key.ts";
import { answerPayload, noticePayload, type ReplyPayload } from "../reply-payload.ts";
import { isModerator } from "../review/permissions.ts";
import { type DraftDecision, REJECTED_TEXT, type ReviewDesk } from "../review/review-desk.ts";
import type { ForumHealth } from "./forum-health.ts";
import { type PostTag, planTag, postTagOf } from "./forum-tags.ts";
import { forumPostQuestion } from "./thread-follow-up.ts";

/** The Solved button under Docent's answer in a forum post. */
export const SOLVED_ID = "docent:forum:solved";

export const ATTACHMENT_ONLY_NOTE =
  "I can only read text, so I can't see what's in this post's attachment. Please describe your question in a message here and mention me.";
const PRIVATE = MessageFlags.Ephemeral | MessageFlags.SuppressEmbeds;

export interface ForumDeps {
  engine: EngineDeps;
  load: LoadControl;
  logger: Logger;
  allowedChannels: ReadonlySet<string> | null;
  desk: ReviewDesk;
  settings: ForumConfig;
  health: ForumHealth;
  /** Notices shared with mentions (busy, cooldown), so members read the same words everywhere. */
  admissionNotice: (admission: Exclude<Admission, { ok: true }>) => string;
  awaitingApproval: string;
  /** Operators' counters (METRICS_PORT): a post is asked "forum". */
  metrics?: BotMetrics;
  /** Counts work as in flight, so a graceful shutdown waits for it. */
  track?: <T>(work: Promise<T>) => Promise<T>;
  /** Whether this process answers a post; false when the other process of its shard took it (rolling restart). */
  claimed?: (id: string) => Promise<boolean>;
}

/**
 * Help-forum posts: a new post in a forum of FORUM_CHANNEL_IDS (or one that mentions Docent) is answered in its
 * thread, replying to the starter message, with its title as part of the question. Discord sends THREAD_CREATE and
 * the starter's MESSAGE_CREATE in either order (and discord.js drops a message whose thread it has not seen yet),
 * so both events lead here and the post's id is claimed first: each post is answered once. Tags and the Solved
 * button come after the answer and never stand in its way.
 */
export class ForumDesk {
  private readonly answered = new OncePerKey();
  /** Posts being (or already) marked solved: two quick clicks post one note. */
  private readonly solved = new OncePerKey();

  constructor(
    private readonly client: Client,
    private readonly deps: ForumDeps,
  ) {}

  /**
   * Listens for new posts; starter messages arrive through the bot's message handler ({@link handlesStarter}).
   * Moderators' decisions on posts' drafts (approve mode) come here too, so they are posted as answers are.
   */
  attach(): void {
    this.deps.desk.publishDraftsWith((decision) => this.publishDecision(decision));
    this.client.on(Events.ThreadCreate, (thread, newlyCreated) => {
      if (!newlyCreated || !isForumThread(thread)) return;
      const work = this.onNewPost(thread).catch((error) => this.logFailure(thread.id, error));
      void (this.deps.track ? this.deps.track(work) : work);
    });
  }

  /** Whether a message is a forum post's starter message this desk answers (listed forum, or Docent mentioned). */
  handlesStarter(message: Message): boolean {
    const thread = message.channel;
    if (!thread.isThread() || message.id !== thread.id || !isForumThread(thread)) return false;
    return this.deps.settings.forumChannelIds.has(thread.parentId ?? "") || this.mentionsMe(message);
  }

  async answerStarter(message: Message): Promise<void> {
    const thread = message.channel;
    if (!thread.isThread()) return;
    await this.answerPost(thread, message);
  }

  isSolvedButton(customId: string): boolean {
    return customId === SOLVED_ID;
  }

  private async onNewPost(thread: AnyThreadChannel): Promise<void> {
    if (thread.ownerId === this.client.user?.id) return;
    // Outside the allowlist nothing is fetched: the post would not be answered anyway.
    if (!isAllowedChannel(this.deps.allowedChannels, { channelId: thread.id, channel: thread })) return;
    const listed = this.deps.settings.forumChannelIds.has(thread.parentId ?? "");
    // The starter may not exist yet (thread first): its MESSAGE_CREATE then follows and is handled there.
    const starter = await thread.fetchStarterMessage().catch(() => null);
    if (!starter || !(listed || this.mentionsMe(starter))) return;
    await this.answerPost(thread, starter);
  }

  private mentionsMe(message: Message): boolean {
    const me = this.client.user;
    return me !== null && message.mentions.users.has(me.id);
  }

  private async answerPost(thread: AnyThreadChannel, starter: Message): Promise<void> {
    if (starter.author.bot || starter.webhookId) return;
    if (!isAllowedChannel(this.deps.allowedChannels, { channelId: thread.id, channel: thread })) return;
    if (this.answered.claim(thread.id) !== "claimed") return;
    // During a rolling restart both processes of the shard see the post: one answers it.
    if (this.deps.claimed && !(await this.deps.claimed(`forum-post:${thread.id}`))) return;
    try {
      await this.answer(thread, starter);
    } catch (error) {
      if (!isGone(error)) throw error;
      // Deleted, or archived and locked, before the answer was ready: nobody is left to read it.
      this.deps.logger.info({ event: "forum_post_gone", threadId: thread.id, code: (error as DiscordAPIError).code }, "forum post closed before the answer");
    } finally {
      // Once, even after a failure: the other event of the pair must not answer it a second time.
      this.answered.finish(thread.id, true);
    }
  }

  private async answer(thread: AnyThreadChannel, starter: Message): Promise<void> {
    const { deps } = this;
    const posterId = starter.author.id;
    const text = starter.content.replace(/<@!?\d+>/g, " ").trim();
    if (text === "") {
      await replyTo(thread, starter, answerPayload(`Hi <@${posterId}>! ${ATTACHMENT_ONLY_NOTE}`, { pingUserId: posterId, withFeedback: false }));
      deps.logger.info({ event: "forum_post_without_text", threadId: thread.id }, "forum post had no text");
      return;
    }
    deps.metrics?.asked("forum");
    const admission = deps.load.admit(posterId);
    if (!admission.ok) {
      if (admission.reason === "cooldown") deps.metrics?.cooldownRejected();
      else deps.metrics?.answered("busy", Math.max(0, Date.now() - starter.createdTimestamp));
      deps.logger.info({ event: "question_deferred", via: "forum", outcome: "busy", reason: admission.reason, userId: posterId }, "question turned away");
      await replyTo(thread, starter, noticePayload(deps.admissionNotice(admission)));
      return;
    }
    let result: AnswerResult;
    try {
      await thread.sendTyping().catch(() => {});
      result = await admission.slot.run(() => answerQuestion(deps.engine, forumPostQuestion(thread.name, text)));
    } finally {
      admission.slot.release();
    }
    if (result.fallbackReason) deps.metrics?.chatFallback(isDeadlineFallback(result.fallbackReason));
    deps.metrics?.answered(outcomeOf(result), Math.max(0, Date.now() - starter.createdTimestamp));
    deps.logger.info(
      {
        event: "answered",
        via: "forum",
        id: thread.id,
        outcome: outcomeOf(result),
        refused: result.refused,
        mode: result.mode,
        passages: result.passages.length,
        ms: result.timings.totalMs,
      },
      "question answered",
    );
    const content = formatDiscordAnswer(result, posterId);
    const answer = answerPayload(content, { pingUserId: posterId });
    const where = { askerId: posterId, guildId: thread.guildId, channelId: thread.id };
    if (deps.desk.approvalRequired && !result.refused) {
      const placeholder = await replyTo(thread, starter, noticePayload(deps.awaitingApproval));
      const review = await deps.desk.mirror(result, { ...where, replyMessageId: placeholder.id, answerContent: content, pending: true });
      // No review message, no moderator to approve: answer rather than leave the member waiting forever. Otherwise
      // the post stays untagged until a moderator decides ({@link publishDecision}).
      if (!review) await this.publish(thread, { placeholder }, answer, postTagOf(kindOf(result)));
      return;
    }
    const reply = await this.publish(thread, { replyTo: starter }, answer, postTagOf(kindOf(result)));
    await deps.desk.mirror(result, { ...where, replyMessageId: reply.id, answerContent: content, pending: false });
  }

  /**
   * The one way a post gets Docent's answer, directly or once a moderator decided: the message (new, or the
   * placeholder edited) with the Solved button under its own buttons, then the post's tag.
   */
  private async publish(
    thread: AnyThreadChannel,
    where: { replyTo: Message } | { placeholder: Message },
    payload: ReplyPayload,
    tag: PostTag,
  ): Promise<Message> {
    const body = withSolvedButton(payload);
    const message = "placeholder" in where ? await where.placeholder.edit(body) : await replyTo(thread, where.replyTo, body);
    const { settings } = this.deps;
    await this.addTag(
      thread,
      tag === "needs-human" ? settings.forumNeedsHumanTag : settings.forumAnsweredTag,
      tag === "needs-human" ? "FORUM_NEEDS_HUMAN_TAG" : "FORUM_ANSWERED_TAG",
    );
    return message;
  }

  /**
   * A moderator approved or rejected the draft of a post's answer: its placeholder (the bot's reply to the starter
   * message) becomes the answer, tagged as a direct answer would be, or the rejection note, tagged for a human and
   * keeping the Solved button for when one has helped. Anything else (a follow-up mention in a post, /ask) is left
   * to the review desk.
   */
  private async publishDecision(decision: DraftDecision): Promise<boolean> {
    const { placeholder } = decision;
    const thread = placeholder?.channel;
    if (!placeholder || !thread?.isThread() || !isForumThread(thread) || placeholder.reference?.messageId !== thread.id) return false;
    // A post archived while the draft waited is reopened, as a direct answer reopens it; a locked one refuses the edit.
    if (thread.archived && !thread.locked)
      await thread.setArchived(false, "Moderator decided on the answer").catch((error) => this.permissionProblem(thread, error, "archive"));
    if (decision.verdict === "approved") {
      // A record that cannot be read still holds a draft the moderator approved: tagged as answered.
      const answer = answerPayload(decision.answerContent, { pingUserId: decision.askerId });
      await this.publish(thread, { placeholder }, answer, postTagOf(decision.kind ?? "answered"));
    } else {
      await this.publish(thread, { placeholder }, noticePayload(REJECTED_TEXT), "needs-human");
    }
    this.deps.logger.info({ event: "forum_draft_decided", threadId: thread.id, verdict: decision.verdict }, "forum post's draft decided");
    return true;
  }

  /** The Solved button: the poster or a moderator tags the post solved (and archives it, if configured). */
  async handleSolved(interaction: ButtonInteraction): Promise<void> {
    const thread = interaction.channel;
    if (!thread?.isThread() || !isForumThread(thread) || interaction.message.author.id !== this.client.user?.id) {
      await interaction.reply({ ...noticePayload("That button only works on my answers in forum posts."), flags: PRIVATE });
      return;
    }
    const userId = interaction.user.id;
    const mayClose =
      userId === thread.ownerId ||
      isModerator(interaction, this.deps.desk.settings.moderatorRoleIds) ||
      interaction.memberPermissions?.has(PermissionFlagsBits.ManageThreads) === true;
    if (!mayClose) {
      await interaction.reply({ ...noticePayload("Only the person who opened this post, or a moderator, can mark it solved."), flags: PRIVATE });
      return;
    }
    const claim = this.solved.claim(thread.id);
    if (claim !== "claimed") {
      await interaction.reply({ ...noticePayload("This post is already marked solved."), flags: PRIVATE });
      return;
    }
    try {
      await this.markSolved(interaction, thread, userId);
    } finally {
      // Kept as done even after a failure: the button is gone by then, and a retry would post a second note.
      this.solved.finish(thread.id, true);
    }
  }

  private async markSolved(interaction: ButtonInteraction, thread: AnyThreadChannel, userId: string): Promise<void> {
    // The button goes; the feedback buttons stay.
    const rows = interaction.message.components.map((row) => row.toJSON() as { type: number; components: Array<{ custom_id?: string }> });
    const kept = rows
      .map((row) => ({ ...row, components: row.components.filter((c) => c.custom_id !== SOLVED_ID) }))
      .filter((row) => row.components.length > 0);
    await interaction.update({ components: kept as never });
    const { settings } = this.deps;
    const tagged = await this.addTag(thread, settings.forumSolvedTag, "FORUM_SOLVED_TAG");
    await interaction.followUp({
      content: `✅ Marked as solved by <@${userId}>.${settings.forumSolvedTag && !tagged ? " (I could not apply the Solved tag; a moderator can see why in /docent status.)" : ""}`,
      allowedMentions: { parse: [] },
      flags: MessageFlags.SuppressEmbeds,
    });
    this.deps.logger.info({ event: "forum_solved", threadId: thread.id, userId }, "forum post marked solved");
    if (settings.forumArchiveOnSolved) {
      await thread.setArchived(true, "Marked solved").catch((error) => this.permissionProblem(thread, error, "archive"));
    }
  }

  /** Adds a configured tag, keeping the post's other tags. A missing tag or permission is reported, never thrown. */
  private async addTag(thread: AnyThreadChannel, name: string | null, variable: string): Promise<boolean> {
    const forum = thread.parent;
    if (!name || !forum || !("availableTags" in forum)) return false;
    const plan = planTag(thread.appliedTags, forum.availableTags, name);
    if (plan.kind === "already") return true;
    if (plan.kind === "missing") {
      this.deps.health.report(
        `tag-missing:${forum.id}:${variable}`,
        `<#${forum.id}> has no tag named "${name}" (${variable}); create it in the forum's settings.`,
      );
      return false;
    }
    if (plan.kind === "full") {
      this.deps.logger.info({ event: "forum_tag_skipped", threadId: thread.id, reason: "five tags already" }, "forum post has no room for a tag");
      return false;
    }
    try {
      await thread.setAppliedTags(plan.tags);
      // Fixed since it was reported: /docent status stops listing it.
      this.deps.health.resolved(`manage-threads:${forum.id}`);
      this.deps.health.resolved(`tag-missing:${forum.id}:${variable}`);
      return true;
    } catch (error) {
      this.permissionProblem(thread, error, "tag");
      return false;
    }
  }

  private permissionProblem(thread: AnyThreadChannel, error: unknown, what: "tag" | "archive"): void {
    const forumId = thread.parentId ?? thread.id;
    if (error instanceof DiscordAPIError && (error.code === RESTJSONErrorCodes.MissingPermissions || error.code === RESTJSONErrorCodes.MissingAccess)) {
      this.deps.health.report(
        `manage-threads:${forumId}`,
        `Docent lacks Manage Threads in <#${forumId}>: posts are answered, but not tagged or archived. Grant it to Docent's role there.`,
      );
      return;
    }
    if (isGone(error)) return;
    this.deps.logger.warn(
      { event: "forum_update_failed", what, threadId: thread.id, code: (error as { code?: unknown })?.code },
      "could not update a forum post",
    );
  }

  private logFailure(threadId: string, error: unknown): void {
    const e = error as { name?: string; code?: unknown };
    this.deps.logger.error({ event: "forum_post_failed", threadId, err: { name: e?.name ?? "Error", code: e?.code } }, "forum post handling failed");
  }
}

function isForumThread(thread: AnyThreadChannel): boolean {
  return thread.parent?.type === ChannelType.GuildForum || thread.parent?.type === ChannelType.GuildMedia;
}

/** The post was deleted (unknown channel/message) or archived and locked before Docent could write in it. */
function isGone(error: unknown): boolean {
  return (
    error instanceof DiscordAPIError &&
    (error.code === RESTJSONErrorCodes.UnknownChannel ||
      error.code === RESTJSONErrorCodes.UnknownMessage ||
      error.code === RESTJSONErrorCodes.InvalidActionOnArchivedThread)
  );
}

/**
 * Replies to the starter message through the thread object in hand: a post deleted meanwhile is gone from
 * discord.js's cache (and `message.reply` would fail on a missing channel), while Discord answers this with a
 * plain Unknown Channel that {@link isGone} recognises.
 */
function replyTo(thread: AnyThreadChannel, starter: Message, payload: ReplyPayload): Promise<Message> {
  return thread.send({ ...payload, reply: { messageReference: starter.id } });
}

function withSolvedButton(payload: ReplyPayload): ReplyPayload {
  const solved = new ButtonBuilder().setCustomId(SOLVED_ID).setLabel("Solved").setEmoji("✅").setStyle(ButtonStyle.Success);
  const [row] = payload.components;
  if (row) row.addComponents(solved);
  else payload.components.push(new ActionRowBuilder<MessageActionRowComponentBuilder>().addComponents(solved));
  return payload;
}
