import { defineConfig } from "vitest/config";
import SlowFilesFirst from "./test/support/test-order.ts";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Says once per run whether the team's shared corpus is there (the tests that need it skip without it), then
    // compiles the project once so the tests that start a command run it as `npm run` does (no tsx per process).
    globalSetup: ["test/support/shared-corpus-setup.ts", "test/support/script-build.ts"],
    sequence: { sequencer: SlowFilesFirst },
    // Three files at a time on two cores (vitest's default there is one): most files spend their time waiting on
    // child processes and loopback servers, not computing.
    maxWorkers: 3,
    // One module graph per worker rather than one per file: the files share no global state (the one that sets
    // variables puts them back), and loading the project for each file was a third of the run (423 s → 229 s
    // with the build and the order above, 182 s with this too; test:quick 51 s → 15 s, on an idle 2-core machine).
    isolate: false,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // LanceDB's native code logs to stderr; keep test output readable.
    env: { LANCEDB_LOG: "error" },
  },
});
