import { createServer, type Server } from "node:net";
import path from "node:path";
import type { Client } from "discord.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildIndexIfMissing, openApp } from "../src/app/engine.ts";
import { playgroundConfig, startPlayground } from "../src/app/playground.ts";
import { planShards } from "../src/app/sharding.ts";
import { parseConfig } from "../src/config.ts";
import { postToChannel } from "../src/discord/announce.ts";
import { loginOrExplain } from "../src/discord/login.ts";
import { startDiscordEmulator, type DiscordEmulator } from "../src/discord-emulator/emulator.ts";
import { createLogger } from "../src/log.ts";
import { BOT } from "./support/bot-harness.ts";
import { tempDir, writePage } from "./support/fixtures.ts";

/** A client whose login fails the way discord.js reports `failure`. */
function failingClient(failure: Error): Client {
  return { login: () => Promise.reject(failure) } as unknown as Client;
}

/** A loopback port nothing listens on: connecting to it is refused at once. */
async function closedPort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("one error code per failure", () => {
  let emulator: DiscordEmulator;
  beforeAll(async () => {
    emulator = await startDiscordEmulator({ botToken: "the-real-token", botUser: BOT, guilds: [] });
  });
  afterAll(async () => {
    await emulator.close();
  });

  it("login: a rejected token, a refused intent and an unreachable Discord each have their own code", async () => {
    await expect(
      loginOrExplain(failingClient(Object.assign(new Error("An invalid token was provided."), { code: "TokenInvalid" })), "x"),
    ).rejects.toMatchObject({ code: "DISCORD_TOKEN_REJECTED" });
    await expect(loginOrExplain(failingClient(new Error("Used disallowed intents")), "x")).rejects.toMatchObject({ code: "DISCORD_INTENT_REFUSED" });
    await expect(loginOrExplain(failingClient(new Error("connect ECONNREFUSED 127.0.0.1:1")), "x")).rejects.toMatchObject({ code: "DISCORD_UNAVAILABLE" });
  });

  it("sharding: a rejected token and an unreachable Discord are told apart before any shard starts", async () => {
    const config = parseConfig({ DISCORD_API_URL: emulator.restApiUrl, SHARD_COUNT: "auto" });
    await expect(planShards(config, "not-the-token")).rejects.toMatchObject({ code: "DISCORD_TOKEN_REJECTED" });
    await expect(planShards(config, "the-real-token")).resolves.toMatchObject({ totalShards: expect.any(Number) });
    const offline = parseConfig({ DISCORD_API_URL: `http://127.0.0.1:${await closedPort()}/api`, SHARD_COUNT: "2" });
    await expect(planShards(offline, "the-real-token")).rejects.toMatchObject({ code: "DISCORD_UNAVAILABLE" });
  });

  it("a changelog that cannot be posted is DISCORD_POST_FAILED, not a configuration error", async () => {
    await expect(postToChannel({ token: "the-real-token", apiBase: emulator.restApiUrl, channelId: "999999999999999999", content: "x" })).rejects.toMatchObject(
      { code: "DISCORD_POST_FAILED" },
    );
  });

  it("a playground port that is taken is PORT_IN_USE", async () => {
    const work = await tempDir();
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    try {
      const knowledge = path.join(work.dir, "kb");
      await writePage(knowledge, "a.md", { title: "A", url: "https://example.com/a" }, "## Retention\n\nWe keep API data for 30 days.");
      const app = await openApp(playgroundConfig(parseConfig({ KNOWLEDGE_DIR: knowledge, LANCEDB_URI: path.join(work.dir, "db"), LOG_LEVEL: "silent" })));
      await buildIndexIfMissing(app, () => {});
      const port = (taken.address() as { port: number }).port;
      await expect(startPlayground({ app, logger: createLogger("silent"), port })).rejects.toMatchObject({ code: "PORT_IN_USE" });
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
      await work.cleanup();
    }
  });
});
