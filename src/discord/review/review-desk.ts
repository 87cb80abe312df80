import {
  ActionRowBuilder,
  type ButtonInteraction,
  type Client,
  type Message,
  MessageFlags,
  type ModalActionRowComponentBuilder,
  ModalBuilder,
  type ModalSubmitInteraction,
  TextInputBuilder,
  TextInputStyle,
} from "discord.js";
import type { AnswerResult } from "../../answer/answer-types.ts";
import { redact } from "../../answer/guards/redact.ts";
import { type ReviewKind, readRecord } from "../../gaps/review-record.ts";
import type { Logger } from "../../log.ts";
import { KeyedQueue } from "../per-key.ts";
import { answerPayload, noticePayload } from "../reply-payload.ts";
import { isModerator } from "./permissions.ts";
import {
  buildReviewMessage,
  parseReviewMessage,
  type ReviewAction,
  type ReviewContext,
  reviewActionOf,
  reviewIsAbout,
  type verdictEmbed,
  WRONG_NOTE_FIELD,
  WRONG_NOTE_MODAL,
  withVerdict,
  withVotes,
} from "./review-message.ts";
import { castVote, type Vote, withVoter } from "./votes.ts";

export type ReviewMode = "all" | "flagged" | "approve" | "off";

export interface ReviewSettings {
  channelId: string | null;
  mode: ReviewMode;
  moderatorRoleIds: ReadonlySet<string>;
}

export const REJECTED_TEXT = "A moderator decided not to post this answer. Please ask the moderators here, or check the policy pages directly.";
const PRIVATE = MessageFlags.Ephemeral | MessageFlags.SuppressEmbeds;

/** A moderator's decision on a draft (approve mode), read from its review message: what to post, and where. */
export interface DraftDecision {
  verdict: "approved" | "rejected";
  /** The bot's placeholder the decision replaces; null when it is gone (or, for `/ask`, there never was one). */
  placeholder: Message | null;
  askerId: string | null;
  /** The draft exactly as the moderator saw it in the review message. */
  answerContent: string;
  /** What the engine made of the question (answered, uncertain...), from the review's record; null if it cannot be read. */
  kind: ReviewKind | null;
}

/**
 * Posts a decided draft in a form of its own (a forum post's answer, with its Solved button and tags) and returns
 * true, or returns false to leave it to the desk's plain edit, as for mentions.
 */
export type DraftPublisher = (decision: DraftDecision) => Promise<boolean>;

/**
 * The moderators' side: mirrors answers to the review channel and carries out review buttons. The review
 * message is the only record; every action re-reads it and checks it really is a Docent review message in the
 * review channel, and that the clicking member is a moderator, before doing anything.
 */
export class ReviewDesk {
  /** Mirroring and votes of one answer run one at a time, so concurrent clicks find (not duplicate) its review. */
  private readonly perAnswer = new KeyedQueue();
  /** Review message ids of answers this process mirrored, so a review older than the last 100 messages is still found. */
  private readonly reviewIds = new Map<string, string>();
  /** Set by the forum desk: approved and rejected drafts of forum posts are posted the way it posts answers. */
  private publisher: DraftPublisher | null = null;

  constructor(
    private readonly client: Client,
    readonly settings: ReviewSettings,
    private readonly logger: Logger,
  ) {}

  /** Hands decided drafts to `publisher` first (one publisher: the forum desk). */
  publishDraftsWith(publisher: DraftPublisher): void {
    this.publisher = publisher;
  }

  get approvalRequired(): boolean {
    return this.settings.mode === "approve" && this.settings.channelId !== null;
  }

  /** Posts the review message for an answer, when the mode asks for it. Never throws: a review failure must not cost the asker their answer. */
  async mirror(result: AnswerResult | null, context: ReviewContext, question = ""): Promise<Message | null> {
    const answerId = context.privateAnswerId ?? context.replyMessageId;
    return answerId ? this.perAnswer.run(answerId, () => this.post(result, context, question)) : this.post(result, context, question);
  }

  private async post(result: AnswerResult | null, context: ReviewContext, question = ""): Promise<Message | null> {
    const { channelId, mode } = this.settings;
    if (!channelId || mode === "off") return null;
    const flagged = result === null || result.refused || Boolean(result.fallbackReason) || Boolean(context.flaggedBy);
    if (mode === "flagged" && !flagged) return null;
    try {
      const channel = await this.client.channels.fetch(channelId);
      if (!channel?.isSendable()) throw new Error("review channel is not a text channel the bot can post in");
      const built = buildReviewMessage(result, context, question);
      // The member whose 👎 caused this review is its first recorded vote.
      const embeds = context.flaggedBy ? withVoter(built.embeds, context.flaggedBy, "down") : built.embeds;
      const message = await channel.send({ ...built, embeds, allowedMentions: { parse: [] } });
      this.remember(context.privateAnswerId ?? context.replyMessageId, message.id);
      this.logger.info({ event: "review_posted", reviewMessageId: message.id, replyMessageId: context.replyMessageId }, "answer mirrored to review channel");
      return message;
    } catch (error) {
      this.logger.warn({ event: "review_post_failed", err: String((error as Error)?.message ?? error).slice(0, 200) }, "could not post to the review channel");
      return null;
    }
  }

