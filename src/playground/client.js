// The playground page's script: no framework, no build. The server renders every message to HTML; this file only
// sends what the visitor does to the JSON API and applies the server-sent events (messages, typing, modals, role),
// and keeps what is the page's own: the reply bar, pressed buttons, the channel shown in a narrow window.
// It holds no Discord numbers: the server sends rendered HTML and takes names ("ask", "public"), not types or flags.

const $ = (selector, root = document) => root.querySelector(selector);
const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];

async function post(path, body) {
  const response = await fetch(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const result = await response.json().catch(() => ({ ok: false, error: `HTTP ${response.status}` }));
  if (!response.ok || result.ok === false) throw new Error(result.error || `HTTP ${response.status}`);
  return result;
}

function toast(text) {
  const element = document.createElement("div");
  element.className = "toast";
  element.textContent = text;
  $("#toasts").append(element);
  setTimeout(() => element.remove(), 6000);
}

function fromHtml(html) {
  const template = document.createElement("template");
  template.innerHTML = html;
  return template.content.firstElementChild;
}

// --- messages -------------------------------------------------------------------------------------------------

const nearBottom = (list) => list.scrollHeight - list.scrollTop - list.clientHeight < 120;
const scrollDown = (list) => (list.scrollTop = list.scrollHeight);

function upsertMessage({ id, channelId, authorId, html, remove }) {
  const existing = document.getElementById(`m-${id}`);
  if (remove) return existing?.remove();
  const list = document.getElementById(`messages-${channelId}`);
  if (!list) return;
  const stick = nearBottom(list);
  const element = fromHtml(html);
  showPressed(element);
  if (existing) {
    // Keep a message the visitor dismissed dismissed, as Discord does.
    if (existing.hidden) element.hidden = true;
    existing.replaceWith(element);
  } else {
    list.append(element);
    stopTyping(channelId, authorId);
  }
  if (stick || !existing) scrollDown(list);
}

// --- pressed buttons: the visitor's last choice on each message (👍 or 👎, a verdict), kept across re-renders -------

const pressed = new Map(); // messageId -> customId

function showPressed(message) {
  const customId = pressed.get(message.dataset.id);
  const chosen = customId && $$("button[data-custom-id]", message).find((button) => button.dataset.customId === customId);
  if (!chosen) return;
  for (const button of $$("button[data-custom-id]", chosen.closest(".action-row") ?? message)) button.setAttribute("aria-pressed", String(button === chosen));
}

// --- typing indicators: shown for 10 s, or until the typist's message arrives (as on Discord) -----------------

const typists = new Map(); // channelId -> Map(userId -> {name, timer})

function renderTyping(channelId) {
  const element = $(`.typing[data-channel="${channelId}"]`);
  if (!element) return;
  const names = [...(typists.get(channelId)?.values() ?? [])].map((t) => t.name);
  element.replaceChildren();
  if (names.length === 0) return;
  const dots = document.createElement("span");
  dots.className = "dots";
  dots.append(document.createElement("i"), document.createElement("i"), document.createElement("i"));
  const text = document.createElement("span");
  const strong = document.createElement("strong");
  strong.textContent = names.join(", ");
  text.append(strong, names.length > 1 ? " are typing…" : " is typing…");
  element.append(dots, text);
}

function startTyping({ channelId, userId, name }) {
  if (!typists.has(channelId)) typists.set(channelId, new Map());
  const channel = typists.get(channelId);
  clearTimeout(channel.get(userId)?.timer);
  channel.set(userId, { name, timer: setTimeout(() => stopTyping(channelId, userId), 10_000) });
  renderTyping(channelId);
}

function stopTyping(channelId, userId) {
  const channel = typists.get(channelId);
  if (!channel?.has(userId)) return;
  clearTimeout(channel.get(userId).timer);
  channel.delete(userId);
  renderTyping(channelId);
}

// --- role -------------------------------------------------------------------------------------------------------

function showRole(role) {
  document.body.dataset.role = role;
  for (const input of $$('input[name="role"]')) input.checked = input.value === role;
  $(".role-label").textContent = role === "moderator" ? "Moderator" : "Member";
}

// --- modals -----------------------------------------------------------------------------------------------------

function openModal({ html, customId, channelId, messageId }) {
  const dialog = $("#modal");
  dialog.innerHTML = html;
  const form = $("form", dialog);
  $("[data-modal-cancel]", dialog).addEventListener("click", () => dialog.close());
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const fields = Object.fromEntries(new FormData(form).entries());
    try {
      const result = await post("/api/modal", { channelId, customId, fields, messageId });
      dialog.close();
      if (result.failed) toast("This interaction failed");
    } catch (error) {
      toast(error.message);
    }
  });
  dialog.showModal();
  $("input, textarea", dialog)?.focus();
}

// --- events from the server -----------------------------------------------------------------------------------

