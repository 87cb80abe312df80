/**
 * Discord-flavoured Markdown → safe HTML, for the playground page. Everything is HTML-escaped first; only then are
 * the constructs Discord renders turned into markup: masked links `[t](<url>)`, bare and `<url>` links (http(s)
 * only), **bold**, *italic*, __underline__, ~~strike~~, ||spoiler||, `code`, code blocks, `# headings`, `-# subtext`,
 * `>` and `>>>` quotes, `-`/`*` and `1.` lists, mentions as @name pills, `<t:unix:style>` timestamps. Pure.
 */

export interface MarkdownNames {
  user(id: string): string | undefined;
  role(id: string): string | undefined;
  channel(id: string): string | undefined;
  /** A page-internal href for a discord.com message link the page can show, or undefined to keep the link. */
  jump?(guildId: string, channelId: string, messageId: string): string | undefined;
}

const NO_NAMES: MarkdownNames = { user: () => undefined, role: () => undefined, channel: () => undefined };

export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

function unescapeHtml(text: string): string {
  return text
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");
}

/** Renders a whole message body (blocks and inlines). */
export function renderMarkdown(text: string, names: MarkdownNames = NO_NAMES): string {
  const held: string[] = [];
  const hold = (html: string): string => `\u0000${held.push(html) - 1}\u0000`;
  // NUL is our placeholder marker; Discord would not show it anyway.
  let source = text.replace(/\u0000/g, "");
  // Code blocks first: nothing inside them is Markdown.
  source = source.replace(
    /```(?:([a-zA-Z0-9_+-]+)\n)?([\s\S]*?)```/g,
    (_m, _lang: string | undefined, code: string) =>
      `\n${hold(`<pre class="md-codeblock"><code>${escapeHtml(code.replace(/^\n/, "").replace(/\n$/, ""))}</code></pre>`)}\n`,
  );
  const html = renderBlocks(source.split("\n"), names, hold);
  return restore(html, held);
}

function restore(html: string, held: string[]): string {
  let out = html;
  for (let i = 0; i < 5 && out.includes("\u0000"); i++) out = out.replace(/\u0000(\d+)\u0000/g, (_m, n: string) => held[Number(n)] ?? "");
  return out;
}

type Hold = (html: string) => string;