  /**
   * A member's 👍/👎 on an answer, counted once per member on its review message; a 👎 on an answer that has
   * none posts one. Votes on one answer are handled one at a time, so repeated or simultaneous clicks neither
   * post a second review nor count twice.
   */
  async recordVote(answer: Message, voterId: string, vote: Vote): Promise<void> {
    const { channelId, mode } = this.settings;
    if (!channelId || mode === "off") return;
    const outcome = await this.perAnswer.run(answer.id, () => this.castVote(answer, voterId, vote));
    this.logger.info({ event: "vote_recorded", outcome, vote, answerId: answer.id, userId: voterId }, "answer vote handled");
  }

  private async castVote(answer: Message, voterId: string, vote: Vote): Promise<string> {
    const review = await this.findReviewOf(answer.id);
    if (review) {
      const cast = castVote(
        review.embeds.map((e) => e.toJSON()),
        voterId,
        vote,
      );
      if (cast.outcome === "counted" || cast.outcome === "changed") {
        // The record embed carries the counts too (the gaps report reads it): update both in one edit.
        const counts = parseReviewMessage({ content: "", embeds: cast.embeds }).votes;
        await review.edit({ embeds: withVotes(cast.embeds, counts), allowedMentions: { parse: [] } });
      }
      return cast.outcome;
    }
    if (vote === "up") return "not_mirrored";
    const questionMessage = answer.reference?.messageId ? await answer.fetchReference().catch(() => null) : null;
    const ephemeral = answer.flags.has(MessageFlags.Ephemeral);
    const posted = await this.post(
      null,
      {
        askerId: questionMessage?.author.id ?? voterId,
        guildId: answer.guildId,
        channelId: answer.channelId,
        replyMessageId: ephemeral ? null : answer.id,
        privateAnswerId: ephemeral ? answer.id : null,
        answerContent: answer.content,
        pending: false,
        flaggedBy: voterId,
      },
      redact(questionMessage?.content ?? "").text,
    );
    return posted ? "review_posted" : "review_failed";
  }

  isReviewInteraction(customId: string): boolean {
    return reviewActionOf(customId) !== null || customId === WRONG_NOTE_MODAL;
  }

  async handleButton(interaction: ButtonInteraction): Promise<void> {
    const action = reviewActionOf(interaction.customId);
    if (!action || !(await this.authorise(interaction, interaction.message))) return;
    if (action === "wrong") {
      const note = new TextInputBuilder()
        .setCustomId(WRONG_NOTE_FIELD)
        .setLabel("What is wrong? (optional)")
        .setStyle(TextInputStyle.Paragraph)
        .setRequired(false)
        .setMaxLength(800);
      await interaction.showModal(
        new ModalBuilder()
          .setCustomId(WRONG_NOTE_MODAL)
          .setTitle("Mark answer wrong")
          .addComponents(new ActionRowBuilder<ModalActionRowComponentBuilder>().addComponents(note)),
      );
      return;
    }
    await this.apply(action, interaction, interaction.message);
  }

  async handleModal(interaction: ModalSubmitInteraction): Promise<void> {
    if (interaction.customId !== WRONG_NOTE_MODAL || !interaction.message || !(await this.authorise(interaction, interaction.message))) return;
    const note = interaction.fields.getTextInputValue(WRONG_NOTE_FIELD).trim();
    await this.apply("wrong", interaction, interaction.message, note);
  }

  /** Forged or stray buttons, and non-moderators, are refused privately; returns whether to go on. */
  private async authorise(interaction: ButtonInteraction | ModalSubmitInteraction, message: Message): Promise<boolean> {
    const genuine = message.author.id === this.client.user?.id && message.channelId === this.settings.channelId;
    if (!genuine) {
      this.logger.warn(
        { event: "review_forged", userId: interaction.user.id, messageId: message.id },
        "review action on a message that is not a review message",
      );
      await interaction.reply({ ...noticePayload("That button does not belong to a Docent review message, so I ignored it."), flags: PRIVATE });
      return false;
    }
    if (!isModerator(interaction, this.settings.moderatorRoleIds)) {
      await interaction.reply({ ...noticePayload("Only moderators can review answers."), flags: PRIVATE });
      return false;
    }
    return true;
  }

