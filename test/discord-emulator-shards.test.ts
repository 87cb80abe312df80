import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Client, Events, GatewayIntentBits } from "discord.js";
import type { Message as DjsMessage } from "discord.js";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { startDiscordEmulator } from "../src/discord-emulator/emulator.ts";
import type { DiscordEmulator, EmulatorOptions, EmulatorUser } from "../src/discord-emulator/emulator.ts";
import { GatewayServer, shardOf } from "../src/discord-emulator/gateway.ts";

const TOKEN = "shard-test-token";
const BOT: EmulatorUser = { id: "900000000000000001", username: "docent", bot: true };
const ALICE: EmulatorUser = { id: "100000000000000001", username: "alice" };
/** `(id >> 22) % 2` is 0 for this guild and 1 for the next. */
const GUILD_A = "300000000000000001";
const GUILD_B = "300000000004194305";
const CHANNEL_A = "400000000000000001";
const CHANNEL_B = "400000000000000002";

function options(shards: number): EmulatorOptions {
  return {
    botToken: TOKEN,
    botUser: { ...BOT },
    heartbeatIntervalMs: 200,
    shards,
    guilds: [
      { id: GUILD_A, name: "A", channels: [{ id: CHANNEL_A, name: "general" }], members: [{ user: { ...ALICE } }] },
      { id: GUILD_B, name: "B", channels: [{ id: CHANNEL_B, name: "general" }], members: [{ user: { ...ALICE } }] },
    ],
  };
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function emulator(shards: number): Promise<DiscordEmulator> {
  const emu = await startDiscordEmulator(options(shards));
  cleanups.push(() => emu.close());
  return emu;
}

/** A raw gateway connection: sends IDENTIFY with `shard` (omitted when undefined) and collects frames. */
async function rawIdentify(
  emu: DiscordEmulator,
  shard: unknown,
): Promise<{ frames: Array<{ op: number; t?: string; d: any }>; closed: Promise<number>; socket: WebSocket }> {
  const socket = new WebSocket(`${emu.gatewayUrl}?v=10&encoding=json`);
  cleanups.push(() => socket.terminate());
  const frames: Array<{ op: number; t?: string; d: any }> = [];
  const closed = new Promise<number>((resolve) => socket.once("close", (code) => resolve(code)));
  socket.on("message", (raw) => frames.push(JSON.parse(String(raw))));
  await new Promise((resolve) => socket.once("open", resolve));
  socket.send(JSON.stringify({ op: 2, d: { token: TOKEN, intents: 0, properties: {}, ...(shard === undefined ? {} : { shard }) } }));
  return { frames, closed, socket };
}

async function until(check: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("Discord emulator with several shards", () => {
  it("picks guild ids on both shards of two", () => {
    expect(shardOf(GUILD_A, 2)).toBe(0);
    expect(shardOf(GUILD_B, 2)).toBe(1);
    expect(shardOf(GUILD_B, 1)).toBe(0);
  });

  it("recommends N shards from GET /gateway/bot, with an IDENTIFY concurrency of at least 2", async () => {
    const emu = await emulator(2);
    const response = await fetch(`${emu.restApiUrl}/v10/gateway/bot`, { headers: { authorization: `Bot ${TOKEN}` } });
    const body = (await response.json()) as { url: string; shards: number; session_start_limit: { max_concurrency: number } };
    expect(body.shards).toBe(2);
    expect(body.url).toBe(emu.gatewayUrl);
    expect(body.session_start_limit.max_concurrency).toBeGreaterThanOrEqual(2);
  });

  it("closes 4011 when IDENTIFY has no shard and 4010 when the shard is invalid", async () => {
    const emu = await emulator(2);
    expect(await (await rawIdentify(emu, undefined)).closed).toBe(4011);
    expect(await (await rawIdentify(emu, [2, 2])).closed).toBe(4010);
    expect(await (await rawIdentify(emu, [0, 3])).closed).toBe(4010);
    expect(await (await rawIdentify(emu, "0")).closed).toBe(4010);
    // One shard: the field may be left out or be [0, 1], and [1, 2] is refused.
    const single = await emulator(1);
    const unsharded = await rawIdentify(single, undefined);
    await until(() => unsharded.frames.some((frame) => frame.t === "READY"));
    expect(await (await rawIdentify(single, [1, 2])).closed).toBe(4010);
  });

  it("sends each shard a READY with only its guilds, then their GUILD_CREATEs, and routes guild events by shard", async () => {
    const emu = await emulator(2);
    const zero = await rawIdentify(emu, [0, 2]);
    const one = await rawIdentify(emu, [1, 2]);
    await until(() => zero.frames.some((f) => f.t === "GUILD_CREATE") && one.frames.some((f) => f.t === "GUILD_CREATE"));
    const dispatches = (frames: typeof zero.frames) => frames.filter((f) => f.op === 0);
    const ready0 = dispatches(zero.frames)[0]!;
    expect(ready0.t).toBe("READY");
    expect(ready0.d.shard).toEqual([0, 2]);
    expect(ready0.d.guilds).toEqual([{ id: GUILD_A, unavailable: true }]);
    expect(dispatches(one.frames)[0]!.d.guilds).toEqual([{ id: GUILD_B, unavailable: true }]);
    expect(
      dispatches(zero.frames)
        .filter((f) => f.t === "GUILD_CREATE")
        .map((f) => f.d.id),
    ).toEqual([GUILD_A]);
    expect(
      dispatches(one.frames)
        .filter((f) => f.t === "GUILD_CREATE")
        .map((f) => f.d.id),
    ).toEqual([GUILD_B]);

    const inA = await emu.sendUserMessage({ channelId: CHANNEL_A, author: ALICE, content: "in A" });
    const inB = await emu.sendUserMessage({ channelId: CHANNEL_B, author: ALICE, content: "in B" });
    await until(() => one.frames.some((f) => f.d?.id === inB.id) && zero.frames.some((f) => f.d?.id === inA.id));
    expect(zero.frames.filter((f) => f.t === "MESSAGE_CREATE").map((f) => f.d.id)).toEqual([inA.id]);
    expect(one.frames.filter((f) => f.t === "MESSAGE_CREATE").map((f) => f.d.id)).toEqual([inB.id]);

    const sessions = emu.gatewaySessions();
    expect(sessions.map((s) => [s.shardId, s.connected])).toEqual([
      [0, true],
      [1, true],
    ]);
    expect(sessions[1]!.dispatches.filter((d) => d.t === "MESSAGE_CREATE")).toEqual([expect.objectContaining({ id: inB.id, guildId: GUILD_B })]);
  });

  it("sends guild-less dispatches to shard 0", async () => {
    const gateway = new GatewayServer({
      token: TOKEN,
      heartbeatIntervalMs: 1_000,
      shardCount: 2,
      resumeUrl: () => "ws://127.0.0.1/gateway",
      readyPayload: () => ({}),
      guildCreatePayloads: () => [],
      guildMembers: () => [],
    });
    const server = createServer();
    server.on("upgrade", (request, socket, head) => gateway.handleUpgrade(request, socket, head));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    cleanups.push(async () => {
      await gateway.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });
    const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/gateway`;
    const fake = { gatewayUrl: url } as DiscordEmulator;
    const zero = await rawIdentify(fake, [0, 2]);
    const one = await rawIdentify(fake, [1, 2]);
    await until(() => gateway.liveSessionCount === 2);
    gateway.dispatch("USER_UPDATE", { id: BOT.id, username: "docent2" });
    gateway.dispatch("GUILD_UPDATE", { id: GUILD_B, guild_id: GUILD_B });
    await until(() => zero.frames.some((f) => f.t === "USER_UPDATE") && one.frames.some((f) => f.t === "GUILD_UPDATE"));
    expect(one.frames.some((f) => f.t === "USER_UPDATE")).toBe(false);
    expect(zero.frames.some((f) => f.t === "GUILD_UPDATE")).toBe(false);
  });

  it("serves the real discord.js client with two shards; op 7 to one shard resumes only that one", async () => {
    const emu = await emulator(2);
    const client = new Client({
      intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
      shards: "auto",
      rest: { api: emu.restApiUrl, globalRequestsPerSecond: 1e9, timeout: 5_000 },
    });
    cleanups.push(() => client.destroy());
    const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
    const started = Date.now();
    await client.login(TOKEN);
    await ready;
    // max_concurrency >= 2: the second shard does not wait 5 s for the IDENTIFY throttle.
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(client.options.shardCount).toBe(2);
    expect(client.guilds.cache.get(GUILD_A)?.shardId).toBe(0);
    expect(client.guilds.cache.get(GUILD_B)?.shardId).toBe(1);

    const seen: Array<{ content: string; shard: number }> = [];
    client.on(Events.MessageCreate, (message: DjsMessage) => seen.push({ content: message.content, shard: message.guild!.shardId }));
    const resumed = emu.waitFor<{ shardId: number }>((event) => event.type === "gateway_connect" && event.resumed);
    emu.requestReconnect(1);
    await emu.sendUserMessage({ channelId: CHANNEL_B, author: ALICE, content: "B during reconnect" });
    expect((await resumed).shardId).toBe(1);
    await emu.sendUserMessage({ channelId: CHANNEL_A, author: ALICE, content: "A after" });
    await emu.sendUserMessage({ channelId: CHANNEL_B, author: ALICE, content: "B after" });
    await until(() => seen.length >= 3);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(seen.sort((a, b) => a.content.localeCompare(b.content))).toEqual([
      { content: "A after", shard: 0 },
      { content: "B after", shard: 1 },
      { content: "B during reconnect", shard: 1 },
    ]);
    const connects = emu.history().filter((event) => event.type === "gateway_connect");
    expect(connects.map((event) => event.type === "gateway_connect" && [event.shardId, event.resumed]).sort()).toEqual(
      [
        [0, false],
        [1, false],
        [1, true],
      ].sort(),
    );
  });
});
