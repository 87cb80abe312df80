import { AttachmentBuilder, type ChatInputCommandInteraction, MessageFlags } from "discord.js";
import { DocentError } from "../errors.ts";
import { collectGapsReport, DEFAULT_DAYS } from "../gaps/run-gaps.ts";
import { gapsMessage } from "../gaps/render-gaps-report.ts";
import type { Logger } from "../log.ts";
import { noticePayload } from "./reply-payload.ts";
import { isGuildModerator } from "./review/permissions.ts";
import type { ReviewSettings } from "./review/review-desk.ts";

export const GAPS_SUBCOMMAND = "gaps";
export const GAPS_DAYS_OPTION = "days";

/**
 * `/docent gaps [days]`: the knowledge gaps report, privately, for moderators only. It reads the review channel
 * with the bot's own REST client, so it sees exactly what `npm run gaps` sees. A problem Docent can name (no review
 * channel, no access, rate limits) is told to the moderator; anything else goes to the handler's one catch.
 */
export async function replyWithGapsReport(interaction: ChatInputCommandInteraction, settings: ReviewSettings, logger: Logger): Promise<void> {
  if (!isGuildModerator(interaction, settings.moderatorRoleIds)) {
    await interaction.reply({
      ...noticePayload("Only moderators can see the knowledge gaps report."),
      flags: MessageFlags.Ephemeral | MessageFlags.SuppressEmbeds,
    });
    return;
  }
  // Defer first: reading a month of reviews can take longer than the 3 seconds Discord allows.
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const days = interaction.options.getInteger(GAPS_DAYS_OPTION) ?? DEFAULT_DAYS;
  try {
    const { report, pages, unreadable } = await collectGapsReport({
      rest: interaction.client.rest,
      channelId: settings.channelId,
      days,
      botUserId: interaction.client.user.id,
    });
    for (const skipped of unreadable)
      logger.warn({ event: "review_unreadable", messageId: skipped.messageId, reason: skipped.reason }, "review message skipped");
    logger.info(
      { event: "gaps_report", userId: interaction.user.id, days, pages, reviewed: report.totals.reviewed, topics: report.topics.length },
      "gaps report sent",
    );
    const { content, file } = gapsMessage(report);
    await interaction.editReply({ ...noticePayload(content), files: file ? [new AttachmentBuilder(Buffer.from(file.text, "utf8"), { name: file.name })] : [] });
  } catch (error) {
    if (!(error instanceof DocentError)) throw error;
    logger.warn({ event: "gaps_failed", code: error.code, userId: interaction.user.id }, "gaps report failed");
    await interaction.editReply(noticePayload(`I could not make the report: ${error.message}${error.hint ? `\n→ ${error.hint}` : ""}`));
  }
}
