/**
 * The playground page, rendered on the server: a Discord-like window with the server's channel list, #general
 * (where members ask) and #docent-review (where moderators review) side by side (one at a time in a narrow window,
 * the channel list then in a drawer), the current messages already in place. `client.js` then keeps it live over
 * server-sent events. Pure.
 */
import { FORUM_TAGS, GENERAL_CHANNEL_ID, type Role } from "./playground-guild.ts";
import { escapeHtml } from "./render-markdown.ts";

export interface PageInput {
  panes: ReadonlyArray<{ id: string; name: string; topic: string; html: string }>;
  role: Role;
  botName: string;
  visitorName: string;
  /** #help-forum: shown in place of #general when chosen; its post list already rendered. */
  forum?: { id: string; name: string; topic: string; listHtml: string };
}

function composer(channelId: string, channelName: string, botName: string, tip: string): string {
  const first = channelId === GENERAL_CHANNEL_ID;
  return `
      <form class="composer" data-channel="${channelId}" autocomplete="off">
        <div class="reply-bar" hidden>
          <span>Replying to <strong class="reply-name"></strong></span>
          <button type="button" class="reply-cancel" aria-label="Cancel reply" title="Cancel reply (Esc)">×</button>
        </div>
        <div class="command-hint" hidden>
          <span class="command-name">/ask</span> <span class="command-param">question</span>
          <label class="command-public"><input type="checkbox" name="public"> public <span class="muted">(answer in the channel for everyone)</span></label>
        </div>
        <div class="composer-box">
          <button type="button" class="composer-tool" data-insert="@${escapeHtml(botName)} " title="Mention ${escapeHtml(botName)}" aria-label="Mention ${escapeHtml(botName)}">@</button>
          <button type="button" class="composer-tool" data-insert="/ask " title="Use /ask" aria-label="Use the /ask command">/</button>
          <input class="composer-input" id="composer-${channelId}" name="content" maxlength="2000"${first ? " autofocus" : ""} placeholder="Message #${escapeHtml(channelName)} — ${escapeHtml(tip)}" aria-label="Message #${escapeHtml(channelName)}">
          <button type="submit" class="composer-send" aria-label="Send">Send</button>
        </div>
      </form>`;
}

function pane(p: PageInput["panes"][number], input: PageInput): string {
  const isReview = p.id !== GENERAL_CHANNEL_ID;
  return `
    <section class="pane${isReview ? " pane-review" : " pane-current"}" id="pane-${p.id}" data-channel="${p.id}" aria-label="#${escapeHtml(p.name)}">
      <header class="pane-header"><button type="button" class="menu-toggle" aria-controls="sidebar" aria-expanded="false" aria-label="Channels and role" title="Channels and role"><span aria-hidden="true">☰</span></button><span class="hash">#</span><span class="pane-name">${escapeHtml(p.name)}</span><span class="pane-topic">${escapeHtml(p.topic)}</span>${isReview ? '<span class="pane-badge">moderators</span>' : ""}</header>
      <div class="messages" id="messages-${p.id}" data-channel="${p.id}" aria-live="polite">
        <div class="channel-start"><div class="channel-start-icon">#</div><h2>Welcome to #${escapeHtml(p.name)}!</h2><p>${escapeHtml(p.topic)}.</p></div>
        ${p.html}
      </div>
      <div class="typing" data-channel="${p.id}" aria-live="polite"></div>
      ${composer(p.id, p.name, input.botName, isReview ? "moderators: /docent status, /docent gaps" : `@${input.botName} a question, or /ask`)}
    </section>`;
}

/** Tags a poster may pick; Docent applies the first three itself. */
const POSTER_TAGS = FORUM_TAGS.slice(3);

/**
 * #help-forum: a form to open a post (title, message, tags) above the post list; a post opens as its thread, with
 * the same message list and message box as a channel (client.js points them at the open post).
 */
