import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // LanceDB's native code logs to stderr; keep test output readable.
    env: { LANCEDB_LOG: "error" },
  },
});