  private async apply(action: ReviewAction, interaction: ButtonInteraction | ModalSubmitInteraction, review: Message, note?: string): Promise<void> {
    const parsed = parseReviewMessage(review);
    const moderatorId = interaction.user.id;
    let verdict: Parameters<typeof verdictEmbed>[0];
    if (action === "remove" || action === "approve" || action === "reject") {
      const target = await this.fetchBotMessage(parsed.channelId, parsed.replyMessageId);
      if (action === "remove") {
        await target?.delete();
        verdict = "removed";
      } else {
        verdict = action === "approve" ? "approved" : "rejected";
        const record = readRecord(review.embeds.map((e) => e.toJSON()));
        // The answer text is taken from the review message itself: nothing else remembers it.
        const decision: DraftDecision = {
          verdict,
          placeholder: target,
          askerId: parsed.askerId,
          answerContent: parsed.answerContent,
          kind: record.status === "ok" ? record.record.kind : null,
        };
        if (!(await this.publisher?.(decision))) await this.publishPlainly(decision, parsed.askedInChannelId);
      }
    } else {
      verdict = action === "correct" ? "correct" : "wrong";
    }
    const embeds = withVerdict(
      review.embeds.map((e) => e.toJSON()),
      verdict,
      moderatorId,
      new Date(),
      note,
    );
    // Remove, approve and reject are final; correct/wrong can still be changed, and the answer still removed.
    const components = verdict === "correct" || verdict === "wrong" ? review.components.map((row) => row.toJSON()) : [];
    const update = { embeds, components, allowedMentions: { parse: [] as [] } };
    if (interaction.isButton()) await interaction.update(update);
    else if (interaction.isFromMessage()) await interaction.update(update);
    this.logger.info({ event: "review_verdict", verdict, moderatorId, reviewMessageId: review.id }, "review verdict recorded");
  }

  /** The answer or placeholder a review points at, only if it is the bot's own message. */
  private async fetchBotMessage(channelId: string | null, messageId: string | null): Promise<Message | null> {
    if (!channelId || !messageId) return null;
    const channel = await this.client.channels.fetch(channelId).catch(() => null);
    if (!channel?.isTextBased()) return null;
    const message = await channel.messages.fetch(messageId).catch(() => null);
    return message && message.author.id === this.client.user?.id ? message : null;
  }

  /** A decided draft as a mentions' reply: the placeholder edited into the answer or the note (or, for /ask, a new message). */
  private async publishPlainly(decision: DraftDecision, askedInChannelId: string | null): Promise<void> {
    const { placeholder } = decision;
    if (decision.verdict === "rejected") {
      if (placeholder) await placeholder.edit({ content: REJECTED_TEXT, components: [], allowedMentions: { parse: [] } });
      return;
    }
    const payload = answerPayload(decision.answerContent, { pingUserId: decision.askerId });
    if (placeholder) await placeholder.edit({ content: payload.content, components: payload.components, allowedMentions: payload.allowedMentions });
    else await this.postInChannel(askedInChannelId, payload);
  }

  private async postInChannel(channelId: string | null, payload: ReturnType<typeof answerPayload>): Promise<void> {
    if (!channelId) return;
    const channel = await this.client.channels.fetch(channelId).catch(() => null);
    if (channel?.isSendable()) await channel.send(payload);
  }

  /** The review message of an answer: the one this process posted for it, else a recent one that names it. */
  private async findReviewOf(answerId: string): Promise<Message | null> {
    const channel = await this.client.channels.fetch(this.settings.channelId!).catch(() => null);
    if (!channel?.isTextBased()) return null;
    const isReview = (m: Message) => m.author.id === this.client.user?.id && reviewIsAbout(m.content, answerId);
    const knownId = this.reviewIds.get(answerId);
    // Always from Discord, never discord.js's cache: the cached copy may predate the last vote's edit.
    const known = knownId ? await channel.messages.fetch({ message: knownId, force: true }).catch(() => null) : null;
    if (known && isReview(known)) return known;
    const recent = await channel.messages.fetch({ limit: 100 }).catch(() => null);
    return recent?.find(isReview) ?? null;
  }

  private remember(answerId: string | null | undefined, reviewId: string): void {
    if (!answerId) return;
    this.reviewIds.set(answerId, reviewId);
    if (this.reviewIds.size > 10_000) this.reviewIds.delete(this.reviewIds.keys().next().value!);
  }
}
