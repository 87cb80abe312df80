/** `npm run doctor`: checks the token, intent, channels and permissions, slash commands and index; exit 1 on any failure. */
import "../src/cli/quiet-native-logs.ts";
import { runCli } from "../src/cli/run-cli.ts";
import { loadConfig } from "../src/config.ts";
import { runDoctor } from "../src/app/doctor.ts";

runCli(async () => runDoctor(loadConfig()));
