/** `npm run ask -- "question"`: answer one question from the index. Composition root for the CLI. */
import "../src/cli/quiet-native-logs.ts";
import { answerJson } from "../src/answer/engine/answer-json.ts";
import { answerQuestion } from "../src/answer/engine/answer-question.ts";
import { buildIndexIfMissing, createEngine, openApp } from "../src/app/engine.ts";
import { parseArguments, runCli, usageError } from "../src/cli/run-cli.ts";
import { loadConfig } from "../src/config.ts";
import { createLogger } from "../src/log.ts";
import { printableJson, printableLines } from "../src/terminal-text.ts";

const USAGE = `Usage: npm run --silent ask -- [--db URI] [--json] "question"
  --db URI  index location (default LANCEDB_URI); with no index yet, KNOWLEDGE_DIR is ingested first
  --json    print exactly one JSON object on stdout`;

runCli(async () => {
  const parsed = parseArguments(
    {
      options: { db: { type: "string" }, json: { type: "boolean", default: false }, help: { type: "boolean", short: "h", default: false } },
      allowPositionals: true,
    },
    USAGE,
  );
  if (parsed.values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const question = parsed.positionals.join(" ").trim();
  if (question === "") throw usageError("No question given.", USAGE);
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  const app = await openApp(config, { dbUri: parsed.values.db });
  try {
    await buildIndexIfMissing(app, (text) => process.stderr.write(`${printableLines(text)}\n`));
    const engine = await createEngine(app, { logger });
    const result = await answerQuestion(engine, question);
    process.stdout.write(parsed.values.json ? `${printableJson(answerJson(result))}\n` : `${printableLines(result.answer)}\n`);
    return 0;
  } finally {
    app.close();
  }
});
