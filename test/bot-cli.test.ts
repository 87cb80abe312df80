import { cp } from "node:fs/promises";
import path from "node:path";
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DiscordEmulator, startDiscordEmulator } from "../src/discord-emulator/emulator.ts";
import type { Message } from "../src/discord-emulator/types.ts";
import { ALICE, BOT, GENERAL, GUILD } from "./support/bot-harness.ts";
import { KNOWLEDGE_DIR, tempDir, writePage } from "./support/fixtures.ts";
import { PROJECT_DIR, runScript, scriptArgs, scriptEnv } from "./support/run-script.ts";

const TOKEN = "cli-bot-token";
let emulator: DiscordEmulator;
let work: Awaited<ReturnType<typeof tempDir>>;

beforeAll(async () => {
  work = await tempDir("docent-bot-cli-");
  emulator = await startDiscordEmulator({
    botToken: TOKEN,
    botUser: BOT,
    heartbeatIntervalMs: 500,
    guilds: [{ id: GUILD, channels: [{ id: GENERAL, name: "general" }], members: [{ user: ALICE }] }],
  });
});
afterAll(async () => {
  await emulator.close();
  await work.cleanup();
});

async function ask(text: string): Promise<Message> {
  const question = await emulator.sendUserMessage({ channelId: GENERAL, author: ALICE, content: `<@${BOT.id}> ${text}`, mentions: [BOT.id] });
  const event = await emulator.waitFor<{ message: Message }>(
    (e) => e.type === "message_create" && e.message.message_reference?.message_id === question.id,
    15_000,
  );
  return event.message;
}

describe("npm start (the bot's entry point) against the local Discord emulator", () => {
  it("starts the local playground when DISCORD_TOKEN is missing, and prints its address", async () => {
    const env = scriptEnv({ PLAYGROUND_PORT: "0", LANCEDB_URI: path.join(work.dir, "db-playground"), KNOWLEDGE_DIR });
    const child = spawn(process.execPath, scriptArgs("bot.ts"), {
      cwd: PROJECT_DIR,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const closed = new Promise((resolve) => child.once("close", resolve));
    let stdout = "";
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on("data", (d) => {
          stdout += d;
          const match = /Docent playground: (http:\/\/localhost:\d+)/.exec(stdout);
          if (match) resolve(match[1]!);
        });
        void closed.then((code) => reject(new Error(`bot.ts exited (${String(code)}) before printing the playground address:\n${stdout}`)));
      });
      expect(stdout).toMatch(/No DISCORD_TOKEN set/);
      const page = await fetch(url.replace("localhost", "127.0.0.1"));
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/Local playground/);
    } finally {
      child.kill("SIGTERM");
      await closed;
    }
  });

  it("stops with a clear message when Discord rejects the token", async () => {
    const result = await runScript("bot.ts", [], {
      DISCORD_TOKEN: "wrong-token",
      DISCORD_API_URL: emulator.restApiUrl,
      LANCEDB_URI: path.join(work.dir, "db-wrong"),
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Discord rejected DISCORD_TOKEN/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("logs in through DISCORD_API_URL, answers a mention, and sees a re-ingest without a restart", async () => {
    const knowledge = path.join(work.dir, "knowledge");
    await cp(KNOWLEDGE_DIR, knowledge, { recursive: true });
    const db = path.join(work.dir, "db");
    const env = {
      DISCORD_TOKEN: TOKEN,
      DISCORD_API_URL: emulator.restApiUrl,
      LANCEDB_URI: db,
      KNOWLEDGE_DIR: knowledge,
      COOLDOWN_SECONDS: "0",
      LANCEDB_LOG: "error",
    };
    const connected = emulator.waitFor((e) => e.type === "gateway_connect", 20_000);
    const child = spawn(process.execPath, scriptArgs("bot.ts"), {
      cwd: PROJECT_DIR,
      env: scriptEnv(env),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let logs = "";
    child.stdout.on("data", (d) => (logs += d));
    child.stderr.on("data", (d) => (logs += d));
    try {
      await connected;
      await new Promise((resolve) => setTimeout(resolve, 300));
      const first = await ask("how long are webhook delivery logs retained?");
      expect(first.content).not.toContain("fourteen days");

      await writePage(
        knowledge,
        "webhooks.md",
        { title: "Webhook retention", url: "https://example.com/webhooks" },
        "## Webhook delivery logs\n\nWebhook delivery logs are retained for fourteen days before they are deleted automatically.",
      );
      expect((await runScript("ingest.ts", [], { LANCEDB_URI: db, KNOWLEDGE_DIR: knowledge })).code).toBe(0);
      const second = await ask("how long are webhook delivery logs retained?");
      expect(second.content).toContain("fourteen days");
      expect(logs).toMatch(/Docent is online/);
      expect(logs).not.toContain("webhook delivery logs retained");
    } finally {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("close", resolve));
    }
  });

  it("registers the slash commands for DISCORD_GUILD_ID with a separate command", async () => {
    const registered = emulator.waitFor<{ guildId?: string; commands: Array<{ name: string; options: Array<{ name: string }> }> }>(
      (e) => e.type === "commands_registered",
      15_000,
    );
    const result = await runScript("register-commands.ts", [], { DISCORD_TOKEN: TOKEN, DISCORD_API_URL: emulator.restApiUrl, DISCORD_GUILD_ID: GUILD });
    expect(result.code).toBe(0);
    const event = await registered;
    expect(event.guildId).toBe(GUILD);
    expect(event.commands.map((c) => c.name)).toEqual(["ask", "docent"]);
    expect(event.commands[0]!.options.map((o) => o.name)).toEqual(["question", "public"]);
    expect(result.stdout).toMatch(/Registered 2 command\(s\) in guild/);
  });
});