function renderBlocks(lines: string[], names: MarkdownNames, hold: Hold): string {
  const out: string[] = [];
  let paragraph: string[] = [];
  const flush = (): void => {
    if (paragraph.length > 0) out.push(`<div class="md-p">${paragraph.map((l) => renderInline(l, names, hold)).join("<br>")}</div>`);
    paragraph = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    // `>>> ` quotes the rest of the message.
    const rest = /^>>> ?(.*)$/.exec(line);
    if (rest) {
      flush();
      out.push(`<blockquote class="md-quote">${renderBlocks([rest[1] ?? "", ...lines.slice(i + 1)], names, hold)}</blockquote>`);
      break;
    }
    if (/^>( |$)/.test(line)) {
      flush();
      const quoted: string[] = [];
      while (i < lines.length && /^>( |$)/.test(lines[i] ?? "")) quoted.push((lines[i++] ?? "").replace(/^> ?/, ""));
      i--;
      out.push(`<blockquote class="md-quote">${renderBlocks(quoted, names, hold)}</blockquote>`);
      continue;
    }
    const heading = /^(#{1,3}) (.+)$/.exec(line);
    if (heading) {
      flush();
      const level = heading[1]?.length ?? 1;
      out.push(`<h${level + 2} class="md-h${level}">${renderInline(heading[2] ?? "", names, hold)}</h${level + 2}>`);
      continue;
    }
    const subtext = /^-# (.+)$/.exec(line);
    if (subtext) {
      flush();
      out.push(`<div class="md-subtext">${renderInline(subtext[1] ?? "", names, hold)}</div>`);
      continue;
    }
    const listKind = /^\s*[-*] \S/.test(line) ? "ul" : /^\s*\d{1,9}\. \S/.test(line) ? "ol" : null;
    if (listKind) {
      flush();
      const items: string[] = [];
      const itemPattern = listKind === "ul" ? /^\s*[-*] (.*)$/ : /^\s*\d{1,9}\. (.*)$/;
      const start = listKind === "ol" ? Number(/^\s*(\d+)/.exec(line)?.[1] ?? 1) : 1;
      while (i < lines.length && itemPattern.test(lines[i] ?? "")) items.push(itemPattern.exec(lines[i++] ?? "")?.[1] ?? "");
      i--;
      const startAttr = listKind === "ol" && start !== 1 ? ` start="${start}"` : "";
      out.push(`<${listKind} class="md-list"${startAttr}>${items.map((item) => `<li>${renderInline(item, names, hold)}</li>`).join("")}</${listKind}>`);
      continue;
    }
    paragraph.push(line);
  }
  flush();
  // Drop empty paragraphs left by code-block line breaks at the edges.
  return out.join("").replace(/<div class="md-p">(?:<br>)*<\/div>/g, "");
}

function safeHttpUrl(raw: string): string | null {
  try {
    const url = new URL(raw);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

function linkHtml(url: string, labelHtml: string, names: MarkdownNames): string {
  const jump = /^https:\/\/(?:ptb\.|canary\.)?discord(?:app)?\.com\/channels\/(\d+|@me)\/(\d+)\/(\d+)\/?$/.exec(url);
  const internal = jump ? names.jump?.(jump[1] ?? "", jump[2] ?? "", jump[3] ?? "") : undefined;
  if (internal !== undefined) return `<a class="md-link md-jump" href="${escapeHtml(internal)}" data-jump="${escapeHtml(jump?.[3] ?? "")}">${labelHtml}</a>`;
  return `<a class="md-link" href="${escapeHtml(url)}" target="_blank" rel="noopener noreferrer nofollow">${labelHtml}</a>`;
}

/** One line of inline Markdown. */
export function renderInline(line: string, names: MarkdownNames = NO_NAMES, hold?: Hold): string {
  const local: string[] = [];
  const keep: Hold = hold ?? ((html) => `\u0000${local.push(html) - 1}\u0000`);
  // Placeholders from renderMarkdown (code blocks) pass through; a direct call gets no NUL from its input.
  let s = escapeHtml(hold ? line : line.replace(/\u0000/g, ""));
  // Backslash escapes: the next Markdown character is literal.
  s = s.replace(/\\(&lt;|&gt;|&amp;|&quot;|&#39;|[*_~`|\\[\]()#@:-])/g, (_m, ch: string) => keep(ch));
  s = s.replace(/`([^`]+)`/g, (_m, code: string) => keep(`<code class="md-code">${code}</code>`));
  // Masked links: [label](url) or [label](<url>) — the <> form is how Docent suppresses previews.
  s = s.replace(/\[([^\]]+)\]\(\s*(?:&lt;)?(https?:\/\/(?:(?!&gt;)[^\s)])+)(?:&gt;)?\s*\)/g, (whole, label: string, rawUrl: string) => {
    const url = safeHttpUrl(unescapeHtml(rawUrl));
    return url ? keep(linkHtml(url, emphasis(label), names)) : whole;
  });
  // <https://...> (no preview) and bare links.
  s = s.replace(/&lt;(https?:\/\/(?:(?!&gt;)\S)+)&gt;/g, (whole, rawUrl: string) => {
    const url = safeHttpUrl(unescapeHtml(rawUrl));
    return url ? keep(linkHtml(url, rawUrl, names)) : whole;
  });
  s = s.replace(/https?:\/\/(?:(?!&lt;|&gt;|&quot;|&#39;)[^\s\u0000])+/g, (match) => {
    const trimmed = match.replace(/(?:[.,:;!?)\]]|&amp;)+$/, "");
    const trailing = match.slice(trimmed.length);
    const url = safeHttpUrl(unescapeHtml(trimmed));
    return url ? keep(linkHtml(url, trimmed, names)) + trailing : match;
  });
  // Mentions, channels, timestamps, custom emoji.
  s = s.replace(/&lt;@!?(\d{15,21})&gt;/g, (_m, id: string) =>
    keep(`<span class="mention" data-user="${id}">@${escapeHtml(names.user(id) ?? "unknown-user")}</span>`),
  );
  s = s.replace(/&lt;@&amp;(\d{15,21})&gt;/g, (_m, id: string) =>
    keep(`<span class="mention mention-role">@${escapeHtml(names.role(id) ?? "unknown-role")}</span>`),
  );
  s = s.replace(/&lt;#(\d{15,21})&gt;/g, (_m, id: string) =>
    keep(`<span class="mention mention-channel">#${escapeHtml(names.channel(id) ?? "unknown")}</span>`),
  );
  s = s.replace(/&lt;t:(-?\d{1,13})(?::([tTdDfFR]))?&gt;/g, (_m, secs: string, style: string | undefined) => keep(timestampHtml(Number(secs), style ?? "f")));
  s = s.replace(/&lt;a?:(\w{2,32}):(\d{15,21})&gt;/g, (_m, name: string) => keep(`<span class="md-emoji">:${name}:</span>`));
  s = emphasis(s);
  return hold ? s : restore(s, local);
}

/** Bold, underline, italic, strike and spoiler on already-escaped text. */
function emphasis(s: string): string {
  return s
    .replace(/\*\*\*(?=\S)([\s\S]*?\S)\*\*\*/g, "<strong><em>$1</em></strong>")
    .replace(/\*\*(?=\S)([\s\S]*?\S)\*\*/g, "<strong>$1</strong>")
    .replace(/__(?=\S)([\s\S]*?\S)__/g, "<u>$1</u>")
    .replace(/(^|[^*\w])\*(?=\S)([^*]*?\S)\*(?!\*)/g, "$1<em>$2</em>")
    .replace(/(^|\W)_(?=\S)([^_]*?\S)_(?!\w)/g, "$1<em>$2</em>")
    .replace(/~~(?=\S)([\s\S]*?\S)~~/g, "<s>$1</s>")
    .replace(/\|\|([\s\S]+?)\|\|/g, '<span class="md-spoiler" tabindex="0">$1</span>');
}

const TIME_FORMATS: Record<string, Intl.DateTimeFormatOptions> = {
  t: { timeStyle: "short" },
  T: { timeStyle: "medium" },
  d: { dateStyle: "short" },
  D: { dateStyle: "long" },
  f: { dateStyle: "long", timeStyle: "short" },
  F: { dateStyle: "full", timeStyle: "short" },
};

function timestampHtml(seconds: number, style: string): string {
  const date = new Date(seconds * 1000);
  if (Number.isNaN(date.getTime())) return "";
  let text: string;
  if (style === "R") {
    const minutes = Math.round((date.getTime() - Date.now()) / 60_000);
    const rtf = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
    text =
      Math.abs(minutes) < 60
        ? rtf.format(minutes, "minute")
        : Math.abs(minutes) < 1440
          ? rtf.format(Math.round(minutes / 60), "hour")
          : rtf.format(Math.round(minutes / 1440), "day");
  } else {
    text = new Intl.DateTimeFormat("en-US", TIME_FORMATS[style] ?? TIME_FORMATS["f"]).format(date);
  }
  return `<time class="md-time" datetime="${date.toISOString()}">${escapeHtml(text)}</time>`;
}
