import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

// Route tests run inside workerd against real D1, R2 and Durable Objects (miniflare).
export default defineConfig(async () => {
  const migrations = await readD1Migrations("migrations");
  return {
    plugins: [
      cloudflareTest({
        main: "./workers/index.ts",
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            CLERK_SECRET_KEY: "sk_test_primary,sk_test_rotated",
            CREDENTIALS_ENCRYPTION_KEY: "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
            // Cheap hashing in route tests; the real costs are tested once against the vectors.
            BCRYPT_COST: "4",
            // Only the rate-limit tests meet the limit; they set their own.
            USER_CREATE_RATE_LIMIT: "100000",
          },
        },
      }),
    ],
    test: {
      include: ["test/**/*.test.ts"],
      exclude: ["test/e2e/**", "node_modules/**"],
      setupFiles: ["./test/setup.ts"],
      globalSetup: ["./test/schema/global-setup.ts"],
    },
  };
});
