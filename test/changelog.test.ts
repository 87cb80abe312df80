import { describe, expect, it } from "vitest";
import { renderChangelog } from "../src/ingest/changelog.ts";
import { sectionDiff } from "../src/ingest/section-diff.ts";

describe("renderChangelog", () => {
  it("lists added, updated (with changed sections) and removed pages, without link previews", () => {
    const text = renderChangelog({
      previousVersion: 4,
      version: 6,
      changes: [
        { url: "https://example.com/a", title: "Retention", status: "updated", sections: ["Retention > Abuse monitoring", "Retention > Zero data retention"] },
        { url: "https://example.com/b", title: "New page", status: "added", sections: ["New page > Intro"] },
        { url: "https://example.com/c", title: "Old page", status: "removed", sections: ["Old page > All"] },
      ],
    });
    expect(text).toMatchInlineSnapshot(`
      "**Knowledge updated** · index version 4 → 6
      ✏️ updated · [Retention](<https://example.com/a>)
        -# changed: Abuse monitoring; Zero data retention
      🆕 added · [New page](<https://example.com/b>)
      🗑️ removed · [Old page](<https://example.com/c>)"
    `);
  });

  it("stays within one Discord message however many pages changed", () => {
    const changes = Array.from({ length: 200 }, (_, i) => ({ url: `https://example.com/${i}`, title: `Page ${i}`, status: "added" as const, sections: [] }));
    const text = renderChangelog({ previousVersion: 1, version: 2, changes });
    expect(text.length).toBeLessThanOrEqual(2000);
    expect(text).toMatch(/…and \d+ more page change\(s\)\.$/);
  });

  it("shows the changed words of each changed section, page text escaped", () => {
    const text = renderChangelog({
      previousVersion: 6,
      version: 7,
      changes: [
        {
          url: "https://example.com/a",
          title: "Retention",
          status: "updated",
          sections: ["Retention > Abuse monitoring", "Retention > Zero data retention"],
          diffs: [
            sectionDiff("Retention > Abuse monitoring", "Logs are kept for up to 30 days.", "Logs are kept for up to 45 days, then deleted."),
            sectionDiff(
              "Retention > Zero data retention",
              "Ask your account team.",
              "Ask your account team. Use the **form** at [link](https://evil.example).",
            ),
          ],
        },
      ],
    });
    expect(text).toMatchInlineSnapshot(`
      "**Knowledge updated** · index version 6 → 7
      ✏️ updated · [Retention](<https://example.com/a>)
        -# Abuse monitoring: ~~30~~ → **45**; + **, then deleted**
        -# Zero data retention: + **Use the \\*\\*form\\*\\* at \\[link\\](https://evil.example).**"
    `);
  });
});

describe("sectionDiff", () => {
  it("gives the changed words as a few clipped edits, ignoring white space", () => {
    expect(sectionDiff("P > S", "Kept for 30 days.\nThen deleted.", "Kept for  30 days. Then erased.")).toEqual({
      section: "P > S",
      edits: [{ removed: "deleted", added: "erased" }],
      more: 0,
      rewritten: false,
    });
    const many = sectionDiff("P > S", "a b c d e f g h", "a B c D e F g H");
    expect(many.edits).toHaveLength(3);
    expect(many.more).toBe(1);
    const long = sectionDiff("P > S", "start", `start ${"word ".repeat(40)}`);
    expect(long.edits[0]!.added).toMatch(/^(word ){11}word…$/);
  });

  it("calls a section rewritten instead of listing hundreds of changed words", () => {
    const words = (prefix: string) => Array.from({ length: 600 }, (_, i) => `${prefix}${i}`).join(" ");
    expect(sectionDiff("P > S", words("old"), words("new"))).toEqual({ section: "P > S", edits: [], more: 0, rewritten: true });
  });
});
