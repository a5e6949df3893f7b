/**
 * Bindings, vars and secrets of the Worker, and their parsed form. Every setting the README's
 * configuration table lists is read here and nowhere else.
 */
import { BCRYPT_MAX_COST, BCRYPT_MIN_COST } from "./crypto/hashers/bcrypt";
import type { RateLimiter } from "./rate-limit/rate-limiter";
import type { WebhookScheduler } from "./webhooks/scheduler";
import type { DeliveryMessage } from "./webhooks/delivery";

export interface Env {
  DB: D1Database;
  IMAGES: R2Bucket;
  RATE_LIMITER: DurableObjectNamespace<RateLimiter>;
  /** Producer of the webhook delivery queue; this Worker is also its consumer. */
  WEBHOOKS: Queue<DeliveryMessage>;
  /** One instance whose alarm re-enqueues due webhook deliveries (workers/webhooks/scheduler.ts). */
  WEBHOOK_SCHEDULER: DurableObjectNamespace<WebhookScheduler>;
  /** The dashboard's built files (wrangler.toml [assets], dashboard/dist); absent when not built. */
  ASSETS?: Fetcher;
  /** Dashboard sign-in attempts admitted per client IP per DASHBOARD_SIGN_IN_RATE_WINDOW_SECONDS. */
  DASHBOARD_SIGN_IN_RATE_LIMIT?: string;
  DASHBOARD_SIGN_IN_RATE_WINDOW_SECONDS?: string;
  /** Secret: one key, or a comma-separated list for rotation. */
  CLERK_SECRET_KEY?: string;
  /** Secret: base64 of 32 bytes; seals TOTP secrets and OAuth tokens (AES-256-GCM). */
  CREDENTIALS_ENCRYPTION_KEY?: string;
  BCRYPT_COST?: string;
  USER_CREATE_RATE_LIMIT?: string;
  USER_CREATE_RATE_WINDOW_SECONDS?: string;
  USER_IMPORT_RATE_LIMIT?: string;
  LOCKOUT_MAX_ATTEMPTS?: string;
  LOCKOUT_DURATION_SECONDS?: string;
  PUBLIC_IMAGE_BASE_URL?: string;
  OAUTH_PROVIDERS?: string;
  /** How long a token refresh may wait for the provider's token endpoint. */
  OAUTH_REFRESH_TIMEOUT_MS?: string;
  /** `true` lets GET /v1/users/export include credentials (digests, TOTP secrets) on request. */
  EXPORT_CREDENTIALS?: string;
  /** Bound on one webhook delivery attempt. */
  WEBHOOK_TIMEOUT_MS?: string;
  /** Comma-separated delays (seconds) before each retry of a failed webhook delivery. */
  WEBHOOK_RETRY_SCHEDULE_SECONDS?: string;
  /** `instance_id` of webhook events; empty = one generated once and stored. */
  CLERK_INSTANCE_ID?: string;
  /** Secrets `OAUTH_<PROVIDER>_CLIENT_SECRET` override client_secret in OAUTH_PROVIDERS. */
  [key: string]: unknown;
}

export interface Config {
  secretKeys: string[];
  bcryptCost: number;
  userCreateRateLimit: number;
  userCreateRateWindowSeconds: number;
  /** Users POST /v1/users/import admits per userCreateRateWindowSeconds. */
  userImportRateLimit: number;
  lockoutMaxAttempts: number;
  lockoutDurationSeconds: number;
  /** Origin (and optional path) for image URLs; empty = the request's own origin. */
  publicImageBaseUrl: string;
  encryptionKey: string | undefined;
  /** Bound on one call to a provider's token endpoint (providers are parsed in services/oauth-providers.ts). */
  oauthRefreshTimeoutMs: number;
  /** Whether GET /v1/users/export may include credentials when asked (EXPORT_CREDENTIALS=true). */
  exportCredentials: boolean;
  /** Bound on one webhook delivery attempt (a 2xx within it is success). */
  webhookTimeoutMs: number;
  /** Delays before each retry of a failed delivery, in seconds; after the last, the delivery fails. */
  webhookRetryScheduleSeconds: number[];
  /** Configured `instance_id`, or undefined for the generated and stored one. */
  instanceId: string | undefined;
  /** Dashboard sign-in attempts admitted per client IP per window. */
  dashboardSignInRateLimit: number;
  dashboardSignInRateWindowSeconds: number;
}

