/** `npm run playground`: the real bot against a local Discord stand-in, shown in a browser. No token needed. */
import "../src/cli/quiet-native-logs.ts";
import { runCli } from "../src/cli/run-cli.ts";
import { loadConfig } from "../src/config.ts";
import { runPlayground } from "../src/app/run-playground.ts";

runCli(async () => {
  return runPlayground(loadConfig());
});
