import path from "node:path";
import { Writable } from "node:stream";
import { OverwriteType, PermissionFlagsBits, REST, Routes } from "discord.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildIndexIfMissing, openApp } from "../src/app/engine.ts";
import { runDoctor, runStartupChecks } from "../src/app/doctor.ts";
import { parseConfig } from "../src/config.ts";
import { type DiscordEmulator, startDiscordEmulator } from "../src/discord-emulator/emulator.ts";
import { DEFAULT_EVERYONE_PERMISSIONS } from "../src/discord-emulator/payloads.ts";
import { commands } from "../src/discord/commands.ts";
import { createDiscordClient } from "../src/discord/create-client.ts";
import { loginOrExplain } from "../src/discord/login.ts";
import { channelPermissions } from "../src/discord/setup/channel-permissions.ts";
import { commandDrift } from "../src/discord/setup/command-drift.ts";
import { KNOWLEDGE_DIR, tempDir } from "./support/fixtures.ts";
import { runScript } from "./support/run-script.ts";

const TOKEN = "doctor-bot-token";
const BOT = { id: "910000000000000001", username: "docent", bot: true };
const OWNER = { id: "110000000000000001", username: "owner" };
const GUILD = "310000000000000001";
const BOT_ROLE = "510000000000000001";
const GENERAL = "410000000000000001";
const REVIEW = "410000000000000002";
const NO_EMBEDS = "410000000000000003";
const HIDDEN = "410000000000000004";
const NOWHERE = "410000000000000099";

const guild = {
  id: GUILD,
  ownerId: OWNER.id,
  roles: [{ id: BOT_ROLE, name: "Docent", permissions: "0" }],
  channels: [
    { id: GENERAL, name: "general" },
    // Private, as the README says: @everyone may not view it, the bot's role may.
    {
      id: REVIEW,
      name: "docent-review",
      permissionOverwrites: [
        { id: GUILD, type: 0 as const, allow: "0", deny: String(PermissionFlagsBits.ViewChannel) },
        { id: BOT_ROLE, type: 0 as const, allow: String(PermissionFlagsBits.ViewChannel), deny: "0" },
      ],
    },
    // The bot's role may not embed here: review messages (embeds) would fail.
    { id: NO_EMBEDS, name: "no-embeds", permissionOverwrites: [{ id: BOT_ROLE, type: 0 as const, allow: "0", deny: String(PermissionFlagsBits.EmbedLinks) }] },
    // @everyone may not see it, and the bot has no role that may.
    { id: HIDDEN, name: "hidden", permissionOverwrites: [{ id: GUILD, type: 0 as const, allow: "0", deny: String(PermissionFlagsBits.ViewChannel) }] },
  ],
  members: [{ user: OWNER }, { user: BOT, roles: [BOT_ROLE] }],
};

let emulator: DiscordEmulator;
let noIntent: DiscordEmulator;
let work: Awaited<ReturnType<typeof tempDir>>;
let dbWithIndex: string;

beforeAll(async () => {
  work = await tempDir("docent-doctor-");
  [emulator, noIntent] = await Promise.all([
    startDiscordEmulator({ botToken: TOKEN, botUser: BOT, guilds: [guild] }),
    startDiscordEmulator({ botToken: TOKEN, botUser: BOT, guilds: [guild], applicationFlags: 0 }),
  ]);
  dbWithIndex = path.join(work.dir, "db");
  const app = await openApp(parseConfig({ LANCEDB_URI: dbWithIndex, KNOWLEDGE_DIR }));
  await buildIndexIfMissing(app, () => {});
  app.close();
});
afterAll(async () => {
  await Promise.all([emulator?.close(), noIntent?.close()]);
  await work?.cleanup();
});

/** Registers `list` as the guild's commands, as `npm run register-commands` would. */
async function register(target: DiscordEmulator, list: unknown[]) {
  const rest = new REST({ api: target.restApiUrl }).setToken(TOKEN);
  await rest.put(Routes.applicationGuildCommands(BOT.id, GUILD), { body: list });
}

function env(extra: Record<string, string> = {}, target: DiscordEmulator = emulator): Record<string, string> {
  return {
    DISCORD_TOKEN: TOKEN,
    DISCORD_API_URL: target.restApiUrl,
    DISCORD_GUILD_ID: GUILD,
    ALLOWED_CHANNEL_IDS: GENERAL,
    REVIEW_CHANNEL_ID: REVIEW,
    LANCEDB_URI: dbWithIndex,
    ...extra,
  };
}

