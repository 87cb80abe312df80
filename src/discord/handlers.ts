import { type ButtonInteraction, type ChatInputCommandInteraction, type Client, Events, type Interaction, type Message, MessageFlags } from "discord.js";
import { answerQuestion, type EngineDeps } from "../answer/engine/answer-question.ts";
import type { AnswerResult } from "../answer/answer-types.ts";
import { sanitizeEcho } from "../answer/guards/output-guards.ts";
import type { ForumConfig } from "../config.ts";
import type { Logger } from "../log.ts";
import { type BotMetrics, isDeadlineFallback, NO_METRICS, outcomeOf } from "./bot-metrics.ts";
import { channelNotice, isAllowedChannel } from "./channel-allowlist.ts";
import { ASK_COMMAND, DOCENT_COMMAND } from "./commands.ts";
import { parseButtonId } from "./custom-ids.ts";
import { followUpContext, type ReferencedMessage } from "./follow-up.ts";
import { formatDiscordAnswer } from "./format-reply.ts";
import { ForumHealth } from "./forum/forum-health.ts";
import { ForumDesk } from "./forum/forum-posts.ts";
import { readThreadFollowUp } from "./forum/thread-follow-up.ts";
import { GAPS_SUBCOMMAND, replyWithGapsReport } from "./gaps-command.ts";
import type { InFlight } from "./in-flight.ts";
import { type Admission, type LoadControl, RestartingError } from "./load-control.ts";
import { OncePerKey } from "./per-key.ts";
import { answerPayload, noticePayload } from "./reply-payload.ts";
import { isModerator } from "./review/permissions.ts";
import { ReviewDesk, type ReviewSettings } from "./review/review-desk.ts";

export interface BotDeps {
  engine: EngineDeps;
  load: LoadControl;
  logger: Logger;
  /** Channels where mentions are answered; null means every channel the bot can see. */
  allowedChannels: ReadonlySet<string> | null;
  review?: ReviewSettings;
  /** Text of `/docent status` (moderators only). */
  describeStatus?: () => Promise<string>;
  /** Help forums (FORUM_* settings) and where their set-up problems are kept for `/docent status`. */
  forum?: { settings: ForumConfig; health?: ForumHealth };
  /** Counters for operators (METRICS_PORT); none by default. */
  metrics?: BotMetrics;
  /** Events being handled, which a graceful shutdown waits for. */
  inFlight?: InFlight;
  /** Whether this process handles an event; false when another process of the same shard took it (rolling restart). */
  claim?: (eventId: string) => Promise<boolean>;
}

interface Context extends BotDeps {
  metrics: BotMetrics;
  desk: ReviewDesk;
  forumDesk: ForumDesk;
  /** Ephemeral answers posted publicly (or being posted), by message id: each is posted once. */
  publicPosts: OncePerKey;
}

export const AWAITING_APPROVAL = "Thanks for your question! A moderator will check my answer before it is posted here.";
const PRIVATE = MessageFlags.Ephemeral | MessageFlags.SuppressEmbeds;

const NO_FORUMS: ForumConfig = {
  forumChannelIds: new Set(),
  forumAnsweredTag: null,
  forumNeedsHumanTag: null,
  forumSolvedTag: null,
  forumArchiveOnSolved: false,
};

export const SORRY = "Sorry, something went wrong on my side. Please try again in a moment.";
export const RESTARTING = "I'm restarting right now, so I couldn't finish this answer. Please ask again in a minute.";

/**
 * Wires Discord events to the answer engine. Each event has exactly one catch: the member gets a kind
 * message, the log gets ids and the error, never the message text.
 */
