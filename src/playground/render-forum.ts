/**
 * #help-forum as the visitor sees it: the list of posts (title, tags, who opened it, replies, solved/archived) and
 * the header of an open post. Tag names come from the forum itself; everything is escaped. Pure.
 */
import type { ApiChannel } from "../discord-emulator/types.ts";
import { escapeHtml } from "./render-markdown.ts";

export interface ForumNames {
  user(id: string): string | undefined;
}

function tagChips(thread: ApiChannel, forum: ApiChannel): string {
  const names = new Map((forum.available_tags ?? []).map((tag) => [tag.id, tag.name]));
  const chips = (thread.applied_tags ?? []).map((id) => `<span class="forum-tag" data-tag="${escapeHtml(id)}">${escapeHtml(names.get(id) ?? "tag")}</span>`);
  return `<span class="forum-tags">${chips.join("")}</span>`;
}

function state(thread: ApiChannel): string {
  return thread.thread_metadata?.archived ? '<span class="forum-state">archived</span>' : "";
}

/** The post list, newest first; each post opens as its thread. */
export function renderForumList(threads: readonly ApiChannel[], forum: ApiChannel, replies: (threadId: string) => number, names: ForumNames): string {
  if (threads.length === 0) return '<p class="forum-empty">No posts yet. Open the first one above: Docent answers it in its thread.</p>';
  const items = [...threads]
    .sort((a, b) => (BigInt(b.id) > BigInt(a.id) ? 1 : -1))
    .map((thread) => {
      const author = names.user(thread.owner_id ?? "") ?? "someone";
      const count = replies(thread.id);
      return (
        `<li><button type="button" class="forum-post" data-thread="${thread.id}">` +
        `<span class="forum-post-title">${escapeHtml(thread.name)}</span>${state(thread)}${tagChips(thread, forum)}` +
        `<span class="forum-post-meta">${escapeHtml(author)} · ${count} ${count === 1 ? "reply" : "replies"}</span></button></li>`
      );
    });
  return `<ul class="forum-list">${items.join("")}</ul>`;
}

/** The header of an open post: its title, tags and state. */
export function renderThreadHeader(thread: ApiChannel, forum: ApiChannel): string {
  return `<h3 class="thread-title">${escapeHtml(thread.name)}</h3>${state(thread)}${tagChips(thread, forum)}`;
}
