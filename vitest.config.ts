import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { defineConfig } from "vitest/config";
import { createWebhookReceiver } from "./test/support/webhook-receiver";
import { createOAuthProvider, PROVIDER_CLIENT_ID, PROVIDER_CLIENT_SECRET, VAR_CLIENT_SECRET } from "./test/support/oauth-provider";

// The OAuth provider's token endpoint, a real HTTP handler in Node: the Worker's outbound fetches
// to oauth.test reach it; anything else goes to the network as usual.
const oauthProvider = createOAuthProvider();
// Webhook receivers (test/support/webhook-receiver.ts): deliveries to hooks.test reach them.
const webhookReceiver = createWebhookReceiver();
const OAUTH_PROVIDERS = JSON.stringify({
  oauth_google: { token_url: "https://oauth.test/token", client_id: PROVIDER_CLIENT_ID, client_secret: VAR_CLIENT_SECRET },
  github: { token_url: "https://oauth.test/token-post", client_id: PROVIDER_CLIENT_ID, token_endpoint_auth_method: "client_secret_post" },
});

// Route tests run inside workerd against real D1, R2 and Durable Objects (miniflare).
export default defineConfig(async () => {
  // wrangler.toml's [assets] directory must exist before the pool reads it (`npm test` builds first;
  // this covers a direct `vitest run`).
  if (!existsSync("dashboard/dist/dashboard/index.html")) {
    const build = spawnSync(process.execPath, ["scripts/build-dashboard.mjs"], { stdio: "inherit" });
    if (build.status !== 0) throw new Error("npm run build failed");
  }
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
            USER_IMPORT_RATE_LIMIT: "10000000",
            OAUTH_PROVIDERS,
            OAUTH_GOOGLE_CLIENT_SECRET: PROVIDER_CLIENT_SECRET,
            OAUTH_GITHUB_CLIENT_SECRET: PROVIDER_CLIENT_SECRET,
            OAUTH_REFRESH_TIMEOUT_MS: "1000",
            // Short webhook bounds so retry and timeout tests take seconds, not hours.
            WEBHOOK_TIMEOUT_MS: "1000",
            WEBHOOK_RETRY_SCHEDULE_SECONDS: "1,1",
            CLERK_INSTANCE_ID: "ins_test_instance",
          },
          outboundService: (request: Request) => {
            const host = new URL(request.url).hostname;
            if (host === "oauth.test") return oauthProvider.handle(request);
            if (host === "hooks.test") return webhookReceiver.handle(request);
            return fetch(request);
          },
          // A second, empty database: the round-trip test imports an export into it (a fresh
          // instance next to the one exported). Listed with DB, which this option would otherwise replace.
          d1Databases: ["DB", "FRESH_DB"],
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
