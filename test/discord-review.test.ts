import { ActionRowBuilder, ButtonBuilder, ButtonStyle, type MessageActionRowComponentBuilder, type TextChannel } from "discord.js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ReviewSettings } from "../src/discord/review/review-desk.ts";
import type { Message } from "../src/discord-emulator/types.ts";
import { ALICE, BOB, BOT, GENERAL, GUILD, MANAGE_MESSAGES, MOD, MOD_ROLE, REVIEW, startBot } from "./support/bot-harness.ts";
import { buildTestEngine } from "./support/engine.ts";
import { KNOWLEDGE_DIR } from "./support/fixtures.ts";

let built: Awaited<ReturnType<typeof buildTestEngine>>;
let bot: Awaited<ReturnType<typeof startBot>> | null = null;
const settings = (mode: ReviewSettings["mode"]): ReviewSettings => ({ channelId: REVIEW, mode, moderatorRoleIds: new Set([MOD_ROLE]) });

beforeAll(async () => {
  built = await buildTestEngine([KNOWLEDGE_DIR]);
});
afterAll(() => built.close());
afterEach(async () => {
  await bot?.stop();
  bot = null;
});

async function start(mode: ReviewSettings["mode"]) {
  bot = await startBot(built.engine, { review: settings(mode), describeStatus: async () => "**Docent status**\n- Index: version 7, 14 pages" });
  return bot;
}

/** The review message about a public reply, once it is there. */
async function reviewOf(replyId: string): Promise<Message> {
  const about = (m: Message) => m.channel_id === REVIEW && m.author.id === BOT.id && m.content.includes(`/${replyId})`);
  const existing = bot!.emulator.messages(REVIEW).find(about);
  if (existing) return existing;
  return (await bot!.emulator.waitFor<{ message: Message }>((e) => e.type === "message_create" && about(e.message))).message;
}

const buttonIds = (m: Message) => m.components.flatMap((row) => row.components ?? []).map((c) => c.custom_id);
const ephemeralReplyTo = async (interactionId: string) => {
  await bot!.emulator.waitFor((e) => e.type === "interaction_callback" && e.interactionId === interactionId);
  return bot!.emulator.interactionResponses(interactionId)[0] as { type: number; ephemeral: boolean; data: { content: string } };
};

