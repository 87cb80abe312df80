import {
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Client,
  Events,
  type Interaction,
  type Message,
  MessageFlags,
} from "discord.js";
import { answerQuestion, type EngineDeps } from "../answer/answer-question.ts";
import type { AnswerResult } from "../answer/answer-types.ts";
import { sanitizeEcho } from "../answer/output-guards.ts";
import type { Logger } from "../log.ts";
import { ASK_COMMAND } from "./commands.ts";
import { parseButtonId } from "./custom-ids.ts";
import { followUpContext, type ReferencedMessage } from "./follow-up.ts";
import { formatDiscordAnswer } from "./format-reply.ts";
import type { Admission, LoadControl } from "./load-control.ts";
import { answerPayload, noticePayload } from "./reply-payload.ts";

export interface BotDeps {
  engine: EngineDeps;
  load: LoadControl;
  logger: Logger;
  /** Channels where mentions are answered; null means every channel the bot can see. */
  allowedChannels: ReadonlySet<string> | null;
}

export const SORRY = "Sorry, something went wrong on my side. Please try again in a moment.";

/**
 * Wires Discord events to the answer engine. Each event has exactly one catch: the member gets a kind
 * message, the log gets ids and the error, never the message text.
 */
export function attachHandlers(client: Client, deps: BotDeps): void {
  client.on(Events.MessageCreate, (message) => {
    void onMessage(client, deps, message).catch((error) => {
      deps.logger.error({ event: "mention_failed", messageId: message.id, channelId: message.channelId, err: errorSummary(error) }, "mention handling failed");
      message.reply(noticePayload(SORRY)).catch(() => {});
    });
  });
  client.on(Events.InteractionCreate, (interaction) => {
    void onInteraction(deps, interaction).catch(async (error) => {
      deps.logger.error({ event: "interaction_failed", interactionId: interaction.id, err: errorSummary(error) }, "interaction handling failed");
      if (!interaction.isRepliable()) return;
      const payload = { ...noticePayload(SORRY), flags: MessageFlags.Ephemeral | MessageFlags.SuppressEmbeds };
      await (interaction.deferred || interaction.replied ? interaction.followUp(payload) : interaction.reply(payload)).catch(() => {});
    });
  });
  client.on(Events.Error, (error) => deps.logger.error({ event: "client_error", err: errorSummary(error) }, "discord client error"));
}

async function onMessage(client: Client, deps: BotDeps, message: Message): Promise<void> {
  const me = client.user;
  if (!me || message.author.bot || message.webhookId) return;
  // A direct mention of the bot's user only: @everyone, @here and role mentions do not summon it.
  if (!message.mentions.users.has(me.id)) return;
  if (!isAllowedChannel(deps.allowedChannels, message.channelId, message.channel.isThread() ? message.channel.parentId : null)) return;

  const admission = deps.load.admit(message.author.id);
  if (!admission.ok) {
    deps.logger.info({ event: "question_deferred", reason: admission.reason, userId: message.author.id }, "question turned away");
    await message.reply(noticePayload(admissionNotice(admission)));
    return;
  }
  if (message.channel.isSendable()) await message.channel.sendTyping().catch(() => {});
  const followUp = await readFollowUp(me.id, message);
  const result = await deps.load.run(() => answerQuestion(deps.engine, message.content, followUp ? { followUp } : {}));
  logAnswer(deps.logger, "mention", message.id, result);
  await message.reply(answerPayload(formatDiscordAnswer(result, message.author.id), { pingUserId: message.author.id }));
}

async function onInteraction(deps: BotDeps, interaction: Interaction): Promise<void> {
  if (interaction.isChatInputCommand() && interaction.commandName === ASK_COMMAND) return onAsk(deps, interaction);
  if (interaction.isButton()) return onButton(deps, interaction);
}

async function onAsk(deps: BotDeps, interaction: ChatInputCommandInteraction): Promise<void> {
  const question = interaction.options.getString("question", true);
  const isPublic = interaction.options.getBoolean("public") ?? false;
  // Defer first: answering can take longer than the 3 seconds Discord allows for the first response.
  await interaction.deferReply(isPublic ? {} : { flags: MessageFlags.Ephemeral });
  const admission = deps.load.admit(interaction.user.id);
  if (!admission.ok) {
    await interaction.editReply(noticePayload(admissionNotice(admission)));
    return;
  }
  const result = await deps.load.run(() => answerQuestion(deps.engine, question));
  logAnswer(deps.logger, "ask", interaction.id, result);
  // The question line makes the answer message self-contained: follow-ups and public re-posts read it back.
  const header = `> **Q:** ${sanitizeEcho(result.question).replace(/\s+/g, " ").slice(0, 300)}`;
  const { flags: _suppress, ...payload } = answerPayload(formatDiscordAnswer(result, interaction.user.id, { header }), { pingUserId: interaction.user.id, withPublicButton: !isPublic });
  // Webhook edits cannot change flags; previews are suppressed by the <> around every link instead.
  await interaction.editReply(payload);
}

async function onButton(deps: BotDeps, interaction: ButtonInteraction): Promise<void> {
  const action = parseButtonId(interaction.customId);
  if (!action) return;
  if (action.kind === "feedback") {
    deps.logger.info({ event: "feedback", vote: action.vote, messageId: interaction.message.id, userId: interaction.user.id }, "answer feedback");
    await interaction.reply({ ...noticePayload(action.vote === "up" ? "Thanks, glad it helped!" : "Thanks for telling me. A moderator can review this answer."), flags: MessageFlags.Ephemeral | MessageFlags.SuppressEmbeds });
    return;
  }
  // Post publicly: the ephemeral answer itself carries the text, so nothing needs to be remembered.
  const content = interaction.message.content;
  await interaction.update({ components: [] });
  await interaction.followUp(answerPayload(content, { pingUserId: null }));
  deps.logger.info({ event: "posted_public", interactionId: interaction.id }, "ephemeral answer posted publicly");
}

async function readFollowUp(botId: string, message: Message) {
  if (!message.reference?.messageId) return null;
  const answer = await message.fetchReference().catch(() => null);
  if (!answer || answer.author.id !== botId) return null;
  const question = answer.reference?.messageId ? await answer.fetchReference().catch(() => null) : null;
  const asRef = (m: Message | null): ReferencedMessage | null => (m ? { authorId: m.author.id, content: m.content } : null);
  return followUpContext(botId, asRef(answer), asRef(question));
}

export function isAllowedChannel(allowed: ReadonlySet<string> | null, channelId: string, parentId: string | null): boolean {
  return allowed === null || allowed.has(channelId) || (parentId !== null && allowed.has(parentId));
}

function admissionNotice(admission: Exclude<Admission, { ok: true }>): string {
  return admission.reason === "cooldown"
    ? `You're asking quickly! Please wait ${Math.ceil(admission.retryInMs / 1000)} s before your next question.`
    : "I'm answering a lot of questions right now. Please ask again in a minute.";
}

function logAnswer(logger: Logger, via: string, id: string, result: AnswerResult): void {
  logger.info(
    { event: "answered", via, id, refused: result.refused, mode: result.mode, fallbackReason: result.fallbackReason, passages: result.passages.length, redacted: result.redacted.length, ms: result.timings.totalMs },
    "question answered",
  );
}

function errorSummary(error: unknown): { name: string; code?: unknown; message: string } {
  const e = error as { name?: string; code?: unknown; message?: string };
  return { name: e?.name ?? "Error", code: e?.code, message: String(e?.message ?? error).slice(0, 200) };
}
