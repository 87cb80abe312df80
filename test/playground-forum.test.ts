import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildIndexIfMissing, openApp } from "../src/app/engine.ts";
import { type Playground, playgroundConfig, startPlayground } from "../src/app/playground.ts";
import { parseConfig } from "../src/config.ts";
import { createLogger } from "../src/log.ts";
import { BOT_USER, GENERAL_CHANNEL_ID, HELP_FORUM_ID, REVIEW_CHANNEL_ID } from "../src/playground/playground-guild.ts";
import { KNOWLEDGE_DIR, tempDir } from "./support/fixtures.ts";
import { PROJECT_DIR } from "./support/run-script.ts";

const CHROMIUM = "/usr/bin/chromium";
const SHOTS = path.join(PROJECT_DIR, "test-output/playground");

/** Debian's Chromium, installed by `.ci/run`. Missing on a user's machine: skip and say why; under CI: fail. */
function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI === "true") throw new Error(`CI=true but Chromium is missing at ${CHROMIUM}; .ci/run installs it (apt-get install chromium).`);
  console.warn(`Skipping the playground forum browser tests: ${CHROMIUM} is not there (apt-get install chromium, as .ci/run does).`);
  return false;
}

describe.skipIf(!chromiumAvailable())("#help-forum in the playground (real bot, local Discord stand-in)", () => {
  let work: Awaited<ReturnType<typeof tempDir>>;
  let playground: Playground;
  let browser: Browser;
  let page: Page;
  const forum = () => page.locator(`#pane-${HELP_FORUM_ID}`);
  const thread = () => forum().locator(".thread-messages");
  const botMessages = () => thread().locator(`.msg[data-author="${BOT_USER.id}"]`);
  const shot = (name: string, on: Page = page) => on.screenshot({ path: path.join(SHOTS, `${name}.png`) });

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    work = await tempDir("docent-playground-forum-");
    const app = await openApp(playgroundConfig(parseConfig({ LANCEDB_URI: path.join(work.dir, "db"), KNOWLEDGE_DIR, LOG_LEVEL: "silent" })));
    await buildIndexIfMissing(app, () => {});
    playground = await startPlayground({ app, logger: createLogger("silent"), port: 0 });
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
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(8_000);
  });
  afterAll(async () => {
    await browser?.close();
    await playground?.stop();
    await work?.cleanup();
  });

  it("opens a post with a title, a message and a tag, and Docent answers it in the post, greeting the poster", async () => {
    await page.goto(playground.url);
    await expect.poll(() => page.locator("body").getAttribute("data-connected")).toBe("true");
    await page.locator(".sidebar .channel-link", { hasText: "help-forum" }).click();
    expect(await forum().isVisible()).toBe(true);
    // The forum takes #general's place; the review pane stays beside it.
    expect(await page.locator(`#pane-${GENERAL_CHANNEL_ID}`).isVisible()).toBe(false);
    expect(await page.locator(`#pane-${REVIEW_CHANNEL_ID}`).isVisible()).toBe(true);
    await forum().getByLabel("Post title").fill("Does the API keep the data I send it?");
    await forum().getByLabel("Your question").fill("How long are API inputs and outputs kept for abuse monitoring?");
    await forum().getByLabel("API", { exact: true }).check();
    await shot("forum-01-new-post");
    await forum().getByRole("button", { name: "Post", exact: true }).click();
    await botMessages().first().waitFor();
    const answer = botMessages().first();
    expect(await answer.locator(".msg-content").textContent()).toMatch(/^Hi @you!/);
    expect(await answer.locator('button[data-custom-id="docent:forum:solved"]').isVisible()).toBe(true);
    // The post's header shows the poster's tag and the one Docent applied.
    await expect.poll(() => forum().locator(".thread-header .forum-tag").allInnerTexts()).toEqual(["API", "Answered by Docent"]);
    expect(await forum().locator(".thread-title").textContent()).toBe("Does the API keep the data I send it?");
    await shot("forum-02-post-answered");
  });

  it("lists the posts with their tags, and reopens one as its thread", async () => {
    await forum().getByRole("button", { name: "Back to all posts" }).click();
    const item = forum().locator(".forum-post", { hasText: "Does the API keep the data I send it?" });
    await item.waitFor();
    expect(await item.locator(".forum-tag").allInnerTexts()).toEqual(["API", "Answered by Docent"]);
    expect(await item.locator(".forum-post-meta").textContent()).toMatch(/you · 1 reply/);
    await shot("forum-03-post-list");
    await item.click();
    await botMessages().first().waitFor();
  });

  it("answers a follow-up in the post with the earlier exchange in mind", async () => {
    const box = forum().locator(".composer-input");
    await box.fill("@Docent and does that change with zero data retention?");
    await box.press("Enter");
    await expect.poll(() => botMessages().count()).toBe(2);
    expect(await botMessages().nth(1).locator(".msg-content").textContent()).toMatch(/^Hi @you!/);
    await shot("forum-04-follow-up");
  });

  it("marks the post solved with the Solved button", async () => {
    await botMessages().first().locator('button[data-custom-id="docent:forum:solved"]').click();
    await thread().locator(".msg", { hasText: "Marked as solved by" }).waitFor();
    await expect.poll(() => forum().locator(".thread-header .forum-tag").allInnerTexts()).toEqual(["API", "Answered by Docent", "Solved"]);
    expect(await botMessages().first().locator('button[data-custom-id="docent:forum:solved"]').count()).toBe(0);
    await shot("forum-05-solved");
  });

  it("works at 800 px: the forum from the drawer, one pane at a time, the post as its thread", async () => {
    const narrow = await browser.newPage({ viewport: { width: 800, height: 700 } });
    narrow.setDefaultTimeout(8_000);
    try {
      await narrow.goto(playground.url);
      await expect.poll(() => narrow.locator("body").getAttribute("data-connected")).toBe("true");
      await narrow.locator(`#pane-${GENERAL_CHANNEL_ID} .menu-toggle`).click();
      await narrow.locator(".sidebar .channel-link", { hasText: "help-forum" }).click();
      const narrowForum = narrow.locator(`#pane-${HELP_FORUM_ID}`);
      expect(await narrowForum.isVisible()).toBe(true);
      expect(await narrow.locator(`#pane-${GENERAL_CHANNEL_ID}`).isVisible()).toBe(false);
      expect(await narrow.locator(`#pane-${REVIEW_CHANNEL_ID}`).isVisible()).toBe(false);
      const item = narrowForum.locator(".forum-post", { hasText: "Does the API keep the data I send it?" });
      expect(await item.locator(".forum-tag").allInnerTexts()).toEqual(["API", "Answered by Docent", "Solved"]);
      await shot("forum-06-narrow-list", narrow);
      await item.click();
      await narrowForum.locator(`.thread-messages .msg[data-author="${BOT_USER.id}"]`).first().waitFor();
      // Nothing scrolls sideways: the post fits the narrow window.
      const overflow = await narrow.evaluate("document.scrollingElement.scrollWidth > document.scrollingElement.clientWidth");
      expect(overflow).toBe(false);
      await shot("forum-07-narrow-thread", narrow);
    } finally {
      await narrow.close();
    }
  });
});