export function attachHandlers(client: Client, deps: BotDeps): void {
  const desk = new ReviewDesk(client, deps.review ?? { channelId: null, mode: "off", moderatorRoleIds: new Set() }, deps.logger);
  const metrics = deps.metrics ?? NO_METRICS;
  const track = <T>(work: Promise<T>) => (deps.inFlight ? deps.inFlight.track(work) : work);
  const claimed = async (id: string) => (deps.claim ? deps.claim(id) : true);
  const forumDesk = new ForumDesk(client, {
    ...deps,
    desk,
    settings: deps.forum?.settings ?? NO_FORUMS,
    health: deps.forum?.health ?? new ForumHealth(deps.logger),
    admissionNotice,
    awaitingApproval: AWAITING_APPROVAL,
    metrics,
    track,
    claimed,
  });
  forumDesk.attach();
  const context: Context = { ...deps, desk, forumDesk, publicPosts: new OncePerKey(), metrics };
  client.on(Events.MessageCreate, (message) => {
    void track(
      (async () => (await claimed(message.id)) && onMessage(client, context, message))().catch(async (error) => {
        const restarting = error instanceof RestartingError;
        deps.logger.error(
          {
            event: "mention_failed",
            outcome: restarting ? "busy" : "failed",
            messageId: message.id,
            channelId: message.channelId,
            err: errorSummary(error, message.content),
          },
          "mention handling failed",
        );
        context.metrics.answered(restarting ? "busy" : "failed", sinceCreated(message));
        await message.reply(noticePayload(restarting ? RESTARTING : SORRY)).catch(() => {});
      }),
    );
  });
  client.on(Events.InteractionCreate, (interaction) => {
    void track(
      (async () => (await claimed(interaction.id)) && onInteraction(context, interaction))().catch(async (error) => {
        const restarting = error instanceof RestartingError;
        deps.logger.error(
          {
            event: "interaction_failed",
            outcome: restarting ? "busy" : "failed",
            interactionId: interaction.id,
            err: errorSummary(error, askedText(interaction)),
          },
          "interaction handling failed",
        );
        if (interaction.isChatInputCommand() && interaction.commandName === ASK_COMMAND)
          context.metrics.answered(restarting ? "busy" : "failed", sinceCreated(interaction));
        if (!interaction.isRepliable()) return;
        const payload = { ...noticePayload(restarting ? RESTARTING : SORRY), flags: MessageFlags.Ephemeral | MessageFlags.SuppressEmbeds };
        await (interaction.deferred || interaction.replied ? interaction.followUp(payload) : interaction.reply(payload)).catch(() => {});
      }),
    );
  });
  client.on(Events.Error, (error) => deps.logger.error({ event: "client_error", err: errorSummary(error) }, "discord client error"));
}

async function onMessage(client: Client, deps: Context, message: Message): Promise<void> {
  const me = client.user;
  if (!me || message.author.bot || message.webhookId) return;
  // A new forum post (listed forum, or mentioning Docent) is answered as a post: title included, tags, Solved.
  if (deps.forumDesk.handlesStarter(message)) return deps.forumDesk.answerStarter(message);
  // A direct mention of the bot's user only: @everyone, @here and role mentions do not summon it.
  if (!message.mentions.users.has(me.id)) return;
  // Outside the allowlist a mention (follow-ups included) is ignored without a word: the bot stays out of those channels.
  if (!isAllowedChannel(deps.allowedChannels, message)) return;

  deps.metrics.asked(message.reference?.messageId ? "follow_up" : "mention");
  const admission = deps.load.admit(message.author.id);
  if (!admission.ok) {
    deps.logger.info({ event: "question_deferred", reason: admission.reason, userId: message.author.id }, "question turned away");
    await message.reply(noticePayload(admissionNotice(admission)));
    recordTurnedAway(deps, admission, message);
    return;
  }
  let result: AnswerResult;
  try {
    if (message.channel.isSendable()) await message.channel.sendTyping().catch(() => {});
    const followUp = (await readFollowUp(me.id, message)) ?? (await readThreadFollowUp(me.id, message));
    result = await admission.slot.run(() => answerQuestion(deps.engine, message.content, followUp ? { followUp } : {}));
  } finally {
    admission.slot.release();
  }
  logAnswer(deps.logger, "mention", message.id, result);
  const content = formatDiscordAnswer(result, message.author.id);
  const where = { askerId: message.author.id, guildId: message.guildId, channelId: message.channelId };
  if (deps.desk.approvalRequired && !result.refused) {
    const placeholder = await message.reply(noticePayload(AWAITING_APPROVAL));
    const review = await deps.desk.mirror(result, { ...where, replyMessageId: placeholder.id, answerContent: content, pending: true });
    // No review message, no moderator to approve: answer rather than leave the member waiting forever.
    if (!review) await placeholder.edit(answerPayload(content, { pingUserId: message.author.id }));
    recordAnswer(deps, result, message);
    return;
  }
  const reply = await message.reply(answerPayload(content, { pingUserId: message.author.id }));
  recordAnswer(deps, result, message);
  await deps.desk.mirror(result, { ...where, replyMessageId: reply.id, answerContent: content, pending: false });
}

