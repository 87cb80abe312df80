import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Says once per run whether the team's shared corpus is there (the tests that need it skip without it).
    globalSetup: ["test/support/shared-corpus-setup.ts"],
    // Two files at a time even on two cores (vitest's default there is one): most files spend their time waiting on
    // child processes and loopback servers, not computing.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // LanceDB's native code logs to stderr; keep test output readable.
    env: { LANCEDB_LOG: "error" },
  },
});