function forumPane(forum: NonNullable<PageInput["forum"]>, input: PageInput): string {
  const tags = POSTER_TAGS.map((tag) => `<label class="post-tag"><input type="checkbox" name="tags" value="${tag.id}"> ${escapeHtml(tag.name)}</label>`).join(
    "",
  );
  return `
    <section class="pane pane-forum" id="pane-${forum.id}" data-channel="${forum.id}" aria-label="#${escapeHtml(forum.name)}">
      <header class="pane-header"><button type="button" class="menu-toggle" aria-controls="sidebar" aria-expanded="false" aria-label="Channels and role" title="Channels and role"><span aria-hidden="true">☰</span></button><span class="hash forum-icon" aria-hidden="true">▤</span><span class="pane-name">${escapeHtml(forum.name)}</span><span class="pane-topic">${escapeHtml(forum.topic)}</span></header>
      <div class="forum-index">
        <form class="new-post" autocomplete="off">
          <input class="new-post-title" name="title" maxlength="100" required placeholder="Post title" aria-label="Post title">
          <textarea class="new-post-content" name="content" maxlength="2000" rows="3" required placeholder="Your question: what do you want to know?" aria-label="Your question"></textarea>
          <div class="new-post-row"><fieldset class="post-tags"><legend>Tags</legend>${tags}</fieldset><button type="submit" class="new-post-send">Post</button></div>
        </form>
        <div class="forum-posts" id="forum-posts" aria-live="polite">${forum.listHtml}</div>
      </div>
      <div class="thread-view" hidden>
        <div class="thread-bar"><button type="button" class="thread-back" aria-label="Back to all posts">← All posts</button><div class="thread-header"></div></div>
        <div class="messages thread-messages" data-channel="" aria-live="polite"></div>
        <div class="typing thread-typing" data-channel="" aria-live="polite"></div>
        ${composer("thread", "post", input.botName, `@${input.botName} to follow up`).replace('data-channel="thread"', 'data-channel=""').replace(" autofocus", "")}
      </div>
    </section>`;
}

export function renderPage(input: PageInput): string {
  const channelLinks = input.panes
    .map(
      (p) =>
        `<a class="channel-link${p.id === GENERAL_CHANNEL_ID ? ' active" aria-current="page' : ""}" href="#pane-${p.id}" data-channel="${p.id}"><span class="hash">#</span>${escapeHtml(p.name)}</a>`,
    )
    .join("");
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Docent playground</title>
  <link rel="icon" href="/favicon.svg" type="image/svg+xml">
  <link rel="stylesheet" href="/page.css">
  <script type="module" src="/client.js"></script>
</head>
<body data-role="${input.role}">
  <div class="banner" role="note"><strong>Local playground</strong> — the real Docent bot talking to a Discord stand-in on this machine (127.0.0.1). Nothing reaches Discord, and nothing is kept after the process stops.</div>
  <a class="skip-link" href="#composer-${GENERAL_CHANNEL_ID}">Skip to the message box</a>
  <div class="app">
    <nav class="servers" aria-label="Servers"><div class="server-icon" title="Docent playground">DP</div></nav>
    <aside class="sidebar" id="sidebar" aria-label="Channels and role">
      <header class="guild-name">Docent playground</header>
      <div class="channel-group">Text channels</div>
      ${channelLinks}${
        input.forum
          ? `<div class="channel-group">Forums</div><a class="channel-link" href="#pane-${input.forum.id}" data-channel="${input.forum.id}"><span class="hash forum-icon" aria-hidden="true">▤</span>${escapeHtml(input.forum.name)}</a>`
          : ""
      }
      <div class="user-panel">
        <div class="avatar small" style="background:#3ba55c" aria-hidden="true">${escapeHtml((input.visitorName[0] ?? "?").toUpperCase())}</div>
        <div class="user-panel-name"><div>${escapeHtml(input.visitorName)}</div><div class="muted role-label">${input.role === "moderator" ? "Moderator" : "Member"}</div></div>
      </div>
      <fieldset class="role-switch">
        <legend>Act as</legend>
        <label><input type="radio" name="role" value="member"${input.role === "member" ? " checked" : ""}> Member</label>
        <label><input type="radio" name="role" value="moderator"${input.role === "moderator" ? " checked" : ""}> Moderator <span class="muted">(Manage Messages)</span></label>
      </fieldset>
    </aside>
    <div class="scrim" data-close-sidebar hidden></div>
    <main class="panes">${input.panes.map((p) => pane(p, input)).join("")}${input.forum ? forumPane(input.forum, input) : ""}
    </main>
  </div>
  <dialog id="modal" class="modal" aria-label="Form from ${escapeHtml(input.botName)}"></dialog>
  <div id="toasts" class="toasts" aria-live="assertive"></div>
</body>
</html>
`;
}
