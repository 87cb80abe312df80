import { parse as parseYaml } from "yaml";

/**
 * Front matter is YAML and nothing else. A knowledge file comes from a contributor, so it is data: the block is
 * read with the `yaml` package's parser (plain data only: no custom tags, no code, aliases capped), and a block
 * that names another language (`---js`, `---javascript`, `---coffee`, `---toml`, `---json`…) is refused instead of
 * being handed to an engine. Pure.
 */
export type FrontMatter = { ok: true; data: Record<string, unknown>; content: string } | { ok: false; reason: string };

/**
 * Front matter holds a page's title, url and date: a few lines. The YAML parser's work grows faster than the block
 * (99,604 keys took minutes), so a block is measured before it is parsed, like HTML.
 */
export const FRONT_MATTER_LIMITS = { maxBytes: 64 * 1024, maxLines: 1_000 };

const OPENING = /^---([^\r\n]*)\r?\n/;
const CLOSING = /^---[ \t]*$/m;

/** Splits `text` into its front-matter data and the body after it. Text that does not open with `---` has none. */
export function parseFrontMatter(text: string): FrontMatter {
  const source = text.replace(/^\uFEFF/, "").trimStart();
  if (!source.startsWith("---")) return { ok: true, data: {}, content: source };
  const opening = OPENING.exec(source);
  if (!opening) return { ok: false, reason: "the front matter never ends: close the YAML block with a line of ---" };
  const marker = opening[1]!.trim();
  if (marker !== "" && !/^ya?ml$/i.test(marker)) {
    return {
      ok: false,
      reason: `front matter marked "---${marker}" is not read: only YAML front matter is (code is never run); open the block with a plain --- line`,
    };
  }
  const rest = source.slice(opening[0].length);
  const closing = CLOSING.exec(rest);
  if (!closing) return { ok: false, reason: "the front matter never ends: close the YAML block with a line of ---" };
  const block = rest.slice(0, closing.index);
  const tooBig = overLimits(block);
  if (tooBig) return { ok: false, reason: tooBig };
  let data: unknown;
  try {
    data = parseYaml(block, { maxAliasCount: 50, prettyErrors: false, logLevel: "error" });
  } catch (error) {
    const detail = error instanceof Error ? (error.message.split("\n")[0] ?? "") : "";
    return { ok: false, reason: `malformed front matter (${detail}); it must be a YAML block between --- lines` };
  }
  if (data === null || data === undefined) data = {};
  if (typeof data !== "object" || Array.isArray(data)) {
    return { ok: false, reason: "malformed front matter: it must be YAML key: value lines (title, url) between --- lines" };
  }
  const content = rest.slice(closing.index + closing[0].length).replace(/^\r?\n/, "");
  return { ok: true, data: data as Record<string, unknown>, content };
}

function overLimits(block: string): string | null {
  const { maxBytes, maxLines } = FRONT_MATTER_LIMITS;
  const bytes = Buffer.byteLength(block);
  if (bytes > maxBytes)
    return `the front matter is ${bytes} bytes, over the limit of ${maxBytes}: keep it to title, url and date, and put the text below the closing ---`;
  let lines = 1;
  for (let i = block.indexOf("\n"); i !== -1 && lines <= maxLines; i = block.indexOf("\n", i + 1)) lines++;
  if (lines > maxLines)
    return `the front matter has more than ${maxLines} lines, over the limit: keep it to title, url and date, and put the text below the closing ---`;
  return null;
}
