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
import { redact } from "../../answer/redact.ts";
import type { Logger } from "../../log.ts";
import { answerPayload, noticePayload } from "../reply-payload.ts";
import { isModerator } from "./permissions.ts";
import {
  buildReviewMessage,
  parseReviewMessage,
  type ReviewAction,
  type ReviewContext,
  reviewActionOf,
  type verdictEmbed,
  WRONG_NOTE_FIELD,
  WRONG_NOTE_MODAL,
  withVerdict,
  withVotes,
} from "./review-message.ts";

export type ReviewMode = "all" | "flagged" | "approve" | "off";

export interface ReviewSettings {
  channelId: string | null;
  mode: ReviewMode;
  moderatorRoleIds: ReadonlySet<string>;
}

export const REJECTED_TEXT = "A moderator decided not to post this answer. Please ask the moderators here, or check the policy pages directly.";
const PRIVATE = MessageFlags.Ephemeral | MessageFlags.SuppressEmbeds;

/**
 * The moderators' side: mirrors answers to the review channel and carries out review buttons. The review
 * message is the only record; every action re-reads it and checks it really is a Docent review message in the
 * review channel, and that the clicking member is a moderator, before doing anything.
 */
export class ReviewDesk {
  constructor(
    private readonly client: Client,
    readonly settings: ReviewSettings,
    private readonly logger: Logger,
  ) {}

  get approvalRequired(): boolean {
    return this.settings.mode === "approve" && this.settings.channelId !== null;
  }

  /** Posts the review message for an answer, when the mode asks for it. Never throws: a review failure must not cost the asker their answer. */
  async mirror(result: AnswerResult | null, context: ReviewContext, question = ""): Promise<Message | null> {
    const { channelId, mode } = this.settings;
    if (!channelId || mode === "off") return null;
    const flagged = result === null || result.refused || Boolean(result.fallbackReason) || Boolean(context.flaggedBy);
    if (mode === "flagged" && !flagged) return null;
    try {
      const channel = await this.client.channels.fetch(channelId);
      if (!channel?.isSendable()) throw new Error("review channel is not a text channel the bot can post in");
      const message = await channel.send({ ...buildReviewMessage(result, context, question), allowedMentions: { parse: [] } });
      this.logger.info({ event: "review_posted", reviewMessageId: message.id, replyMessageId: context.replyMessageId }, "answer mirrored to review channel");
      return message;
    } catch (error) {
      this.logger.warn({ event: "review_post_failed", err: String((error as Error)?.message ?? error).slice(0, 200) }, "could not post to the review channel");
      return null;
    }
  }

  /** A member's 👍/👎 on an answer: counted on its review message, or (👎) a new review message. */
  async recordVote(answer: Message, voterId: string, vote: "up" | "down"): Promise<void> {
    const { channelId, mode } = this.settings;
    if (!channelId || mode === "off") return;
    const review = await this.findReviewOf(answer.id);
    if (review) {
      const parsed = parseReviewMessage(review);
      const votes = { up: parsed.votes.up + (vote === "up" ? 1 : 0), down: parsed.votes.down + (vote === "down" ? 1 : 0) };
      await review.edit({ embeds: withVotes(review.embeds.map((e) => e.toJSON()), votes), allowedMentions: { parse: [] } });
      return;
    }
    if (vote === "up") return;
    const questionMessage = answer.reference?.messageId ? await answer.fetchReference().catch(() => null) : null;
    const ephemeral = answer.flags.has(MessageFlags.Ephemeral);
    await this.mirror(
      null,
      {
        askerId: questionMessage?.author.id ?? voterId,
        guildId: answer.guildId,
        channelId: answer.channelId,
        replyMessageId: ephemeral ? null : answer.id,
        answerContent: answer.content,
        pending: false,
        flaggedBy: voterId,
      },
      redact(questionMessage?.content ?? "").text,
    );
  }

  isReviewInteraction(customId: string): boolean {
    return reviewActionOf(customId) !== null || customId === WRONG_NOTE_MODAL;
  }

  async handleButton(interaction: ButtonInteraction): Promise<void> {
    const action = reviewActionOf(interaction.customId);
    if (!action || !(await this.authorise(interaction, interaction.message))) return;
    if (action === "wrong") {
      const note = new TextInputBuilder().setCustomId(WRONG_NOTE_FIELD).setLabel("What is wrong? (optional)").setStyle(TextInputStyle.Paragraph).setRequired(false).setMaxLength(800);
      await interaction.showModal(new ModalBuilder().setCustomId(WRONG_NOTE_MODAL).setTitle("Mark answer wrong").addComponents(new ActionRowBuilder<ModalActionRowComponentBuilder>().addComponents(note)));
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
      this.logger.warn({ event: "review_forged", userId: interaction.user.id, messageId: message.id }, "review action on a message that is not a review message");
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
      } else if (action === "approve") {
        // The answer text is taken from the review message itself: nothing else remembers it.
        const payload = answerPayload(parsed.answerContent, { pingUserId: parsed.askerId });
        if (target) await target.edit({ content: payload.content, components: payload.components, allowedMentions: payload.allowedMentions });
        else await this.postInChannel(parsed.askedInChannelId, payload);
        verdict = "approved";
      } else {
        if (target) await target.edit({ content: REJECTED_TEXT, components: [], allowedMentions: { parse: [] } });
        verdict = "rejected";
      }
    } else {
      verdict = action === "correct" ? "correct" : "wrong";
    }
    const embeds = withVerdict(review.embeds.map((e) => e.toJSON()), verdict, moderatorId, new Date(), note);
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

  private async postInChannel(channelId: string | null, payload: ReturnType<typeof answerPayload>): Promise<void> {
    if (!channelId) return;
    const channel = await this.client.channels.fetch(channelId).catch(() => null);
    if (channel?.isSendable()) await channel.send(payload);
  }

  /** The review message of an answer: the recent review message whose jump link points at it. */
  private async findReviewOf(answerId: string): Promise<Message | null> {
    const channel = await this.client.channels.fetch(this.settings.channelId!).catch(() => null);
    if (!channel?.isTextBased()) return null;
    const recent = await channel.messages.fetch({ limit: 100 }).catch(() => null);
    return recent?.find((m) => m.author.id === this.client.user?.id && m.content.includes(`/${answerId})`)) ?? null;
  }
}