/** Svix's schedule: retries 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h after the failures before them. */
export const DEFAULT_WEBHOOK_RETRY_SCHEDULE_SECONDS = [5, 300, 1800, 7200, 18000, 36000, 36000];

/**
 * A retry schedule: comma-separated whole seconds, each 0..43200 (a queue message can be delayed
 * at most 12 hours), at most 20 entries; anything else falls back to the default.
 */
function retrySchedule(value: unknown): number[] {
  if (typeof value !== "string" || value.trim() === "") return DEFAULT_WEBHOOK_RETRY_SCHEDULE_SECONDS;
  const parts = value.split(",").map((part) => Number(part.trim()));
  const valid = parts.length <= 20 && parts.every((n) => Number.isInteger(n) && n >= 0 && n <= 43_200);
  return valid ? parts : DEFAULT_WEBHOOK_RETRY_SCHEDULE_SECONDS;
}

function intVar(value: unknown, fallback: number, min: number): number {
  if (typeof value !== "string" || value.trim() === "") return fallback;
  const n = Number(value);
  return Number.isInteger(n) && n >= min ? n : fallback;
}

const configCache = new WeakMap<object, Config>();

/** Parses the env once per isolate (env objects are stable per deployment). */
export function readConfig(env: Env): Config {
  const cached = configCache.get(env);
  if (cached) return cached;
  const config: Config = {
    secretKeys: String(env.CLERK_SECRET_KEY ?? "")
      .split(",")
      .map((k) => k.trim())
      .filter(Boolean),
    // The range every bcrypt digest must be in to be verified (crypto/hashers/bcrypt.ts).
    bcryptCost: Math.min(intVar(env.BCRYPT_COST, 10, BCRYPT_MIN_COST), BCRYPT_MAX_COST),
    userCreateRateLimit: intVar(env.USER_CREATE_RATE_LIMIT, 20, 1),
    userCreateRateWindowSeconds: intVar(env.USER_CREATE_RATE_WINDOW_SECONDS, 10, 1),
    userImportRateLimit: intVar(env.USER_IMPORT_RATE_LIMIT, 10_000, 1),
    lockoutMaxAttempts: intVar(env.LOCKOUT_MAX_ATTEMPTS, 10, 0),
    lockoutDurationSeconds: intVar(env.LOCKOUT_DURATION_SECONDS, 3600, 0),
    publicImageBaseUrl: String(env.PUBLIC_IMAGE_BASE_URL ?? "").replace(/\/+$/, ""),
    encryptionKey: env.CREDENTIALS_ENCRYPTION_KEY,
    oauthRefreshTimeoutMs: Math.min(intVar(env.OAUTH_REFRESH_TIMEOUT_MS, 10_000, 1), 60_000),
    // Off unless set to exactly `true`: a typo must not hand out every password digest.
    exportCredentials: String(env.EXPORT_CREDENTIALS ?? "").trim() === "true",
    webhookTimeoutMs: Math.min(intVar(env.WEBHOOK_TIMEOUT_MS, 15_000, 1), 60_000),
    webhookRetryScheduleSeconds: retrySchedule(env.WEBHOOK_RETRY_SCHEDULE_SECONDS),
    dashboardSignInRateLimit: intVar(env.DASHBOARD_SIGN_IN_RATE_LIMIT, 10, 1),
    dashboardSignInRateWindowSeconds: intVar(env.DASHBOARD_SIGN_IN_RATE_WINDOW_SECONDS, 60, 1),
    instanceId: typeof env.CLERK_INSTANCE_ID === "string" && env.CLERK_INSTANCE_ID.trim() !== "" ? env.CLERK_INSTANCE_ID.trim() : undefined,
  };
  configCache.set(env, config);
  return config;
}
