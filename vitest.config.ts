import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // dist/ built from the current sources first: the CLI tests start bin/vigil.js, which runs it.
    globalSetup: ["test/helpers/build-dist.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // PGlite instances are memory-hungry; two cores, two workers.
    maxWorkers: 2,
  },
});
