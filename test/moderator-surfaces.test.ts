import { describe, expect, it } from "vitest";
import type { AnswerResult } from "../src/answer/answer-types.ts";
import { buildReviewMessage } from "../src/discord/review/review-message.ts";
import { buildGapsReport } from "../src/gaps/build-gaps-report.ts";
import { renderGapsReport } from "../src/gaps/render-gaps-report.ts";
import { recordEmbed, type ReviewRecord } from "../src/gaps/review-record.ts";
import type { Passage } from "../src/retrieval/passage.ts";

/** A page title and heading carrying links, a masked link and a ping: what a hostile page can put there. */
const TITLE = "Data policy — log in at https://evil.example/login or [openai.com](https://evil.example/x) @everyone";
const HEADING = `${TITLE} > Retention www.evil.example/help`;
const LINK = /evil\.example/;

const passage: Passage = { id: "a", url: "https://example.com/a", title: TITLE, heading: HEADING, text: "Logs are kept 30 days.", pageDate: null, score: 0.5 };

describe("links in page titles never reach a moderator surface", () => {
  it("the review message's retrieval embed", () => {
    const result: AnswerResult = {
      question: "how long are logs kept?",
      answer: "30 days [1].",
      refused: false,
      mode: "extractive",
      redacted: [],
      draft: null,
      citations: [],
      passages: [passage],
      timings: { retrieveMs: 1, answerMs: 1, totalMs: 2 },
    };
    const message = buildReviewMessage(result, { askerId: "1", guildId: "2", channelId: "3", replyMessageId: "4", answerContent: "x", pending: false });
    const text = JSON.stringify(message.embeds.filter((e) => e.title !== "Answer"));
    expect(text).not.toMatch(LINK);
    expect(text).not.toContain("@everyone");
  });

  const record: ReviewRecord = {
    kind: "refused",
    mode: "extractive",
    question: "how long are logs kept?",
    closest: { title: TITLE, url: "https://example.com/a", heading: HEADING },
    verdict: "none",
    note: null,
    votes: { up: 0, down: 1 },
    removed: false,
  };

  it("the Record", () => {
    const fields = recordEmbed(record).fields ?? [];
    expect(JSON.stringify(fields)).not.toMatch(LINK);
  });

  it("the gaps report (npm run gaps, --post and /docent gaps)", () => {
    const at = new Date("2026-11-01T00:00:00Z");
    const report = buildGapsReport({ entries: [{ id: "1", at, record }], window: { from: new Date("2026-10-01T00:00:00Z"), to: at } });
    const text = renderGapsReport(report);
    expect(text).toMatch(/Closest: /);
    expect(text).not.toMatch(LINK);
  });
});
