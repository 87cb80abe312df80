/**
 * `npm run eval [-- --questions FILE]`: run every question through the engine and print per-kind metrics. With no
 * --questions it checks the shipped pages: knowledge-questions.jsonl against the index of KNOWLEDGE_DIRS (built
 * first if there is none), with the knowledge folder as the gold pages.
 */
import "../src/cli/quiet-native-logs.ts";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { answerQuestion, type EngineDeps } from "../src/answer/engine/answer-question.ts";
import { buildIndexIfMissing, createEngine, openApp } from "../src/app/engine.ts";
import { parseArguments, runCli } from "../src/cli/run-cli.ts";
import { knowledgeDirs, loadConfig } from "../src/config.ts";
import { type QuestionOutcome, scoreOutcomes } from "../src/eval/metrics.ts";
import { readQuestions } from "../src/eval/questions.ts";
import { createLegacyExtractiveAnswerer } from "../src/eval/legacy-extractive-answerer.ts";
import { renderAnswerComparison, renderReport } from "../src/eval/render-report.ts";
import { parseFrontMatter } from "../src/ingest/front-matter.ts";
import { projectFile } from "../src/project-files.ts";
import { printableJson, printableLines } from "../src/terminal-text.ts";

const USAGE = `Usage: npm run --silent eval -- [--db URI] [--questions FILE] [--gold-dir DIR] [--baseline] [--json]
  --questions FILE  JSONL questions (dev-questions format; default: knowledge-questions.jsonl, for the shipped pages)
  --gold-dir DIR    folder of the pages gold_docs names (default: the first of KNOWLEDGE_DIRS for the default
                    questions, else policies/ next to FILE's folder)
  --baseline        also run the v1 extractive answerer on the same index and print both side by side
  --json            print one JSON report on stdout (with --baseline: {report, baseline})`;

runCli(async () => {
  const values = parseArguments(
    {
      options: {
        db: { type: "string" },
        questions: { type: "string" },
        "gold-dir": { type: "string" },
        json: { type: "boolean", default: false },
        baseline: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    },
    USAGE,
  ).values;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const config = loadConfig();
  const questionsFile = values.questions ?? projectFile("knowledge-questions.jsonl");
  const questions = await readQuestions(questionsFile);
  const goldDir = values["gold-dir"] ?? (values.questions ? path.join(path.dirname(path.resolve(values.questions)), "policies") : knowledgeDirs(config)[0]!);
  const goldUrls = await readGoldUrls(goldDir);
  const app = await openApp(config, { dbUri: values.db });
  try {
    await buildIndexIfMissing(app, (notice) => process.stderr.write(`${notice}\n`));
    const engine = await createEngine(app);
    const rows = await engine.store.readAll();
    const textsByUrl = new Map<string, string[]>();
    for (const row of rows) textsByUrl.set(row.url, [...(textsByUrl.get(row.url) ?? []), row.text]);
    const evaluate = async (deps: EngineDeps) => {
      const outcomes: QuestionOutcome[] = [];
      for (const question of questions) {
        const started = performance.now();
        const result = await answerQuestion(deps, question.question);
        outcomes.push({ question, result, ms: performance.now() - started });
      }
      return scoreOutcomes(
        outcomes,
        (url) => textsByUrl.get(url) ?? [],
        (doc) => goldUrls.get(doc),
      );
    };
    const report = await evaluate(engine);
    if (!values.baseline) {
      process.stdout.write(values.json ? `${printableJson(report)}\n` : `${printableLines(renderReport(report))}\n`);
      return 0;
    }
    const baseline = await evaluate({ ...engine, answerer: createLegacyExtractiveAnswerer() });
    const comparison = renderAnswerComparison([
      { name: "v1 extractive (baseline)", report: baseline },
      { name: `${engine.answerer.mode} (now)`, report },
    ]);
    process.stdout.write(
      values.json
        ? `${printableJson({ report, baseline })}\n`
        : `${printableLines(`${renderReport(report)}\n\nAnswer quality beside the v1 extractive answerer:\n${comparison}`)}\n`,
    );
    return 0;
  } finally {
    app.close();
  }
});

/** gold_docs name files; the index knows pages by URL: read the URL from each file's front matter. */
async function readGoldUrls(dir: string): Promise<Map<string, string>> {
  const urls = new Map<string, string>();
  let names: string[] = [];
  try {
    names = await readdir(dir);
  } catch {
    return urls;
  }
  for (const name of names.filter((n) => n.endsWith(".md"))) {
    const parsed = parseFrontMatter(await readFile(path.join(dir, name), "utf8"));
    const url = parsed.ok ? parsed.data.url : undefined;
    if (typeof url === "string") urls.set(name, new URL(url).toString());
  }
  return urls;
}
