import { type ParseArgsConfig, parseArgs } from "node:util";
import { stackTracesWanted } from "../config.ts";
import { describeError, DocentError } from "../errors.ts";
import { printableLines } from "../terminal-text.ts";

/**
 * Runs a command's main function and turns any error into one readable line on stderr and an exit code:
 * the only place a CLI decides how failures look.
 */
export function runCli(main: () => Promise<number>): void {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      // A message may quote a file name or a URL from untrusted input: nothing in it may drive the terminal.
      process.stderr.write(`docent: ${printableLines(describeError(error))}\n`);
      if (!(error instanceof DocentError) && stackTracesWanted()) process.stderr.write(`${(error as Error)?.stack ?? ""}\n`);
      process.exitCode = error instanceof DocentError && error.code === "USAGE" ? 64 : 2;
    },
  );
}

export function usageError(message: string, usage: string): DocentError {
  return new DocentError("USAGE", message, { hint: usage });
}

/** node:util's parseArgs, with a bad argument turned into a usage error that shows `usage`. */
export function parseArguments<T extends ParseArgsConfig>(config: T, usage: string): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    throw usageError((error as Error).message, usage);
  }
}
