import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderChangelog } from "../src/ingest/changelog.ts";
import { renderSummary } from "../src/ingest/render-summary.ts";
import type { IngestSummary } from "../src/ingest/run-ingest.ts";
import { printable, printableJson, printableLines } from "../src/terminal-text.ts";
import { tempDir } from "./support/fixtures.ts";
import { runScript } from "./support/run-script.ts";

/** A title that would turn the terminal red, clear the screen, set the window title and reverse the text after it. */
const EVIL_TITLE = "Privacy \u001b[31mRED\u001b[0m\u001b[2J\u001b]0;owned\u0007 policy \u202egnp.exe\u0085\u009b31m end";
const TERMINAL_CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;

describe("printable", () => {
  it("removes escape sequences, control characters and bidi overrides, and flattens line breaks", () => {
    expect(printable(EVIL_TITLE)).toBe("Privacy RED policy gnp.exe  end");
    expect(printable("a\r\nforged line\u2028b\tc")).toBe("a forged line b c");
    expect(printable("Zürich · 東京 · emoji 👩‍💻 stay")).toBe("Zürich · 東京 · emoji 👩‍💻 stay");
    expect(printableLines("message \u001b[1mbold\u001b[0m\n  → hint \u202e")).toBe("message bold\n  → hint ");
  });

  it("JSON keeps every character but writes the dangerous ones as escapes", () => {
    const json = printableJson({ title: EVIL_TITLE });
    expect(json).not.toMatch(TERMINAL_CONTROLS);
    expect(JSON.parse(json)).toEqual({ title: EVIL_TITLE });
  });
});

describe("everything the ingest prints is printable", () => {
  const summary: IngestSummary = {
    version: 2,
    previousVersion: 1,
    dryRun: false,
    written: true,
    pages: { added: 1, updated: 1, removed: 0, unchanged: 0 },
    chunks: { added: 1, updated: 1, removed: 0, unchanged: 0 },
    embedded: 2,
    errors: [
      { file: "kb/\u001b[2Jevil\u202e.md", reason: "missing title in the front matter" },
      { file: "https://evil.example/\u001b[31m", reason: `HTTP 500 \u001b[31m${EVIL_TITLE}` },
    ],
    notes: [`https://evil.example/: its canonical link \u202eevil`],
    changes: [
      { url: "https://example.com/a", title: EVIL_TITLE, status: "added", sections: [] },
      { url: "https://example.com/b", title: "B", status: "updated", sections: [`B > ${EVIL_TITLE}`] },
    ],
  };

  it("the summary", () => {
    const text = renderSummary(summary);
    expect(text).not.toMatch(TERMINAL_CONTROLS);
    expect(text).toContain("  added    Privacy RED policy gnp.exe  end <https://example.com/a>");
    expect(text).toContain("  ✗ kb/evil.md: missing title in the front matter");
  });

  it("the changelog posted to Discord", () => {
    const text = renderChangelog(summary);
    expect(text).not.toMatch(TERMINAL_CONTROLS);
    expect(text).toContain("[Privacy RED policy gnp.exe  end](<https://example.com/a>)");
  });

  describe("npm run ingest, text and --json", () => {
    let work: Awaited<ReturnType<typeof tempDir>>;
    let sources: string;
    beforeAll(async () => {
      work = await tempDir("docent-printable-");
      sources = path.join(work.dir, "kb");
      await mkdir(sources, { recursive: true });
      await writeFile(
        path.join(sources, "page.md"),
        `---\ntitle: ${JSON.stringify(EVIL_TITLE)}\nurl: https://example.com/evil\n---\n\n## Body\n\nSome policy text.\n`,
      );
      await writeFile(path.join(sources, "bad\u001b[31m\u202e.md"), "no front matter");
    });
    afterAll(() => work?.cleanup());

    it("prints no control characters, and --json still carries the title as it is", async () => {
      const text = await runScript("ingest.ts", ["--source", sources, "--db", path.join(work.dir, "db-text"), "--dry-run"]);
      expect(text.code).toBe(1);
      expect(text.stdout).toContain("Privacy RED policy gnp.exe  end <https://example.com/evil>");
      expect(text.stdout).toContain("✗ kb/bad.md: missing front matter");
      expect(text.stdout + text.stderr).not.toMatch(TERMINAL_CONTROLS);

      const json = await runScript("ingest.ts", ["--source", sources, "--db", path.join(work.dir, "db-json"), "--dry-run", "--json"]);
      expect(json.stdout + json.stderr).not.toMatch(TERMINAL_CONTROLS);
      const parsed = JSON.parse(json.stdout);
      expect(parsed.changes[0].title).toBe(EVIL_TITLE);
      expect(parsed.errors[0].file).toBe("kb/bad\u001b[31m\u202e.md");
    });

    it("an error message quoting a path prints no control characters", async () => {
      const result = await runScript("ingest.ts", ["--source", path.join(work.dir, "missing\u001b[2J\u202e"), "--db", path.join(work.dir, "db-missing")]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/Cannot read the source folder .*missing/);
      expect(result.stderr).not.toMatch(TERMINAL_CONTROLS);
    });
  });
});
