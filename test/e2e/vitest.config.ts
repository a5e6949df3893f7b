import { defineConfig } from "vitest/config";

// End-to-end: the Worker runs under `wrangler dev` and the official @clerk/backend client
// drives it over real HTTP from Node. Every JSON response is validated against the spec.
export default defineConfig({
  test: {
    include: ["test/e2e/**/*.e2e.ts"],
    globalSetup: ["./test/schema/global-setup.ts", "./test/e2e/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 90_000,
    fileParallelism: false,
  },
});
