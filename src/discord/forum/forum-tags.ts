import type { ReviewKind } from "../../gaps/review-record.ts";

/**
 * Which tags a forum post should carry after Docent tags it: the poster's own tags are kept, Docent's tag is added
 * once, and Discord's limit of five tags per post is respected. Pure.
 */
export interface ForumTag {
  id: string;
  name: string;
}

/** Discord allows at most five tags on a post. */
export const MAX_POST_TAGS = 5;

export type TagPlan = { kind: "apply"; tags: string[] } | { kind: "already" } | { kind: "missing" } | { kind: "full" };

/** The forum's tag with this name (case and surrounding spaces ignored, as people type tag names loosely). */
export function findTag(available: readonly ForumTag[], name: string): ForumTag | null {
  const wanted = name.trim().toLowerCase();
  return available.find((tag) => tag.name.trim().toLowerCase() === wanted) ?? null;
}

/** The post's tags with the named tag added, or why they stay as they are. */
export function planTag(applied: readonly string[], available: readonly ForumTag[], name: string): TagPlan {
  const tag = findTag(available, name);
  if (!tag) return { kind: "missing" };
  if (applied.includes(tag.id)) return { kind: "already" };
  if (applied.length >= MAX_POST_TAGS) return { kind: "full" };
  return { kind: "apply", tags: [...applied, tag.id] };
}

/** Docent's own tag on an answered post: refused and uncertain answers ask for a human. */
export type PostTag = "answered" | "needs-human";

export function postTagOf(kind: ReviewKind): PostTag {
  return kind === "refused" || kind === "uncertain" ? "needs-human" : "answered";
}
