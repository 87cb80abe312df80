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
  const names = { user: (id: string) => (id === "800000000000000200" ? "you" : undefined), role: () => undefined, channel: (id: string) => (id === GENERAL_CHANNEL_ID ? "general" : undefined) };

  it("escapes everything first: no markup or script gets through, links are http(s) only", () => {
    const html = renderMarkdown(`<img src=x onerror=alert(1)> [click](javascript:alert(1)) [ok](<https://example.com/a?b=1&c="2">) **<b>x</b>**`, names);
    expect(html).not.toMatch(/<img|<b>|href="javascript/);
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expect(html).toContain('href="https://example.com/a?b=1&amp;c=%222%22"');
    expect(html).toContain("<strong>&lt;b&gt;x&lt;/b&gt;</strong>");
  });

  it("renders Docent's answer shape: mention pill, bullets, bold, masked links, subtext, quotes", () => {
    const html = renderMarkdown(
      "> **Q:** do you train on my data?\nHi <@800000000000000200>! Lead.\n- First point [1]\n- Second point [1]\n**Sources**\n[1] [Training](<https://openai.com/enterprise-privacy/>) · updated 2026-01-08\n-# Answered only from the policy pages above. See <#" + GENERAL_CHANNEL_ID + ">.",
      names,
    );
    expect(html).toContain('<blockquote class="md-quote"><div class="md-p"><strong>Q:</strong> do you train on my data?</div></blockquote>');
    expect(html).toContain('<span class="mention" data-user="800000000000000200">@you</span>');
    expect(html).toContain('<ul class="md-list"><li>First point [1]</li><li>Second point [1]</li></ul>');
    expect(html).toContain('[1] <a class="md-link" href="https://openai.com/enterprise-privacy/" target="_blank" rel="noopener noreferrer nofollow">Training</a> · updated 2026-01-08');
    expect(html).toContain('<div class="md-subtext">Answered only from the policy pages above. See <span class="mention mention-channel">#general</span>.</div>');
  });

  it("keeps code literal and unknown mentions anonymous", () => {
    const html = renderMarkdown("`**not bold** <@1>` <@&900000000000000001> ```\n<script>x</script>\n```", names);
    expect(html).toContain('<code class="md-code">**not bold** &lt;@1&gt;</code>');
    expect(html).toContain("@unknown-role");
    expect(html).toContain("&lt;script&gt;x&lt;/script&gt;");
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
    const app = await openApp(playgroundConfig(parseConfig({ LANCEDB_URI: path.join(work.dir, "db"), KNOWLEDGE_DIR, COOLDOWN_SECONDS: "0", LOG_LEVEL: "silent" })));
    await buildIndexIfMissing(app, () => {});
    playground = await startPlayground({ app, logger: createLogger("silent"), port: 0 });
    // Playwright gives every launch a fresh, empty profile (its own --user-data-dir).
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
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
      request({ host: "127.0.0.1", port: playground.port, path: "/", headers: { host: `evil.example:${playground.port}` } }, (res) => (res.resume(), resolve(res.statusCode))).on("error", reject).end();
    });
    expect(status).toBe(403);
    await page.goto(playground.url);
    await expect.poll(() => page.locator("body").getAttribute("data-connected")).toBe("true");
    expect(await page.locator(".banner").innerText()).toMatch(/Local playground.*127\.0\.0\.1.*nothing is kept/s);
    expect(await page.locator(".pane-name").allInnerTexts()).toEqual(["general", "docent-review"]);
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

    await ephemeral.getByRole("button", { name: "Post publicly" }).click();
    const posted = general().locator(".msg-bot:not(.msg-ephemeral)", { hasText: "Q: how long are API inputs" });
    await posted.waitFor();
    expect(await posted.locator('a.md-link[href^="https://"]').count()).toBeGreaterThan(0);
    await expect.poll(() => ephemeral.getByRole("button", { name: "Post publicly" }).count()).toBe(0);
    await shot("04-ask-posted-publicly");
  });

  it("👎 on an answer is thanked privately", async () => {
    await general().locator(`#m-${answerId} button[aria-label="👎"]`).click();
    await general().locator(".msg-ephemeral", { hasText: "Thanks for telling me" }).waitFor();
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
});
