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
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // LanceDB's native code logs to stderr; keep test output readable.
    env: { LANCEDB_LOG: "error" },
  },
});
