import { readFile } from "node:fs/promises";
import { DocentError } from "../errors.ts";

/** One line of a questions file (the dev-questions format). */
export interface EvalQuestion {
  id: string;
  kind: "answerable" | "unanswerable" | "injection" | "pii";
  question: string;
  gold_docs?: string[];
  gold_quote?: string;
  /** Short statements a good answer contains (scored by their content words). */
  gold_facts?: string[];
  must_not?: string[];
}

export async function readQuestions(file: string): Promise<EvalQuestion[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new DocentError("SOURCE_MISSING", `Cannot read the questions file ${file}.`, {
      hint: "Pass --questions with a JSONL file of {id, kind, question, ...} lines.",
      cause: error,
    });
  }
  return text
    .split("\n")
    .map((line, i) => [line.trim(), i + 1] as const)
    .filter(([line]) => line !== "")
    .map(([line, lineNumber]) => {
      try {
        const q = JSON.parse(line) as EvalQuestion;
        if (typeof q.question !== "string" || typeof q.kind !== "string") throw new Error("missing question or kind");
        return q;
      } catch (error) {
        throw new DocentError("USAGE", `${file}:${lineNumber} is not a valid question line (${(error as Error).message}).`, {
          hint: "Each line must be a JSON object with id, kind and question.",
        });
      }
    });
}