async function doctor(variables: Record<string, string>): Promise<{ code: number; text: string }> {
  let text = "";
  const out = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  const code = await runDoctor(parseConfig(variables), out);
  return { code, text };
}

describe("npm run doctor against the local Discord emulator", () => {
  it("all good: every check passes and the exit code is 0 (run as the CLI)", async () => {
    await register(emulator, commands);
    const result = await runScript("doctor.ts", [], env());
    expect(result.stderr).toBe("");
    expect(result.stdout).toMatch(/^✓ Token: accepted: the bot is @docent/m);
    expect(result.stdout).toMatch(/^✓ Message Content intent: enabled/m);
    expect(result.stdout).toMatch(/^✓ Answer channels \(ALLOWED_CHANNEL_IDS\): #general \(410000000000000001\): View Channel, Send Messages/m);
    expect(result.stdout).toMatch(/^✓ Review channel \(REVIEW_CHANNEL_ID\): #docent-review \(410000000000000002\): .*Embed Links/m);
    expect(result.stdout).toMatch(/^✓ Slash commands: \/ask, \/docent registered in guild 310000000000000001/m);
    expect(result.stdout).toMatch(/^✓ Index: .*version \d+, 14 pages/m);
    expect(result.stdout).toMatch(/All checks passed\.\s*$/);
    expect(result.code).toBe(0);
  });

  it("a bad token: its line with the fix, the Discord checks skipped, exit 1", async () => {
    const { code, text } = await doctor(env({ DISCORD_TOKEN: "not-the-token" }));
    expect(text).toMatch(/^✗ Token: Discord rejected DISCORD_TOKEN.*\n {4}→ Copy the bot token again/m);
    expect(text).toMatch(/^- Message Content intent: not checked: the token was rejected/m);
    expect(code).toBe(1);
  });

  it("the Message Content intent off: its line with where to turn it on, exit 1", async () => {
    await register(noIntent, commands);
    const { code, text } = await doctor(env({}, noIntent));
    expect(text).toMatch(/^✗ Message Content intent: not enabled.*\n {4}→ .*Privileged Gateway Intents → turn on Message Content Intent/m);
    expect(text).toMatch(/1 check failed/);
    expect(code).toBe(1);
  });

  it("a missing permission: one line per channel naming what the bot lacks there, exit 1", async () => {
    const { code, text } = await doctor(env({ ALLOWED_CHANNEL_IDS: `${GENERAL},${HIDDEN}`, REVIEW_CHANNEL_ID: NO_EMBEDS }));
    expect(text).toMatch(/^✓ Answer channels \(ALLOWED_CHANNEL_IDS\): #general/m);
    expect(text).toMatch(
      /^✗ Answer channels \(ALLOWED_CHANNEL_IDS\): #hidden \(410000000000000004\): the bot lacks View Channel, Send Messages, Send Messages in Threads, Read Message History/m,
    );
    expect(text).toMatch(/^✗ Review channel \(REVIEW_CHANNEL_ID\): #no-embeds \(410000000000000003\): the bot lacks Embed Links \(/m);
    expect(text).toMatch(/→ In #no-embeds \(410000000000000003\) → Edit Channel → Permissions, allow Embed Links for the bot's role/);
    expect(text).toMatch(/2 checks failed/);
    expect(code).toBe(1);
  });

  it("a review channel every member can see: a warning with how to make it private (not a failure)", async () => {
    const { code, text } = await doctor(env({ REVIEW_CHANNEL_ID: GENERAL }));
    expect(text).toMatch(
      /^! Review channel \(REVIEW_CHANNEL_ID\): #general \(410000000000000001\): every member can see it.*\n {4}→ .*deny View Channel to @everyone/m,
    );
    expect(text).toMatch(/All checks passed \(and 1 warning to look at\)\./);
    expect(code).toBe(0);
  });

  it("a channel id that does not exist: says so and how to copy the right one", async () => {
    const { code, text } = await doctor(env({ REVIEW_CHANNEL_ID: NOWHERE }));
    expect(text).toMatch(/^✗ Review channel \(REVIEW_CHANNEL_ID\): channel 410000000000000099 does not exist.*\n {4}→ Copy the id again \(.*Developer Mode/m);
    expect(code).toBe(1);
  });

  it("unregistered, then outdated commands: the line says which, and to run register-commands", async () => {
    await register(emulator, []);
    const unregistered = await doctor(env());
    expect(unregistered.text).toMatch(
      /^✗ Slash commands: not registered: \/ask, \/docent \(in guild 310000000000000001.*\n {4}→ Run npm run register-commands/m,
    );
    expect(unregistered.code).toBe(1);

    const [ask, docent] = commands as [(typeof commands)[number], (typeof commands)[number]];
    await register(emulator, [{ ...ask, description: "An older description" }, docent]);
    const outdated = await doctor(env());
    expect(outdated.text).toMatch(/^✗ Slash commands: outdated: \/ask \(/m);
    expect(outdated.code).toBe(1);
    await register(emulator, commands);
  });

  it("no index: its line with the command that builds it, exit 1", async () => {
    const { code, text } = await doctor(env({ LANCEDB_URI: path.join(work.dir, "empty-db") }));
    expect(text).toMatch(/^✗ Index: there is no index at .*empty-db.*\n {4}→ Run npm run ingest/m);
    expect(code).toBe(1);
  });

  it("REVIEW_MODE=approve without a review channel: a failure that also stops npm start", async () => {
    const variables = env({ REVIEW_MODE: "approve", REVIEW_CHANNEL_ID: "" });
    const { code, text } = await doctor(variables);
    expect(text).toMatch(/^✗ Review settings: REVIEW_CHANNEL_ID is missing/m);
    expect(code).toBe(1);
    await expect(runStartupChecks(parseConfig(variables), new Writable({ write: (_c, _e, done) => done() }))).rejects.toThrow(/REVIEW_CHANNEL_ID is missing/);
  });
});

describe("the emulator refuses the login without the intent, as Discord does", () => {
  it("closes the gateway with 4014, and the bot's login says what to fix", async () => {
    const client = createDiscordClient({ restApiUrl: noIntent.restApiUrl });
    try {
      await expect(loginOrExplain(client, TOKEN)).rejects.toThrow(/Message Content intent/);
    } finally {
      await client.destroy();
    }
    expect(noIntent.gatewaySessions()).toEqual([]);
  });
});

describe("the short form npm start runs before logging in", () => {
  it("stops on a missing intent with the fix, before any login (exit 2)", async () => {
    const result = await runScript("bot.ts", [], env({ LOG_LEVEL: "silent" }, noIntent));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^docent: Message Content intent: not enabled.*\n {2}→ .*turn on Message Content Intent/m);
    expect(noIntent.gatewaySessions()).toEqual([]);
  });

  it("prints other failures as one warning line each and goes on", async () => {
    let text = "";
    const err = new Writable({
      write(chunk, _encoding, done) {
        text += String(chunk);
        done();
      },
    });
    await register(emulator, []);
    await runStartupChecks(parseConfig(env({ REVIEW_CHANNEL_ID: NO_EMBEDS })), err);
    await register(emulator, commands);
    const lines = text.trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^docent: warning: Review channel \(REVIEW_CHANNEL_ID\): #no-embeds .*lacks Embed Links.* → In #no-embeds/);
    expect(lines[1]).toMatch(/^docent: warning: Slash commands: not registered: \/ask, \/docent .* → Run npm run register-commands/);
  });
});

describe("the bot's permissions in a channel (Discord's rules)", () => {
  const base = {
    guildId: GUILD,
    ownerId: OWNER.id,
    roles: [
      { id: GUILD, permissions: String(DEFAULT_EVERYONE_PERMISSIONS) },
      { id: BOT_ROLE, permissions: String(PermissionFlagsBits.ManageThreads) },
      { id: "510000000000000002", permissions: String(PermissionFlagsBits.Administrator) },
    ],
    member: { userId: BOT.id, roleIds: [BOT_ROLE] },
    overwrites: [],
  };
  const role = (id: string, allow: bigint, deny: bigint) => ({ id, type: OverwriteType.Role, allow: String(allow), deny: String(deny) });
  const member = (allow: bigint, deny: bigint) => ({ id: BOT.id, type: OverwriteType.Member, allow: String(allow), deny: String(deny) });
  const { ViewChannel, SendMessages, EmbedLinks, ManageThreads, ReadMessageHistory } = PermissionFlagsBits;

  it("@everyone and the member's roles together, with no overwrites", () => {
    const permissions = channelPermissions(base);
    expect(permissions.has([ViewChannel, SendMessages, EmbedLinks, ManageThreads])).toBe(true);
    expect(permissions.has(PermissionFlagsBits.ManageMessages)).toBe(false);
  });

  it("overwrites in order: @everyone, then the member's roles together, then the member", () => {
    // @everyone loses View, the bot's role gets it back; a role overwrite of a role the bot lacks changes nothing.
    const viaRole = channelPermissions({
      ...base,
      overwrites: [role(GUILD, 0n, ViewChannel), role(BOT_ROLE, ViewChannel, 0n), role("510000000000000009", 0n, SendMessages)],
    });
    expect(viaRole.has([ViewChannel, SendMessages])).toBe(true);
    // The member's own overwrite wins over its roles'.
    expect(channelPermissions({ ...base, overwrites: [role(BOT_ROLE, ReadMessageHistory, 0n), member(0n, ReadMessageHistory)] }).has(ReadMessageHistory)).toBe(
      false,
    );
  });

  it("no View Channel means nothing, and no Send Messages means no embeds either", () => {
    expect(channelPermissions({ ...base, overwrites: [role(GUILD, 0n, ViewChannel)] }).bitfield).toBe(0n);
    const mute = channelPermissions({ ...base, overwrites: [role(GUILD, 0n, SendMessages)] });
    expect(mute.has(ViewChannel)).toBe(true);
    expect(mute.has(EmbedLinks)).toBe(false);
  });

  it("the owner and Administrator have everything, overwrites or not", () => {
    const denyAll = [role(GUILD, 0n, ViewChannel), member(0n, ViewChannel | SendMessages)];
    expect(channelPermissions({ ...base, ownerId: BOT.id, overwrites: denyAll }).has(SendMessages)).toBe(true);
    expect(channelPermissions({ ...base, member: { userId: BOT.id, roleIds: ["510000000000000002"] }, overwrites: denyAll }).has(SendMessages)).toBe(true);
  });
});

describe("registered commands against their definitions", () => {
  const [ask, docent] = commands as [(typeof commands)[number], (typeof commands)[number]];
  /** What Discord hands back: its own fields added, unset booleans and empty lists left out. */
  const asDiscordReturns = (command: object) =>
    JSON.parse(
      JSON.stringify(command, (key, value) => (value === false || (Array.isArray(value) && value.length === 0 && key !== "options") ? undefined : value)),
    );

  it("matches what Discord returns for the same definitions, extra fields and all", () => {
    const registered = commands.map((c) => ({ ...asDiscordReturns(c), id: "1", application_id: BOT.id, version: "2", integration_types: [0], contexts: null }));
    expect(commandDrift(commands, registered)).toEqual({ missing: [], outdated: [], extra: [] });
  });

  it("finds a missing command, a changed option, a removed option and a command no longer defined", () => {
    const askJson = asDiscordReturns(ask);
    const changed = { ...askJson, options: askJson.options.map((o: { name: string }) => (o.name === "question" ? { ...o, max_length: 100 } : o)) };
    expect(commandDrift(commands, [changed, { name: "old" }])).toEqual({ missing: ["docent"], outdated: ["ask"], extra: ["old"] });
    const fewer = { ...askJson, options: askJson.options.slice(0, 1) };
    expect(commandDrift([ask], [fewer]).outdated).toEqual(["ask"]);
    expect(commandDrift([docent], [{ ...asDiscordReturns(docent), name: "docent" }]).outdated).toEqual([]);
  });
});

describe("a Discord that fails mid-way", () => {
  it("turns a server error on one check into that check's failure line; the others still run", async () => {
    emulator.failNextRequest({ method: "GET", pathIncludes: "/commands" }, { status: 500 });
    emulator.failNextRequest({ method: "GET", pathIncludes: "/commands" }, { status: 500 });
    const { code, text } = await doctor(env());
    expect(text).toMatch(/^✗ Slash commands: Discord failed to list them/m);
    expect(text).toMatch(/^✓ Review channel \(REVIEW_CHANNEL_ID\)/m);
    expect(text).toMatch(/^✓ Index:/m);
    expect(code).toBe(1);
  });
});
