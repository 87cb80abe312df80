import { describe, expect, it } from "vitest";
import { forumConfig, parseConfig } from "../src/config.ts";
import { findTag, planTag, postTagOf } from "../src/discord/forum/forum-tags.ts";
import { forumPostQuestion } from "../src/discord/forum/thread-follow-up.ts";

const TAGS = [
  { id: "1", name: "Answered by Docent" },
  { id: "2", name: "Needs a human" },
  { id: "3", name: "billing" },
];

describe("forum tags (pure)", () => {
  it("adds Docent's tag after the poster's own, once, matching names loosely", () => {
    expect(findTag(TAGS, "  answered BY docent ")?.id).toBe("1");
    expect(planTag(["3"], TAGS, "Answered by Docent")).toEqual({ kind: "apply", tags: ["3", "1"] });
    expect(planTag(["3", "1"], TAGS, "answered by docent")).toEqual({ kind: "already" });
  });

  it("says why it cannot: no such tag in the forum, or five tags already", () => {
    expect(planTag([], TAGS, "Solved")).toEqual({ kind: "missing" });
    expect(planTag(["3", "4", "5", "6", "7"], TAGS, "Needs a human")).toEqual({ kind: "full" });
  });

  it("asks for a human on refused and uncertain answers, whether posted directly or approved", () => {
    expect(postTagOf("answered")).toBe("answered");
    expect(postTagOf("fallback")).toBe("answered");
    expect(postTagOf("uncertain")).toBe("needs-human");
    expect(postTagOf("refused")).toBe("needs-human");
  });

  it("a post's question is its title, then its first message", () => {
    expect(forumPostQuestion("  Data retention ", "How long are logs kept?")).toBe("Data retention\nHow long are logs kept?");
  });
});

describe("FORUM_* configuration", () => {
  it("reads the forums, tag names and archive switch into forumConfig", () => {
    const config = parseConfig({
      FORUM_CHANNEL_IDS: "410000000000000001, 410000000000000002",
      FORUM_ANSWERED_TAG: "Answered by Docent",
      FORUM_NEEDS_HUMAN_TAG: "Needs a human",
      FORUM_SOLVED_TAG: "Solved",
      FORUM_ARCHIVE_ON_SOLVED: "true",
    });
    expect(forumConfig(config)).toEqual({
      forumChannelIds: new Set(["410000000000000001", "410000000000000002"]),
      forumAnsweredTag: "Answered by Docent",
      forumNeedsHumanTag: "Needs a human",
      forumSolvedTag: "Solved",
      forumArchiveOnSolved: true,
    });
    expect(forumConfig(parseConfig({ FORUM_ANSWERED_TAG: "" }))).toEqual({
      forumChannelIds: new Set(),
      forumAnsweredTag: null,
      forumNeedsHumanTag: null,
      forumSolvedTag: null,
      forumArchiveOnSolved: false,
    });
  });

  it("names the variable and the expected form when a value is wrong", () => {
    expect(() => parseConfig({ FORUM_CHANNEL_IDS: "help-forum" })).toThrow(
      /FORUM_CHANNEL_IDS is invalid \(got "help-forum"\): expected a comma-separated list of Discord forum channel ids/,
    );
    expect(() => parseConfig({ FORUM_ARCHIVE_ON_SOLVED: "yes" })).toThrow(/FORUM_ARCHIVE_ON_SOLVED is invalid.*true or false/);
    expect(() => parseConfig({ FORUM_SOLVED_TAG: "a tag name far longer than twenty" })).toThrow(/FORUM_SOLVED_TAG is invalid.*1-20 characters/);
  });
});
