import { PermissionFlagsBits } from "discord.js";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../src/config.ts";
import { type ChannelNeed, channelNeeds } from "../src/discord/setup/channel-needs.ts";
import { applicationIdFromToken, invitePermissionBits, inviteUrl } from "../src/discord/setup/invite-url.ts";
import { runScript } from "./support/run-script.ts";

const APP_ID = "912345678901234567";
const { ViewChannel, SendMessages, SendMessagesInThreads, ReadMessageHistory, EmbedLinks, AttachFiles, ManageThreads } = PermissionFlagsBits;
const ANSWERING = ViewChannel | SendMessages | SendMessagesInThreads | ReadMessageHistory;

describe("the invite link's permissions follow the enabled features", () => {
  it("answering only: view, send (in threads too) and read history, nothing else", () => {
    expect(invitePermissionBits(channelNeeds(parseConfig({})))).toBe(ANSWERING);
    // Limiting the channels changes where, not what.
    expect(invitePermissionBits(channelNeeds(parseConfig({ ALLOWED_CHANNEL_IDS: "400000000000000001" })))).toBe(ANSWERING);
  });

  it("a review channel adds Embed Links (review messages) and Attach Files (the gaps report)", () => {
    expect(invitePermissionBits(channelNeeds(parseConfig({ REVIEW_CHANNEL_ID: "400000000000000003" })))).toBe(ANSWERING | EmbedLinks | AttachFiles);
  });

  it("a new kind of channel is one more row, and its permissions join the link only while it is enabled", () => {
    const forums: ChannelNeed = {
      purpose: "Forum channels",
      setting: "FORUM_CHANNEL_IDS",
      ids: ["400000000000000009"],
      enabled: true,
      permissions: ["ViewChannel", "SendMessagesInThreads", "EmbedLinks", "ReadMessageHistory", "ManageThreads"],
      why: "forum posts are answered in their thread and tagged",
    };
    const needs = channelNeeds(parseConfig({}));
    expect(invitePermissionBits([...needs, forums])).toBe(ANSWERING | EmbedLinks | ManageThreads);
    expect(invitePermissionBits([...needs, { ...forums, enabled: false }])).toBe(ANSWERING);
  });

  it("the URL carries exactly the bot and applications.commands scopes and those bits", () => {
    const needs = channelNeeds(parseConfig({ REVIEW_CHANNEL_ID: "400000000000000003" }));
    const url = new URL(inviteUrl(APP_ID, needs));
    expect(`${url.origin}${url.pathname}`).toBe("https://discord.com/oauth2/authorize");
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: APP_ID,
      scope: "bot applications.commands",
      permissions: String(ANSWERING | EmbedLinks | AttachFiles),
    });
  });

  it("reads the application id from a bot token's first part, and nothing from another string", () => {
    expect(applicationIdFromToken(`${Buffer.from(APP_ID).toString("base64")}.GhIjKl.secret-part`)).toBe(APP_ID);
    expect(applicationIdFromToken("not-a-bot-token")).toBeNull();
  });

  it("npm run invite prints the URL alone on stdout (id from DISCORD_TOKEN), or says where to find the id", async () => {
    const token = `${Buffer.from(APP_ID).toString("base64").replace(/=+$/, "")}.GhIjKl.secret-part`;
    const result = await runScript("invite.ts", [], { DISCORD_TOKEN: token, REVIEW_CHANNEL_ID: "400000000000000003" });
    expect(result.stdout).toBe(`${inviteUrl(APP_ID, channelNeeds(parseConfig({ REVIEW_CHANNEL_ID: "400000000000000003" })))}\n`);
    expect(result.stderr).toMatch(/Permissions: View Channel, Send Messages, Embed Links, Attach Files, Read Message History, Send Messages in Threads\./);
    expect(result.code).toBe(0);
    const missing = await runScript("invite.ts", [], {});
    expect(missing.code).toBe(64);
    expect(missing.stderr).toMatch(/No application id[\s\S]*--client-id/);
  });
});
