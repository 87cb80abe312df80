import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { request } from "node:http";
import path from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GENERAL_CHANNEL_ID, REVIEW_CHANNEL_ID } from "../src/playground/playground-guild.ts";
import { renderMarkdown } from "../src/playground/render-markdown.ts";
import { buildIndexIfMissing, openApp } from "../src/app/engine.ts";
import { type Playground, playgroundConfig, startPlayground } from "../src/app/playground.ts";
import { parseConfig } from "../src/config.ts";
import { createLogger } from "../src/log.ts";
import { KNOWLEDGE_DIR, tempDir } from "./support/fixtures.ts";
import { PROJECT_DIR } from "./support/run-script.ts";

const CHROMIUM = "/usr/bin/chromium";
const SHOTS = path.join(PROJECT_DIR, "test-output/playground");

/** Debian's Chromium, installed by `.ci/run`. Missing on a user's machine: skip and say why; under CI: fail. */
function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI === "true") throw new Error(`CI=true but Chromium is missing at ${CHROMIUM}; .ci/run installs it (apt-get install chromium).`);
  console.warn(`Skipping the playground browser tests: ${CHROMIUM} is not there (apt-get install chromium, as .ci/run does).`);
  return false;
}

describe("Discord Markdown → safe HTML", () => {
  const names = {
    user: (id: string) => (id === "800000000000000200" ? "you" : undefined),
    role: () => undefined,
    channel: (id: string) => (id === GENERAL_CHANNEL_ID ? "general" : undefined),
  };

  it("escapes everything first: no markup or script gets through, links are http(s) only", () => {
    const html = renderMarkdown(`<img src=x onerror=alert(1)> [click](javascript:alert(1)) [ok](<https://example.com/a?b=1&c="2">) **<b>x</b>**`, names);
    expect(html).not.toMatch(/<img|<b>|href="javascript/);
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expect(html).toContain('href="https://example.com/a?b=1&amp;c=%222%22"');
    expect(html).toContain("<strong>&lt;b&gt;x&lt;/b&gt;</strong>");
  });

  it("renders Docent's answer shape: mention pill, bullets, bold, masked links, subtext, quotes", () => {
    const html = renderMarkdown(
      `> **Q:** do you train on my data?\nHi <@800000000000000200>! Lead.\n- First point [1]\n- Second point [1]\n**Sources**\n[1] [Training](<https://openai.com/enterprise-privacy/>) · updated 2026-01-08\n-# Answered only from the policy pages above. See <#${GENERAL_CHANNEL_ID}>.`,
      names,
    );
    expect(html).toContain('<blockquote class="md-quote"><div class="md-p"><strong>Q:</strong> do you train on my data?</div></blockquote>');
    expect(html).toContain('<span class="mention" data-user="800000000000000200">@you</span>');
    expect(html).toContain('<ul class="md-list"><li>First point [1]</li><li>Second point [1]</li></ul>');
    expect(html).toContain(
      '[1] <a class="md-link" href="https://openai.com/enterprise-privacy/" target="_blank" rel="noopener noreferrer nofollow">Training</a> · updated 2026-01-08',
    );
    expect(html).toContain(
      '<div class="md-subtext">Answered only from the policy pages above. See <span class="mention mention-channel">#general</span>.</div>',
    );
  });

  it("keeps code literal and unknown mentions anonymous", () => {
    const html = renderMarkdown("`**not bold** <@1>` <@&900000000000000001> ```\n<script>x</script>\n```", names);
    expect(html).toContain('<code class="md-code">**not bold** &lt;@1&gt;</code>');
    expect(html).toContain("@unknown-role");
    expect(html).toContain("&lt;script&gt;x&lt;/script&gt;");
  });
});

describe("the playground's configuration", () => {
  it("has no cooldown of its own, unless the user's environment sets COOLDOWN_SECONDS", () => {
    expect(playgroundConfig(parseConfig({})).COOLDOWN_SECONDS).toBe(0);
    expect(playgroundConfig(parseConfig({ COOLDOWN_SECONDS: "" })).COOLDOWN_SECONDS).toBe(0);
    expect(playgroundConfig(parseConfig({ COOLDOWN_SECONDS: "30" })).COOLDOWN_SECONDS).toBe(30);
    expect(playgroundConfig(parseConfig({ COOLDOWN_SECONDS: "10" })).COOLDOWN_SECONDS).toBe(10);
  });
  it("REVIEW_MODE=approve needs no REVIEW_CHANNEL_ID of the user's: the playground's review channel is used", () => {
    const config = playgroundConfig(parseConfig({ REVIEW_MODE: "approve" }));
    expect(config).toMatchObject({ REVIEW_MODE: "approve", REVIEW_CHANNEL_ID });
  });
});

describe.skipIf(!chromiumAvailable())("the playground in a browser (real bot, local Discord stand-in)", () => {
  let work: Awaited<ReturnType<typeof tempDir>>;
  let playground: Playground;
  let browser: Browser;
  let page: Page;
  const general = () => page.locator(`#messages-${GENERAL_CHANNEL_ID}`);
  const review = () => page.locator(`#messages-${REVIEW_CHANNEL_ID}`);
  const composer = () => page.locator(`.composer[data-channel="${GENERAL_CHANNEL_ID}"] .composer-input`);
  const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
  /** The mention answer, kept for the 👎 and review steps. */
  let answerId = "";

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    work = await tempDir("docent-playground-");
    const app = await openApp(playgroundConfig(parseConfig({ LANCEDB_URI: path.join(work.dir, "db"), KNOWLEDGE_DIR, LOG_LEVEL: "silent" })));
    await buildIndexIfMissing(app, () => {});
    playground = await startPlayground({ app, logger: createLogger("silent"), port: 0 });
    // Playwright gives every launch a fresh, empty profile (its own --user-data-dir).
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.setDefaultTimeout(8_000);
  });
  afterAll(async () => {
    await browser?.close();
    await playground?.stop();
    await work?.cleanup();
  });

  it("serves a Discord-like page on localhost only, with the local-playground banner", async () => {
    expect(playground.url).toMatch(/^http:\/\/localhost:\d+$/);
    // Another host name (DNS rebinding) is refused.
    const status = await new Promise<number | undefined>((resolve, reject) => {
      request({ host: "127.0.0.1", port: playground.port, path: "/", headers: { host: `evil.example:${playground.port}` } }, (res) => {
        res.resume();
        resolve(res.statusCode);
      })
        .on("error", reject)
        .end();
    });
    expect(status).toBe(403);
    const missing: string[] = [];
    page.on("response", (response) => void (response.status() >= 400 && missing.push(`${response.status()} ${response.url()}`)));
    await page.goto(playground.url);
    await expect.poll(() => page.locator("body").getAttribute("data-connected")).toBe("true");
    // Everything the page asks for is there, its icon included (browsers also try /favicon.ico on their own).
    const icon = await page.request.get(`${playground.url}/favicon.ico`);
    expect(icon.status()).toBe(200);
    expect(icon.headers()["content-type"]).toMatch(/^image\//);
    expect(missing).toEqual([]);

    // Keyboard: the message box has focus from the start, with a visible ring, and a skip link is the first Tab stop.
    expect(await page.evaluate("document.activeElement?.id")).toBe(`composer-${GENERAL_CHANNEL_ID}`);
    const ring = await page.evaluate(`getComputedStyle(document.querySelector('.composer[data-channel="${GENERAL_CHANNEL_ID}"] .composer-box')).boxShadow`);
    expect(ring).toMatch(/rgb\(0, 168, 252\)/);
    // From the top of the page (a click on the banner), the first Tab stop skips to the message box.
    await page.locator(".banner").click();
    await page.keyboard.press("Tab");
    expect(await page.evaluate("document.activeElement?.textContent")).toBe("Skip to the message box");
    await shot("01b-skip-link");
    await page.keyboard.press("Enter");
    expect(await page.evaluate("document.activeElement?.id")).toBe(`composer-${GENERAL_CHANNEL_ID}`);
    expect(await page.locator(".banner").innerText()).toMatch(/Local playground.*127\.0\.0\.1.*nothing is kept/s);
    expect(await page.locator(".pane-name").allInnerTexts()).toEqual(["general", "docent-review", "help-forum"]);
    await shot("01-empty");
  });

  it("asks by mention: the bot's typing indicator, then a cited answer replying to the question", async () => {
    // The answer can follow the typing event within milliseconds: record every text the indicator shows.
    await page.evaluate(`(() => {
      window.typingSeen = [];
      const el = document.querySelector('.typing[data-channel="${GENERAL_CHANNEL_ID}"]');
      new MutationObserver(() => { if (el.textContent) window.typingSeen.push(el.textContent); }).observe(el, { childList: true, subtree: true, characterData: true });
    })()`);
    await page.locator(`.composer[data-channel="${GENERAL_CHANNEL_ID}"] [data-insert^="@"]`).click();
    await composer().pressSequentially("do you train your models on my API data?");
    await composer().press("Enter");
    const answer = general().locator(".msg-bot", { hasText: "Sources" }).first();
    await answer.waitFor();
    expect(await page.evaluate("window.typingSeen")).toContain("Docent is typing…");
    // A reply to the visitor's question, which mentioned the bot.
    await expect.poll(() => general().locator(".msg-user .mention").first().innerText()).toBe("@Docent");
    expect(await answer.locator(".msg-context .context-author").innerText()).toBe("@you");
    expect(await answer.locator(".msg-content .mention").first().innerText()).toBe("@you");
    expect(await answer.getAttribute("class")).toContain("msg-mentioned");
    const sources = answer.locator('.msg-content a.md-link[href^="https://"]');
    expect(await sources.count()).toBeGreaterThan(0);
    expect(await answer.locator(".md-list li").first().innerText()).toMatch(/\[\d\]$/);
    expect(await answer.locator("button[data-custom-id]").allInnerTexts()).toEqual(["👍", "👎"]);
    answerId = (await answer.getAttribute("data-id")) ?? "";
    await shot("02-mention-answer");
  });

  it("replies to an answer with Reply (Discord's reply bar), and the bot answers the follow-up from the earlier exchange", async () => {
    const answer = general().locator(`#m-${answerId}`);
    await answer.hover();
    await answer.getByRole("button", { name: "Reply to Docent" }).click();
    const bar = page.locator(`.composer[data-channel="${GENERAL_CHANNEL_ID}"] .reply-bar`);
    expect(await bar.innerText()).toMatch(/Replying to @Docent/);
    expect(await page.evaluate("document.activeElement?.id")).toBe(`composer-${GENERAL_CHANNEL_ID}`);
    await shot("02b-reply-bar");
    // Escape (or ×) cancels; Reply again to send.
    await composer().press("Escape");
    expect(await bar.isHidden()).toBe(true);
    await answer.hover();
    await answer.getByRole("button", { name: "Reply to Docent" }).click();

    // On its own this question gets an answer about encryption; as a follow-up to "do you train … on my API data?"
    // it is about training. No @Docent typed: the reply itself pings the bot, as on Discord.
    await composer().pressSequentially("does that apply to me?");
    await composer().press("Enter");
    const reply = general().locator(".msg-user", { hasText: "does that apply to me?" });
    await reply.waitFor();
    expect(await bar.isHidden()).toBe(true);
    expect(await reply.locator(`.msg-context a[data-jump="${answerId}"] .context-author`).innerText()).toBe("@Docent");
    const replyId = (await reply.getAttribute("data-id")) ?? "";
    const followUp = general().locator(".msg-bot", { has: page.locator(`.msg-context a[data-jump="${replyId}"]`) });
    await followUp.waitFor();
    expect(await followUp.locator(".msg-content").innerText()).toMatch(/train/i);
    expect(await followUp.locator('.msg-content a.md-link[href^="https://"]').count()).toBeGreaterThan(0);
    await followUp.scrollIntoViewIfNeeded();
    await shot("02c-follow-up-answered");
  });

  it("answers /ask privately, marked as such, and 'Post publicly' posts it for everyone", async () => {
    await composer().fill("/ask how long are API inputs and outputs kept for abuse monitoring?");
    await page.locator(`.composer[data-channel="${GENERAL_CHANNEL_ID}"] .command-hint`).waitFor();
    await composer().press("Enter");
    const ephemeral = general().locator(".msg-ephemeral", { hasText: "Sources" }).first();
    await ephemeral.waitFor();
    expect(await ephemeral.locator(".ephemeral-note").innerText()).toMatch(/Only you can see this/);
    expect(await ephemeral.locator(".msg-context").innerText()).toMatch(/you\s+used\s+\/ask/);
    expect(await ephemeral.locator(".md-quote").first().innerText()).toMatch(/^Q: how long are API inputs/);
    await shot("03-ask-ephemeral");

    const privateId = (await ephemeral.getAttribute("data-id")) ?? "";
    await ephemeral.getByRole("button", { name: "Post publicly" }).click();
    const posted = general().locator(".msg-bot:not(.msg-ephemeral)", { hasText: "Q: how long are API inputs" });
    await posted.waitFor();
    expect(await posted.locator('a.md-link[href^="https://"]').count()).toBeGreaterThan(0);
    // One copy for the asker: the private answer turns into a link to the public one.
    const pointer = general().locator(`#m-${privateId}`);
    await expect.poll(() => pointer.locator(".msg-content").innerText()).toMatch(/^Posted in the channel for everyone: jump to the answer$/);
    expect(await pointer.locator("a[data-jump]").getAttribute("data-jump")).toBe(await posted.getAttribute("data-id"));
    expect(await general().locator(".msg", { hasText: "Q: how long are API inputs" }).count()).toBe(1);
    await shot("04-ask-posted-publicly");
  });

  it("👎 on an answer is thanked privately, and shows pressed", async () => {
    await general().locator(`#m-${answerId} button[aria-label="👎"]`).click();
    await general().locator(".msg-ephemeral", { hasText: "Thanks for telling me" }).waitFor();
    await expect.poll(() => general().locator(`#m-${answerId} button[aria-label="👎"]`).getAttribute("aria-pressed")).toBe("true");
    expect(await general().locator(`#m-${answerId} button[aria-label="👍"]`).getAttribute("aria-pressed")).toBe("false");
    await general().locator(`#m-${answerId} .components`).scrollIntoViewIfNeeded();
    await shot("04b-vote-pressed");
    // As on Discord, a message only you can see offers no Reply, and the API refuses a reply to it.
    const thanks = general().locator(".msg-ephemeral", { hasText: "Thanks for telling me" }).first();
    expect(await thanks.locator("[data-reply]").count()).toBe(0);
    const refused = await page.request.post(`${playground.url}/api/messages`, {
      data: { channelId: GENERAL_CHANNEL_ID, content: "and?", replyTo: await thanks.getAttribute("data-id") },
    });
    expect(refused.status()).toBe(400);
    expect((await refused.json()).error).toMatch(/cannot be replied to/);
  });

  it("the 👎 shows in the review pane, with the moderator buttons", async () => {
    const reviewMessage = review().locator(".msg-bot", { has: page.locator(`a[data-jump="${answerId}"]`) });
    await expect.poll(() => reviewMessage.locator(".embed-footer").first().innerText()).toMatch(/👎 1/);
    expect(await reviewMessage.locator("button[data-custom-id]").allInnerTexts()).toEqual(expect.arrayContaining(["Mark correct", "Mark wrong"]));
    await reviewMessage.locator(".embed-footer").first().scrollIntoViewIfNeeded();
    await shot("05-review-pane");
  });

  it("as an ordinary member a moderator button is refused; as a moderator it works (with its modal)", async () => {
    const reviewMessage = review().locator(".msg-bot", { has: page.locator(`a[data-jump="${answerId}"]`) });
    await page.getByLabel("Member").check();
    await reviewMessage.getByRole("button", { name: "Mark correct" }).click();
    const refusal = review().locator(".msg-ephemeral", { hasText: "Only moderators" });
    await refusal.waitFor();
    expect(await refusal.locator(".ephemeral-note").innerText()).toMatch(/Only you can see this/);
    await shot("06-member-refused");

    await page.getByLabel("Moderator").check();
    await expect.poll(() => page.locator("body").getAttribute("data-role")).toBe("moderator");
    await reviewMessage.getByRole("button", { name: "Mark wrong" }).click();
    const modal = page.locator("dialog#modal[open]");
    await modal.waitFor();
    expect(await modal.locator(".modal-title").innerText()).toBe("Mark answer wrong");
    await modal.locator("textarea").fill("The retention period is outdated.");
    await shot("07-moderator-modal");
    await modal.getByRole("button", { name: "Submit" }).click();
    await reviewMessage.locator(".embed", { hasText: "Marked wrong" }).waitFor();
    expect(await reviewMessage.locator(".embed", { hasText: "Marked wrong" }).innerText()).toMatch(/by @you[\s\S]*The retention period is outdated\./);
    await reviewMessage.locator(".embed", { hasText: "Marked wrong" }).scrollIntoViewIfNeeded();
    await shot("08-moderator-verdict");

    // A moderator's tool command, typed in the review channel like in Discord.
    const reviewComposer = page.locator(`.composer[data-channel="${REVIEW_CHANNEL_ID}"] .composer-input`);
    await reviewComposer.fill("/docent status");
    await reviewComposer.press("Enter");
    const status = review().locator(".msg-ephemeral", { hasText: "Docent status" });
    await status.waitFor();
    expect(await status.innerText()).toMatch(/Review: all in #docent-review/);
  });

  it('is usable at 800 px: one channel at a time, the channel list and "Act as" in a drawer, only the messages scroll', async () => {
    const narrow = await browser.newPage({ viewport: { width: 800, height: 700 } });
    narrow.setDefaultTimeout(8_000);
    const narrowShot = (name: string) => narrow.screenshot({ path: path.join(SHOTS, `${name}.png`) });
    try {
      await narrow.goto(playground.url);
      await expect.poll(() => narrow.locator("body").getAttribute("data-connected")).toBe("true");
      const visible = (selector: string) => narrow.locator(selector).isVisible();
      expect(await visible(`#pane-${GENERAL_CHANNEL_ID}`)).toBe(true);
      expect(await visible(`#pane-${REVIEW_CHANNEL_ID}`)).toBe(false);
      // Nothing scrolls but a channel's message list: not the page, not the panes around it.
      const scrolls = await narrow.evaluate(`(() => {
        const overflows = (el) => el.scrollHeight > el.clientHeight + 1;
        return { page: overflows(document.scrollingElement), panes: overflows(document.querySelector(".panes")), messages: overflows(document.getElementById("messages-${GENERAL_CHANNEL_ID}")) };
      })()`);
      expect(scrolls).toEqual({ page: false, panes: false, messages: true });
      await narrowShot("09-narrow-general");

      const toggle = narrow.locator(`#pane-${GENERAL_CHANNEL_ID} .menu-toggle`);
      expect(await toggle.getAttribute("aria-expanded")).toBe("false");
      await toggle.click();
      expect(await toggle.getAttribute("aria-expanded")).toBe("true");
      await narrow.getByLabel("Moderator").check();
      await expect.poll(() => narrow.locator("body").getAttribute("data-role")).toBe("moderator");
      await narrowShot("10-narrow-drawer");

      await narrow.locator(".sidebar .channel-link", { hasText: "docent-review" }).click();
      expect(await visible(".sidebar")).toBe(false);
      expect(await visible(`#pane-${REVIEW_CHANNEL_ID}`)).toBe(true);
      expect(await visible(`#pane-${GENERAL_CHANNEL_ID}`)).toBe(false);
      expect(await narrow.evaluate("document.activeElement?.id")).toBe(`composer-${REVIEW_CHANNEL_ID}`);
      await narrowShot("11-narrow-review");

      // Back to member with the keyboard: the drawer opens, Escape closes it.
      await narrow.locator(`#pane-${REVIEW_CHANNEL_ID} .menu-toggle`).click();
      await narrow.getByLabel("Member").check();
      await narrow.keyboard.press("Escape");
      expect(await visible(".sidebar")).toBe(false);
    } finally {
      await narrow.close();
    }
  });
  it("is readable at 1280 px: the review pane shares the width, long URLs wrap inside their embeds, long passages fold", async () => {
    const laptop = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    laptop.setDefaultTimeout(8_000);
    try {
      await laptop.goto(playground.url);
      await expect.poll(() => laptop.locator("body").getAttribute("data-connected")).toBe("true");
      const reviewMessage = laptop.locator(`#messages-${REVIEW_CHANNEL_ID} .msg-bot`, { has: laptop.locator(`a[data-jump="${answerId}"]`) });
      await reviewMessage.waitFor();
      // Measured before this layout: a 386 px review column and a 2,806 px tall review message, its URLs running out.
      const measure = () =>
        laptop.evaluate(`(() => {
          const pane = document.getElementById("pane-${REVIEW_CHANNEL_ID}");
          const message = document.querySelector('#messages-${REVIEW_CHANNEL_ID} .msg-bot a[data-jump="${answerId}"]').closest(".msg");
          const outside = [...message.querySelectorAll(".embed *")].filter((el) => {
            const embed = el.closest(".embed").getBoundingClientRect();
            const box = el.getBoundingClientRect();
            return box.width > 0 && (box.right > embed.right + 1 || el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX === "visible");
          }).map((el) => el.className || el.tagName);
          return { paneWidth: Math.round(pane.getBoundingClientRect().width), messageHeight: Math.round(message.getBoundingClientRect().height), outside };
        })()`) as Promise<{ paneWidth: number; messageHeight: number; outside: string[] }>;
      const folded = await measure();
      expect(folded.paneWidth).toBeGreaterThanOrEqual(480);
      expect(folded.outside).toEqual([]);
      expect(folded.messageHeight).toBeLessThan(1_600);
      // The review pane as a screenshot, at its full width.
      const png = await laptop.locator(`#pane-${REVIEW_CHANNEL_ID}`).screenshot({ path: path.join(SHOTS, "12-review-pane-1280.png") });
      expect(png.readUInt32BE(16)).toBe(folded.paneWidth);
      expect(await reviewMessage.locator(".embed", { hasText: "Closest URL" }).locator("a.md-link").first().innerText()).toMatch(/^https:\/\//);

      // The passages are folded, not gone: one click shows them all, still inside the embed.
      const more = reviewMessage.locator("details.embed-more").first();
      expect(await more.locator("summary").innerText()).toMatch(/^Show \d+ more lines$/);
      await more.locator("summary").click();
      const open = await measure();
      expect(open.messageHeight).toBeGreaterThan(folded.messageHeight);
      expect(open.outside).toEqual([]);
    } finally {
      await laptop.close();
    }
  });

  it("REVIEW_MODE=approve works with the built-in review channel: the asker waits, a moderator approves, the answer appears", async () => {
    const app = await openApp(
      playgroundConfig(parseConfig({ LANCEDB_URI: path.join(work.dir, "db"), KNOWLEDGE_DIR, LOG_LEVEL: "silent", REVIEW_MODE: "approve" })),
    );
    const approving = await startPlayground({ app, logger: createLogger("silent"), port: 0 });
    const tab = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    tab.setDefaultTimeout(8_000);
    try {
      await tab.goto(approving.url);
      await expect.poll(() => tab.locator("body").getAttribute("data-connected")).toBe("true");
      const box = tab.locator(`.composer[data-channel="${GENERAL_CHANNEL_ID}"] .composer-input`);
      await tab.locator(`.composer[data-channel="${GENERAL_CHANNEL_ID}"] [data-insert^="@"]`).click();
      await box.pressSequentially("do you train your models on my API data?");
      await box.press("Enter");
      const waiting = tab.locator(`#messages-${GENERAL_CHANNEL_ID} .msg-bot`, { hasText: "A moderator will check my answer" });
      await waiting.waitFor();
      const waitingId = (await waiting.getAttribute("data-id")) ?? "";
      const draft = tab.locator(`#messages-${REVIEW_CHANNEL_ID} .msg-bot`, { hasText: "Draft answer waiting for approval" });
      await draft.waitFor();
      expect(await draft.locator("button[data-custom-id]").allInnerTexts()).toEqual(expect.arrayContaining(["Approve", "Reject"]));
      await tab.screenshot({ path: path.join(SHOTS, "13-approve-draft.png") });

      await tab.getByLabel("Moderator").check();
      await expect.poll(() => tab.locator("body").getAttribute("data-role")).toBe("moderator");
      await draft.getByRole("button", { name: "Approve" }).click();
      // The waiting reply becomes the answer, with its sources.
      const answer = tab.locator(`#m-${waitingId}`);
      await expect.poll(() => answer.locator(".msg-content").innerText()).toMatch(/Sources/);
      expect(await answer.locator('.msg-content a.md-link[href^="https://"]').count()).toBeGreaterThan(0);
      await tab.screenshot({ path: path.join(SHOTS, "14-approve-approved.png") });
    } finally {
      await tab.close();
      await approving.stop();
    }
  });
});