describe("the review channel", () => {
  it("mirrors an answer with the asker (not pinged), redacted question, passages with scores, mode, latency and a jump link", async () => {
    const { emulator, mention } = await start("all");
    const { reply } = await mention(ALICE, "I'm alice@example.org: how long are API inputs kept for abuse monitoring?");
    const review = await reviewOf(reply.id);
    expect(review.content).toContain(`asked by <@${ALICE.id}> in <#${GENERAL}>`);
    expect(review.content).toContain(`(https://discord.com/channels/${GUILD}/${GENERAL}/${reply.id})`);
    expect(review.allowed_mentions).toMatchObject({ parse: [] });
    expect(review.embeds[0]!.description).toBe(reply.content);
    const retrieval = review.embeds[1]!.description!;
    expect(retrieval).toMatch(/\*\*Question\*\* \(redacted\): .*\[email\]/);
    expect(retrieval).not.toContain("alice@example.org");
    expect(retrieval).toMatch(/\*\*Mode:\*\* extractive/);
    expect(retrieval).toMatch(/\*\*Latency:\*\* \d+ ms/);
    expect(retrieval).toMatch(/1\. `\d+\.\d{3}` /);
    expect(buttonIds(review)).toEqual(["docent:review:remove", "docent:review:correct", "docent:review:wrong"]);
    expect(emulator.messages(REVIEW).every((m) => m.author.id === BOT.id)).toBe(true);
  });

  it("lets a moderator remove the public answer, and records who did it and when", async () => {
    const { emulator, mention } = await start("all");
    const { reply } = await mention(ALICE, "is data encrypted at rest?");
    const review = await reviewOf(reply.id);
    const deleted = emulator.waitFor((e) => e.type === "message_delete" && e.id === reply.id);
    const click = await emulator.clickButton({
      channelId: REVIEW,
      messageId: review.id,
      customId: "docent:review:remove",
      user: MOD,
      memberPermissions: MANAGE_MESSAGES,
    });
    await deleted;
    await emulator.waitFor((e) => e.type === "interaction_callback" && e.interactionId === click.id);
    const updated = emulator.message(review.id)!;
    expect(updated.embeds.at(-1)!.description).toMatch(new RegExp(`🗑️ Answer removed by <@${MOD.id}> at <t:\\d+:f>`));
    expect(updated.components).toEqual([]);
    expect(emulator.message(reply.id)).toBeUndefined();
  });

  it("accepts a moderator by role (MODERATOR_ROLE_IDS) and refuses an ordinary member", async () => {
    const { emulator, mention } = await start("all");
    const { reply } = await mention(ALICE, "what certifications does OpenAI have?");
    const review = await reviewOf(reply.id);
    const refused = await emulator.clickButton({ channelId: REVIEW, messageId: review.id, customId: "docent:review:remove", user: BOB });
    expect(await ephemeralReplyTo(refused.id)).toMatchObject({ type: 4, ephemeral: true, data: { content: "Only moderators can review answers." } });
    expect(emulator.message(reply.id)).toBeDefined();

    const byRole = await emulator.clickButton({
      channelId: REVIEW,
      messageId: review.id,
      customId: "docent:review:correct",
      user: MOD,
      memberRoles: [MOD_ROLE],
    });
    await emulator.waitFor((e) => e.type === "interaction_callback" && e.interactionId === byRole.id);
    expect(emulator.message(review.id)!.embeds.at(-1)!.description).toMatch(new RegExp(`✅ Marked correct by <@${MOD.id}>`));
  });

  it("refuses a forged review button on a message that is not a review message, deleting nothing", async () => {
    const { emulator, mention, client } = await start("all");
    const { reply } = await mention(ALICE, "does azure openai store our prompts?");
    // A stray message with a look-alike button and a link to the answer (what a forged custom id would target).
    const channel = (await client.channels.fetch(GENERAL)) as TextChannel;
    const forged = await channel.send({
      content: `asked by <@${ALICE.id}> in <#${GENERAL}> · [public answer](https://discord.com/channels/${GUILD}/${GENERAL}/${reply.id})`,
      components: [
        new ActionRowBuilder<MessageActionRowComponentBuilder>().addComponents(
          new ButtonBuilder().setCustomId("docent:review:remove").setLabel("Remove").setStyle(ButtonStyle.Danger),
        ),
      ],
    });
    const click = await emulator.clickButton({
      channelId: GENERAL,
      messageId: forged.id,
      customId: "docent:review:remove",
      user: MOD,
      memberPermissions: MANAGE_MESSAGES,
    });
    expect(await ephemeralReplyTo(click.id)).toMatchObject({
      ephemeral: true,
      data: { content: expect.stringMatching(/does not belong to a Docent review message/) },
    });
    expect(emulator.message(reply.id)).toBeDefined();
    expect(bot!.logLines.join("")).toMatch(/review_forged/);
  });

  it("takes a 'wrong' verdict with a note through a modal", async () => {
    const { emulator, mention } = await start("all");
    const { reply } = await mention(ALICE, "what is zero data retention?");
    const review = await reviewOf(reply.id);
    const click = await emulator.clickButton({
      channelId: REVIEW,
      messageId: review.id,
      customId: "docent:review:wrong",
      user: MOD,
      memberPermissions: MANAGE_MESSAGES,
    });
    await emulator.waitFor((e) => e.type === "interaction_callback" && e.interactionId === click.id && e.callbackType === 9);
    const submit = await emulator.submitModal({
      channelId: REVIEW,
      customId: "docent:review:wrong-note",
      user: MOD,
      memberPermissions: MANAGE_MESSAGES,
      fields: { note: "Misses the eligibility rules." },
      messageId: review.id,
    });
    await emulator.waitFor((e) => e.type === "interaction_callback" && e.interactionId === submit.id);
    const verdict = emulator.message(review.id)!.embeds.at(-1)!.description!;
    expect(verdict).toMatch(new RegExp(`❌ Marked wrong by <@${MOD.id}>`));
    expect(verdict).toContain("**Note:** Misses the eligibility rules.");
  });

  it("counts 👍 on the review message and, in flagged mode, posts a 👎'd answer that was not mirrored", async () => {
    const { emulator, mention } = await start("flagged");
    const { reply } = await mention(ALICE, "is data encrypted in transit?");
    expect(emulator.messages(REVIEW)).toHaveLength(0);
    const down = await emulator.clickButton({ channelId: GENERAL, messageId: reply.id, customId: "docent:fb:down", user: BOB });
    await ephemeralReplyTo(down.id);
    const review = await reviewOf(reply.id);
    expect(review.content).toContain(`👎 from <@${BOB.id}>`);
    expect(review.embeds[1]!.description).toMatch(/is data encrypted in transit\?/);
    expect(review.embeds[1]!.description).toMatch(/not recorded/);
    const up = await emulator.clickButton({ channelId: GENERAL, messageId: reply.id, customId: "docent:fb:up", user: ALICE });
    await ephemeralReplyTo(up.id);
    await emulator.waitFor((e) => e.type === "message_update" && e.message.id === review.id);
    expect(emulator.message(review.id)!.embeds[0]!.footer?.text).toBe("👍 1 · 👎 1");
  });

  it("in flagged mode mirrors refusals but not ordinary answers", async () => {
    const { emulator, mention } = await start("flagged");
    const answered = await mention(ALICE, "is data encrypted at rest?");
    const refused = await mention(ALICE, "what's a good recipe for banana bread?");
    const review = await reviewOf(refused.reply.id);
    expect(review.content).toMatch(/⚑ refused/);
    expect(emulator.messages(REVIEW).some((m) => m.content.includes(answered.reply.id))).toBe(false);
  });
});

