/**
 * The floor `npm run bench:startup` compares start-up with: a bare Node script that opens the index's table and
 * runs one full-text query (top 5), and nothing else — no config, no redaction, no answer.
 * Usage: node dist/scripts/bench/bare-query.js DB_URI "question"
 */
import "../../src/cli/quiet-native-logs.ts";
import * as lancedb from "@lancedb/lancedb";

const [uri, question = ""] = process.argv.slice(2);
if (!uri) throw new Error("usage: bare-query DB_URI question");
const db = await lancedb.connect(uri);
// The table name the ChunkStore uses; importing it would load more than this script means to measure.
const table = await db.openTable("chunks");
const words = question.replace(/[^\p{L}\p{N}]+/gu, " ").trim();
const rows = await table.query().fullTextSearch(words).select(["id", "url", "title", "heading", "text", "_score"]).limit(5).toArray();
process.stdout.write(`${rows.length} passages\n`);
table.close();
db.close();