async function onInteraction(deps: Context, interaction: Interaction): Promise<void> {
  if (interaction.isChatInputCommand() && interaction.commandName === ASK_COMMAND) return onAsk(deps, interaction);
  if (interaction.isChatInputCommand() && interaction.commandName === DOCENT_COMMAND) {
    return interaction.options.getSubcommand(false) === GAPS_SUBCOMMAND
      ? replyWithGapsReport(interaction, deps.desk.settings, deps.logger)
      : onStatus(deps, interaction);
  }
  if (interaction.isButton() && deps.desk.isReviewInteraction(interaction.customId)) return deps.desk.handleButton(interaction);
  if (interaction.isButton() && deps.forumDesk.isSolvedButton(interaction.customId)) return deps.forumDesk.handleSolved(interaction);
  if (interaction.isButton()) return onButton(deps, interaction);
  if (interaction.isModalSubmit() && deps.desk.isReviewInteraction(interaction.customId)) return deps.desk.handleModal(interaction);
}

async function onStatus(deps: Context, interaction: ChatInputCommandInteraction): Promise<void> {
  if (!isModerator(interaction, deps.desk.settings.moderatorRoleIds)) {
    await interaction.reply({ ...noticePayload("Only moderators can see Docent's status."), flags: PRIVATE });
    return;
  }
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  await interaction.editReply(noticePayload(deps.describeStatus ? await deps.describeStatus() : "Status is not available."));
}

async function onAsk(deps: Context, interaction: ChatInputCommandInteraction): Promise<void> {
  if (!isAllowedChannel(deps.allowedChannels, interaction)) {
    await refuseChannel(deps, interaction);
    return;
  }
  const question = interaction.options.getString("question", true);
  const isPublic = interaction.options.getBoolean("public") ?? false;
  deps.metrics.asked("ask");
  // Defer first: answering can take longer than the 3 seconds Discord allows for the first response.
  await interaction.deferReply(isPublic ? {} : { flags: MessageFlags.Ephemeral });
  const admission = deps.load.admit(interaction.user.id);
  if (!admission.ok) {
    await interaction.editReply(noticePayload(admissionNotice(admission)));
    recordTurnedAway(deps, admission, interaction);
    return;
  }
  const result = await admission.slot.run(() => answerQuestion(deps.engine, question));
  logAnswer(deps.logger, "ask", interaction.id, result);
  // The question line makes the answer message self-contained: follow-ups and public re-posts read it back.
  const header = `> **Q:** ${sanitizeEcho(result.question).replace(/\s+/g, " ").slice(0, 300)}`;
  const content = formatDiscordAnswer(result, interaction.user.id, { header });
  const where = { askerId: interaction.user.id, guildId: interaction.guildId, channelId: interaction.channelId };
  if (deps.desk.approvalRequired && !result.refused) {
    await interaction.editReply(noticePayload("A moderator will check my answer first; once approved, it will be posted in this channel."));
    const review = await deps.desk.mirror(result, { ...where, replyMessageId: null, answerContent: content, pending: true });
    if (!review) await interaction.editReply(answerPayload(content, { pingUserId: null }));
    recordAnswer(deps, result, interaction);
    return;
  }
  const { flags: _suppress, ...payload } = answerPayload(content, { pingUserId: interaction.user.id, withPublicButton: !isPublic });
  // Webhook edits cannot change flags; previews are suppressed by the <> around every link instead.
  const reply = await interaction.editReply(payload);
  recordAnswer(deps, result, interaction);
  await deps.desk.mirror(result, {
    ...where,
    replyMessageId: isPublic ? reply.id : null,
    privateAnswerId: isPublic ? null : reply.id,
    answerContent: content,
    pending: false,
  });
}

async function onButton(deps: Context, interaction: ButtonInteraction): Promise<void> {
  const action = parseButtonId(interaction.customId);
  if (!action) return;
  if (action.kind === "feedback") {
    deps.logger.info({ event: "feedback", vote: action.vote, messageId: interaction.message.id, userId: interaction.user.id }, "answer feedback");
    deps.metrics.reviewVote(action.vote);
    await interaction.reply({
      ...noticePayload(action.vote === "up" ? "Thanks, glad it helped!" : "Thanks for telling me. A moderator can review this answer."),
      flags: PRIVATE,
    });
    // Only the bot's own answers carry these buttons; anything else is not counted.
    if (interaction.message.author.id === interaction.client.user.id) await deps.desk.recordVote(interaction.message, interaction.user.id, action.vote);
    return;
  }
  await postPublicly(deps, interaction);
}

/**
 * Post publicly: the ephemeral answer itself carries the text, so nothing else needs to be remembered. Clicks
 * that arrive together, or after the answer went out, must not post it again: the answer's message id is
 * claimed before anything is sent.
 */