describe("REVIEW_MODE=approve", () => {
  it("holds the answer until a moderator approves it, then edits the reply into the answer from the review message", async () => {
    const { emulator, mention } = await start("approve");
    const { reply: placeholder } = await mention(ALICE, "how long are API inputs kept for abuse monitoring?");
    expect(placeholder.content).toMatch(/A moderator will check my answer/);
    const review = await reviewOf(placeholder.id);
    expect(review.content).toMatch(/Draft answer waiting for approval/);
    expect(buttonIds(review)).toEqual(["docent:review:approve", "docent:review:reject"]);
    const draft = review.embeds[0]!.description!;

    const refused = await emulator.clickButton({ channelId: REVIEW, messageId: review.id, customId: "docent:review:approve", user: BOB });
    expect(await ephemeralReplyTo(refused.id)).toMatchObject({ ephemeral: true });
    expect(emulator.message(placeholder.id)!.content).toMatch(/A moderator will check/);

    const edited = emulator.waitFor((e) => e.type === "message_update" && e.message.id === placeholder.id);
    await emulator.clickButton({ channelId: REVIEW, messageId: review.id, customId: "docent:review:approve", user: MOD, memberPermissions: MANAGE_MESSAGES });
    await edited;
    const answer = emulator.message(placeholder.id)!;
    expect(answer.content).toBe(draft);
    expect(answer.content).toMatch(/Sources/);
    expect(buttonIds(answer)).toEqual(["docent:fb:up", "docent:fb:down"]);
    await emulator.waitFor((e) => e.type === "message_update" && e.message.id === review.id && JSON.stringify(e.message.embeds).includes("Approved"));
  });

  it("replaces the reply with a polite note when a moderator rejects it", async () => {
    const { emulator, mention } = await start("approve");
    const { reply: placeholder } = await mention(ALICE, "is data encrypted at rest?");
    const review = await reviewOf(placeholder.id);
    const edited = emulator.waitFor((e) => e.type === "message_update" && e.message.id === placeholder.id);
    await emulator.clickButton({ channelId: REVIEW, messageId: review.id, customId: "docent:review:reject", user: MOD, memberPermissions: MANAGE_MESSAGES });
    await edited;
    expect(emulator.message(placeholder.id)!.content).toMatch(/A moderator decided not to post this answer/);
  });
});

describe("/docent status", () => {
  it("shows the index status to moderators only", async () => {
    const { emulator } = await start("all");
    const denied = await emulator.runSlashCommand({
      channelId: GENERAL,
      user: BOB,
      name: "docent",
      options: [{ name: "status", type: 1, value: "" }] as never,
    });
    expect(await ephemeralReplyTo(denied.id)).toMatchObject({ ephemeral: true, data: { content: "Only moderators can see Docent's status." } });
    const allowed = await emulator.runSlashCommand({
      channelId: GENERAL,
      user: MOD,
      name: "docent",
      options: [{ name: "status", type: 1, value: "" }] as never,
      memberPermissions: MANAGE_MESSAGES,
    });
    const edit = await emulator.waitFor<{ messageId: string }>((e) => e.type === "webhook_edit" && e.interactionId === allowed.id);
    expect(emulator.message(edit.messageId)!.content).toMatch(/Docent status/);
  });
});
