import { type RESTPostAPIChatInputApplicationCommandsJSONBody, SlashCommandBuilder } from "discord.js";
import { MAX_DAYS } from "../gaps/run-gaps.ts";
import { GAPS_DAYS_OPTION, GAPS_SUBCOMMAND } from "./gaps-command.ts";

/**
 * Slash commands as plain data in one explicit list. `npm run register-commands` sends them to Discord;
 * the bot never registers at start-up (registration is rate-limited and global changes take time to spread).
 */
export const ASK_COMMAND = "ask";
export const DOCENT_COMMAND = "docent";

export const commands: RESTPostAPIChatInputApplicationCommandsJSONBody[] = [
  new SlashCommandBuilder()
    .setName(ASK_COMMAND)
    .setDescription("Ask Docent a question about the data-privacy and security policies")
    .addStringOption((o) => o.setName("question").setDescription("Your question").setRequired(true).setMaxLength(1500))
    .addBooleanOption((o) => o.setName("public").setDescription("Answer in the channel for everyone (default: only you see it)"))
    .toJSON(),
  new SlashCommandBuilder()
    .setName(DOCENT_COMMAND)
    .setDescription("Docent tools for moderators")
    .addSubcommand((sub) => sub.setName("status").setDescription("Index version, pages, last ingest, embedder, answerer and review mode"))
    .addSubcommand((sub) =>
      sub
        .setName(GAPS_SUBCOMMAND)
        .setDescription("Questions the pages fail: refused, marked wrong, voted down, removed or uncertain, by topic")
        .addIntegerOption((o) => o.setName(GAPS_DAYS_OPTION).setDescription("The last N days (default 30)").setMinValue(1).setMaxValue(MAX_DAYS)),
    )
    .toJSON(),
];