async function postPublicly(deps: Context, interaction: ButtonInteraction): Promise<void> {
  if (!isAllowedChannel(deps.allowedChannels, interaction)) {
    await refuseChannel(deps, interaction);
    return;
  }
  const answerId = interaction.message.id;
  const claim = deps.publicPosts.claim(answerId);
  if (claim !== "claimed") {
    const text = claim === "done" ? "This answer has already been posted in the channel." : "This answer is already being posted in the channel.";
    await interaction.reply({ ...noticePayload(text), flags: PRIVATE });
    return;
  }
  let posted = false;
  try {
    await interaction.update({ components: [] });
    const post = await interaction.followUp(answerPayload(interaction.message.content, { pingUserId: null }));
    posted = true;
    // One copy for the asker too: the private answer becomes a pointer to the public one.
    await interaction.editReply(noticePayload(`Posted in the channel for everyone: [jump to the answer](${post.url})`)).catch(() => {});
  } finally {
    deps.publicPosts.finish(answerId, posted);
  }
  deps.logger.info({ event: "posted_public", interactionId: interaction.id, messageId: answerId }, "ephemeral answer posted publicly");
}

async function refuseChannel(deps: Context, interaction: ChatInputCommandInteraction | ButtonInteraction): Promise<void> {
  deps.logger.info({ event: "channel_not_allowed", interactionId: interaction.id, channelId: interaction.channelId }, "question outside the allowed channels");
  await interaction.reply({ ...noticePayload(channelNotice(deps.allowedChannels)), flags: PRIVATE });
}

async function readFollowUp(botId: string, message: Message) {
  if (!message.reference?.messageId) return null;
  const answer = await message.fetchReference().catch(() => null);
  if (!answer || answer.author.id !== botId) return null;
  const question = answer.reference?.messageId ? await answer.fetchReference().catch(() => null) : null;
  const asRef = (m: Message | null): ReferencedMessage | null => (m ? { authorId: m.author.id, content: m.content } : null);
  return followUpContext(botId, asRef(answer), asRef(question));
}

function admissionNotice(admission: Exclude<Admission, { ok: true }>): string {
  if (admission.reason === "restarting") return "I'm restarting right now. Please ask again in a minute.";
  return admission.reason === "cooldown"
    ? `You're asking quickly! Please wait ${Math.ceil(admission.retryInMs / 1000)} s before your next question.`
    : "I'm answering a lot of questions right now. Please ask again in a minute.";
}

/** Milliseconds since Discord created a message or interaction: the wait the asker sees. */
function sinceCreated(event: { createdTimestamp: number }): number {
  return Math.max(0, Date.now() - event.createdTimestamp);
}

function recordAnswer(deps: Context, result: AnswerResult, event: { createdTimestamp: number }): void {
  if (result.fallbackReason) deps.metrics.chatFallback(isDeadlineFallback(result.fallbackReason));
  deps.metrics.answered(outcomeOf(result), sinceCreated(event));
}

/** A question turned away: "busy" (queue full, or restarting) is an outcome; a cooldown is counted on its own. */
function recordTurnedAway(deps: Context, admission: Exclude<Admission, { ok: true }>, event: { createdTimestamp: number }): void {
  if (admission.reason === "cooldown") deps.metrics.cooldownRejected();
  else deps.metrics.answered("busy", sinceCreated(event));
}

function logAnswer(logger: Logger, via: string, id: string, result: AnswerResult): void {
  logger.info(
    {
      event: "answered",
      via,
      id,
      outcome: outcomeOf(result),
      code: result.reason,
      refused: result.refused,
      mode: result.mode,
      fallbackReason: result.fallbackReason,
      passages: result.passages.length,
      redacted: result.redacted.length,
      ms: result.timings.totalMs,
    },
    "question answered",
  );
}

/**
 * An error for the log. A dependency's message may quote its input (a search error quoting the query), so every
 * word of the member's text is masked in it: logs never carry a word of a question.
 */
function errorSummary(error: unknown, memberText: string | null = null): { name: string; code?: unknown; message: string } {
  const e = error as { name?: string; code?: unknown; message?: string };
  return { name: e?.name ?? "Error", code: e?.code, message: withoutWordsOf(String(e?.message ?? error), memberText).slice(0, 200) };
}

function withoutWordsOf(text: string, memberText: string | null): string {
  const words = new Set((memberText ?? "").toLowerCase().match(/[\p{L}\p{N}]{3,}/gu) ?? []);
  return words.size === 0 ? text : text.replace(/[\p{L}\p{N}]{3,}/gu, (word) => (words.has(word.toLowerCase()) ? "…" : word));
}

function askedText(interaction: Interaction): string | null {
  if (interaction.isChatInputCommand()) return interaction.options.getString("question");
  if (interaction.isModalSubmit()) return interaction.fields.fields.map((field) => ("value" in field ? String(field.value) : "")).join(" ");
  return null;
}
