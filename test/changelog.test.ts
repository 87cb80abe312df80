import { describe, expect, it } from "vitest";
import { renderChangelog } from "../src/ingest/changelog.ts";

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
});
