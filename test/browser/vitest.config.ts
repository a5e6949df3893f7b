import { defineConfig } from "vitest/config";

// Browser tests: the Worker under `wrangler dev`, the dashboard in headless Debian Chromium
// (test/browser/harness.ts). One file at a time: each starts a Worker and a browser.
export default defineConfig({
  test: {
    include: ["test/browser/**/*.browser.ts"],
    globalSetup: ["./test/browser/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
