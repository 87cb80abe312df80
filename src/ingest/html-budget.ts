import vm from "node:vm";
import { Parser } from "htmlparser2";

/**
 * Bounds on the work one HTML page may cost. Readability and Turndown walk the DOM recursively and Readability is
 * worse than quadratic in nesting depth: 3,000 nested <div>s overflow the stack, 6,000 take many minutes. So a page
 * is first measured by a streaming tokenizer (no DOM, no recursion) and refused if it nests too deep or has too
 * many elements; then the DOM work runs under a hard time limit that interrupts it. A refused page is a bad page,
 * skipped with its reason; the rest of the run goes on.
 */
export interface HtmlBudget {
  /** Deepest element nesting read; real policy pages stay well under 60. */
  maxDepth: number;
  maxElements: number;
  /** Wall-clock limit for building the DOM and extracting the text, enforced by interrupting the work. */
  timeMs: number;
}

export const DEFAULT_HTML_BUDGET: HtmlBudget = { maxDepth: 256, maxElements: 50_000, timeMs: 5_000 };

export type BudgetResult<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Measures nesting depth and element count in one streaming pass, stopping at the first limit passed. */
export function measureHtml(html: string, budget: Pick<HtmlBudget, "maxDepth" | "maxElements">): { ok: true } | { ok: false; reason: string } {
  let depth = 0;
  let elements = 0;
  let problem: string | null = null;
  const parser: Parser = new Parser({
    onopentag() {
      depth++;
      elements++;
      if (problem !== null) return;
      if (depth > budget.maxDepth) problem = `the HTML nests elements more than ${budget.maxDepth} deep`;
      else if (elements > budget.maxElements) problem = `the HTML has more than ${budget.maxElements} elements`;
      if (problem !== null) parser.pause();
    },
    onclosetag() {
      depth--;
    },
  });
  parser.end(html);
  return problem === null ? { ok: true } : { ok: false, reason: `${problem}, too complex to read safely; the page is skipped` };
}

const context = vm.createContext({ work: null as (() => unknown) | null });
const callWork = new vm.Script("work()");

/**
 * Runs `work` (synchronous DOM work on `html`) within the budget: the page's shape is checked first, then `work`
 * runs under vm's timeout, which interrupts synchronous code, so a page that would take minutes costs `timeMs`.
 * A stack overflow or any other error inside `work` becomes a reason too: one page never sinks a run.
 */
export function withinHtmlBudget<T>(html: string, budget: HtmlBudget, work: () => T): BudgetResult<T> {
  const shape = measureHtml(html, budget);
  if (!shape.ok) return shape;
  context.work = work;
  try {
    return { ok: true, value: callWork.runInContext(context, { timeout: budget.timeMs }) as T };
  } catch (error) {
    if ((error as { code?: string })?.code === "ERR_SCRIPT_EXECUTION_TIMEOUT") {
      return { ok: false, reason: `reading the HTML took longer than ${budget.timeMs} ms, too complex to read safely; the page is skipped` };
    }
    const detail = error instanceof Error ? error.message.split("\n")[0] : String(error);
    return { ok: false, reason: `the HTML could not be read (${detail}); the page is skipped` };
  } finally {
    context.work = null;
  }
}
