import { ChannelType, type Message } from "discord.js";
import { feedbackId } from "../custom-ids.ts";
import { followUpContext, type ReferencedMessage } from "../follow-up.ts";

/** Thread messages read back to find Docent's last answer; a longer thread is treated as a fresh question. */
const LOOK_BACK = 50;

/**
 * A follow-up mention inside a thread, without memory: Docent's latest answer in the thread and the message it
 * answered (a forum post's starter message, with the post's title) are read back from the thread itself, like
 * follow-ups by reply (follow-up.ts). Null outside threads or when Docent has not answered there yet.
 */
export async function readThreadFollowUp(botId: string, message: Message): Promise<ReturnType<typeof followUpContext>> {
  const thread = message.channel;
  if (!thread.isThread()) return null;
  const recent = await thread.messages.fetch({ limit: LOOK_BACK, before: message.id }).catch(() => null);
  // Newest first: the latest of Docent's answers (its notices carry no feedback buttons).
  const answer = recent?.find((m) => m.author.id === botId && isAnswer(m)) ?? null;
  if (!answer) return null;
  const questionId = answer.reference?.messageId;
  const question = questionId ? (recent?.get(questionId) ?? (await answer.fetchReference().catch(() => null))) : null;
  const asked: ReferencedMessage | null = question ? { authorId: question.author.id, content: questionText(question, thread) } : null;
  return followUpContext(botId, { authorId: answer.author.id, content: answer.content }, asked);
}

/** A forum post's question is its title and its starter message (the message with the post's own id). */
export function forumPostQuestion(title: string, text: string): string {
  return `${title.trim()}\n${text}`.trim();
}

function questionText(question: Message, thread: { id: string; name: string; parent: { type: ChannelType } | null }): string {
  const isForumStarter = question.id === thread.id && (thread.parent?.type === ChannelType.GuildForum || thread.parent?.type === ChannelType.GuildMedia);
  return isForumStarter ? forumPostQuestion(thread.name, question.content) : question.content;
}

function isAnswer(message: Message): boolean {
  return JSON.stringify(message.components.map((row) => row.toJSON())).includes(feedbackId("up"));
}
