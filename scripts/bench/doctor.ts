/**
 * What `npm start`'s setup checks cost before login: the short doctor (token, intent, two channels with their
 * permissions, slash commands) against the local Discord emulator, beside its floor, the one GET /users/@me any
 * token check needs. Median of N runs (default 21), and the REST requests per run: against Discord each request is
 * a network round trip, and they run one after another except the three per server (guild, roles, member).
 * Usage: npm run bench:doctor [-- --runs 21]
 */
import { Writable } from "node:stream";
import { parseArgs } from "node:util";
import { REST, Routes } from "discord.js";
import { runStartupChecks } from "../../src/app/doctor.ts";
import { parseConfig } from "../../src/config.ts";
import { commands } from "../../src/discord/commands.ts";
import { startDiscordEmulator } from "../../src/discord-emulator/emulator.ts";
import { quantileMs } from "./mention-load.ts";

const { values } = parseArgs({ options: { runs: { type: "string", default: "21" } } });
const RUNS = Number(values.runs);
const TOKEN = "bench-token";
const BOT = { id: "900000000000000001", username: "docent", bot: true };
const GUILD = "300000000000000001";
const [GENERAL, REVIEW] = ["400000000000000001", "400000000000000002"];

const emulator = await startDiscordEmulator({
  botToken: TOKEN,
  botUser: BOT,
  guilds: [
    {
      id: GUILD,
      ownerId: "100000000000000001",
      channels: [
        { id: GENERAL, name: "general" },
        { id: REVIEW, name: "docent-review" },
      ],
      members: [{ user: { id: "100000000000000001", username: "owner" } }],
    },
  ],
});
try {
  const rest = new REST({ api: emulator.restApiUrl }).setToken(TOKEN);
  await rest.put(Routes.applicationGuildCommands(BOT.id, GUILD), { body: commands });
  const config = parseConfig({
    DISCORD_TOKEN: TOKEN,
    DISCORD_API_URL: emulator.restApiUrl,
    DISCORD_GUILD_ID: GUILD,
    ALLOWED_CHANNEL_IDS: GENERAL,
    REVIEW_CHANNEL_ID: REVIEW,
  });
  const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
  let requests = 0;
  emulator.events.on("event", (event: { type: string }) => {
    if (event.type === "rest_request") requests++;
  });
  const time = async (run: () => Promise<unknown>) => {
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const start = performance.now();
      await run();
      times.push(performance.now() - start);
    }
    return times.sort((a, b) => a - b);
  };
  await runStartupChecks(config, sink); // warm-up: module and connection set-up
  requests = 0;
  const floor = await time(() => rest.get(Routes.user("@me")));
  const floorRequests = requests / RUNS;
  requests = 0;
  const short = await time(() => runStartupChecks(config, sink));
  const shortRequests = requests / RUNS;
  process.stdout.write(
    [
      `npm start's setup checks against the local emulator (median of ${RUNS} runs, Node ${process.version}):`,
      `  floor: GET /users/@me alone          ${quantileMs(floor, 0.5).padStart(6)} ms   ${floorRequests} request`,
      `  short doctor (2 channels, 1 server)  ${quantileMs(short, 0.5).padStart(6)} ms   ${shortRequests} requests`,
      "",
    ].join("\n"),
  );
} finally {
  await emulator.close();
}