function connect() {
  const source = new EventSource("/events");
  source.addEventListener("reset", (event) => {
    const { role, panes, forum } = JSON.parse(event.data);
    showRole(role);
    if (forum) showForum(forum);
    for (const { channelId, html } of panes) {
      const list = document.getElementById(`messages-${channelId}`);
      if (!list) continue;
      const intro = $(".channel-start", list);
      const dismissed = new Set($$(".msg[hidden]", list).map((m) => m.id));
      list.innerHTML = html;
      if (intro) list.prepend(intro);
      for (const message of $$(".msg", list)) showPressed(message);
      for (const id of dismissed) if (document.getElementById(id)) document.getElementById(id).hidden = true;
      scrollDown(list);
    }
    document.body.dataset.connected = "true";
  });
  source.addEventListener("message", (event) => upsertMessage(JSON.parse(event.data)));
  source.addEventListener("forum", (event) => showForum(JSON.parse(event.data)));
  source.addEventListener("delete", (event) => document.getElementById(`m-${JSON.parse(event.data).id}`)?.remove());
  source.addEventListener("typing", (event) => startTyping(JSON.parse(event.data)));
  source.addEventListener("modal", (event) => openModal(JSON.parse(event.data)));
  source.addEventListener("role", (event) => showRole(JSON.parse(event.data).role));
  source.addEventListener("error", () => (document.body.dataset.connected = "false"));
}

// --- #help-forum: the post list, a new post, and the open post as its thread ------------------------------------

const forumPane = $(".pane-forum");

function showForum({ list, headers }) {
  if (!forumPane) return;
  $("#forum-posts").innerHTML = list;
  const open = $(".thread-messages", forumPane).dataset.channel;
  if (open && headers[open]) $(".thread-header", forumPane).innerHTML = headers[open];
}

/** Points the thread view (message list, typing line, message box) at a post and shows it in place of the list. */
async function openPost(threadId) {
  const { header, html } = await post("/api/forum/thread", { threadId });
  const list = $(".thread-messages", forumPane);
  list.id = `messages-${threadId}`;
  list.dataset.channel = threadId;
  list.innerHTML = html;
  for (const message of $$(".msg", list)) showPressed(message);
  $(".thread-typing", forumPane).dataset.channel = threadId;
  const form = $(".composer", forumPane);
  form.dataset.channel = threadId;
  cancelReply(form);
  $(".thread-header", forumPane).innerHTML = header;
  $(".forum-index", forumPane).hidden = true;
  $(".thread-view", forumPane).hidden = false;
  scrollDown(list);
  $(".composer-input", form).focus();
}

function closePost() {
  const list = $(".thread-messages", forumPane);
  list.removeAttribute("id");
  list.dataset.channel = "";
  list.replaceChildren();
  $(".composer", forumPane).dataset.channel = "";
  $(".thread-view", forumPane).hidden = true;
  $(".forum-index", forumPane).hidden = false;
}

if (forumPane) {
  const form = $(".new-post", forumPane);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    try {
      const { threadId } = await post("/api/forum/posts", {
        title: String(data.get("title") ?? ""),
        content: String(data.get("content") ?? ""),
        tags: data.getAll("tags").map(String),
      });
      form.reset();
      await openPost(threadId);
    } catch (error) {
      toast(error.message);
    }
  });
  forumPane.addEventListener("click", (event) => {
    const target = event.target instanceof Element ? event.target : null;
    const postButton = target?.closest(".forum-post");
    if (postButton) return void openPost(postButton.dataset.thread).catch((error) => toast(error.message));
    if (target?.closest(".thread-back")) return closePost();
  });
}

// --- what the visitor does --------------------------------------------------------------------------------------

function isCommand(text) {
  return /^\/ask(\s|$)/.test(text);
}

/** What a typed slash command becomes: the command the bot registered, with its options. */
function parseCommand(text, form) {
  if (isCommand(text)) return { name: "ask", question: text.replace(/^\/ask\s*/, ""), public: $('input[name="public"]', form).checked };
  if (/^\/docent\s+status\s*$/.test(text)) return { name: "docent", subcommand: "status" };
  const gaps = /^\/docent\s+gaps(?:\s+(\d+))?\s*$/.exec(text);
  if (gaps) return { name: "docent", subcommand: "gaps", ...(gaps[1] ? { days: Number(gaps[1]) } : {}) };
  return null;
}

// --- replies: Discord's reply bar above the message box ("Replying to @Docent ×") -----------------------------------

function startReply(message) {
  const form = $(`.composer[data-channel="${message.dataset.channel}"]`);
  if (!form) return;
  form.dataset.replyTo = message.dataset.id;
  $(".reply-name", form).textContent = `@${$(".msg-author", message)?.textContent ?? "someone"}`;
  $(".reply-bar", form).hidden = false;
  $(".composer-input", form).focus();
}

function cancelReply(form) {
  delete form.dataset.replyTo;
  $(".reply-bar", form).hidden = true;
}

// --- narrow windows: one channel at a time, the sidebar as a drawer --------------------------------------------

function showChannel(channelId) {
  for (const pane of $$(".pane")) {
    const current = pane.dataset.channel === channelId;
    const shown = current && !pane.classList.contains("pane-current");
    pane.classList.toggle("pane-current", current);
    // A list hidden (narrow window) could not keep to its newest message: bring it there when it shows.
    if (shown) scrollDown($(".messages", pane));
  }
  for (const link of $$(".channel-link")) {
    const current = link.dataset.channel === channelId;
    link.classList.toggle("active", current);
    if (current) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

function setSidebar(open) {
  if (open) document.body.dataset.sidebar = "open";
  else delete document.body.dataset.sidebar;
  for (const toggle of $$(".menu-toggle")) toggle.setAttribute("aria-expanded", String(open));
  $(".scrim").hidden = !open;
  if (open) $(".sidebar .channel-link.active")?.focus();
}

function wireComposer(form) {
  const input = $(".composer-input", form);
  const hint = $(".command-hint", form);
  const update = () => (hint.hidden = !isCommand(input.value));
  input.addEventListener("input", update);
  $(".reply-cancel", form).addEventListener("click", () => {
    cancelReply(form);
    input.focus();
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && form.dataset.replyTo) cancelReply(form);
  });
  for (const tool of $$("[data-insert]", form)) {
    tool.addEventListener("click", () => {
      const insert = tool.dataset.insert;
      input.value = insert.startsWith("/") ? insert + input.value.replace(/^\/ask\s*/, "") : insert + input.value;
      update();
      input.focus();
    });
  }
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    const channelId = form.dataset.channel;
    try {
      const command = parseCommand(text, form);
      if (command) {
        if (command.name === "ask" && !command.question) return toast("/ask needs a question");
        input.value = "";
        update();
        const result = await post("/api/command", { channelId, ...command });
        if (result.failed) toast("The application did not respond");
      } else {
        const replyTo = form.dataset.replyTo;
        input.value = "";
        update();
        cancelReply(form);
        await post("/api/messages", { channelId, content: text, ...(replyTo ? { replyTo } : {}) });
      }
    } catch (error) {
      toast(error.message);
    }
  });
}

document.addEventListener("click", async (event) => {
  const target = event.target instanceof Element ? event.target : null;
  const button = target?.closest("button[data-custom-id]");
  if (button && !button.disabled) {
    const message = button.closest(".msg");
    button.classList.add("pending");
    $(".interaction-failed", message)?.remove();
    try {
      const result = await post("/api/click", { channelId: message.dataset.channel, messageId: message.dataset.id, customId: button.dataset.customId });
      if (!result.failed) {
        pressed.set(message.dataset.id, button.dataset.customId);
        const current = document.getElementById(message.id);
        if (current) showPressed(current);
      } else {
        const note = document.createElement("div");
        note.className = "interaction-failed";
        note.textContent = "This interaction failed";
        $(".components", document.getElementById(message.id))?.after(note);
      }
    } catch (error) {
      toast(error.message);
    } finally {
      button.classList.remove("pending");
    }
    return;
  }
  const reply = target?.closest("[data-reply]");
  if (reply) return startReply(reply.closest(".msg"));
  const channelLink = target?.closest(".channel-link");
  if (channelLink) {
    event.preventDefault();
    showChannel(channelLink.dataset.channel);
    setSidebar(false);
    return void document.getElementById(`composer-${channelLink.dataset.channel}`)?.focus();
  }
  if (target?.closest(".menu-toggle")) return setSidebar(document.body.dataset.sidebar !== "open");
  if (target?.closest("[data-close-sidebar]")) return setSidebar(false);
  const dismiss = target?.closest("[data-dismiss]");
  if (dismiss) return void (dismiss.closest(".msg").hidden = true);
  const jump = target?.closest("[data-jump]");
  if (jump) {
    const destination = document.getElementById(`m-${jump.dataset.jump}`);
    if (destination) {
      event.preventDefault();
      showChannel(destination.dataset.channel);
      destination.scrollIntoView({ block: "center", behavior: "smooth" });
      destination.classList.remove("flash");
      void destination.offsetWidth;
      destination.classList.add("flash");
    }
  }
});

for (const input of $$('input[name="role"]')) {
  input.addEventListener("change", async () => {
    try {
      showRole((await post("/api/role", { role: input.value })).role);
    } catch (error) {
      toast(error.message);
    }
  });
}

document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && document.body.dataset.sidebar === "open") {
    setSidebar(false);
    $(".pane-current .menu-toggle")?.focus();
  }
});

// The skip link's target is an input: focus it (following the link alone only scrolls in some browsers).
$(".skip-link").addEventListener("click", (event) => {
  event.preventDefault();
  $(".pane-current .composer-input")?.focus();
});

for (const form of $$(".composer")) wireComposer(form);
for (const list of $$(".messages")) scrollDown(list);
$(".pane-current .composer-input")?.focus();
connect();
