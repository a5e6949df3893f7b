/**
 * OAuth provider settings for token refresh, read from the `OAUTH_PROVIDERS` var:
 *
 *   {"oauth_google": {"token_url": "https://oauth2.googleapis.com/token",
 *                     "client_id": "…", "client_secret": "…",
 *                     "token_endpoint_auth_method": "client_secret_basic"}}
 *
 * A secret `OAUTH_<NAME>_CLIENT_SECRET` (NAME = provider without `oauth_`, upper-cased, other
 * characters as `_`; e.g. OAUTH_GOOGLE_CLIENT_SECRET) overrides `client_secret`, so the secret
 * need not sit in a plain var. Parsed lazily here rather than in readConfig: a broken
 * OAUTH_PROVIDERS must fail only the OAuth token route, not every endpoint.
 */
import { normalizeProvider } from "../db/normalize";
import type { Env } from "../env";
import { ApiError } from "../http/errors";

/** RFC 6749 §2.3.1: HTTP Basic (which every server must support) or credentials in the form body. */
export type TokenEndpointAuthMethod = "client_secret_basic" | "client_secret_post";

export interface OAuthProviderConfig {
  /** With the `oauth_` prefix, as external accounts store it. */
  provider: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  authMethod: TokenEndpointAuthMethod;
}

const AUTH_METHODS: readonly TokenEndpointAuthMethod[] = ["client_secret_basic", "client_secret_post"];

function misconfigured(detail: string): ApiError {
  // An operator error; the message names the setting and the field, never a value.
  return new ApiError(500, "internal_clerk_error", "Oops, an unexpected error occurred", `OAUTH_PROVIDERS is invalid: ${detail}`);
}

/** `oauth_google` → `OAUTH_GOOGLE_CLIENT_SECRET`; `oauth_custom_my-idp` → `OAUTH_CUSTOM_MY_IDP_CLIENT_SECRET`. */
export function clientSecretVarName(provider: string): string {
  const name = provider
    .replace(/^oauth_/, "")
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, "_");
  return `OAUTH_${name}_CLIENT_SECRET`;
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === "string" && value.trim() !== "";
}

function parseProvider(env: Env, key: string, raw: unknown): OAuthProviderConfig {
  const provider = normalizeProvider(key);
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw misconfigured(`${key} must be an object`);
  const entry = raw as Record<string, unknown>;
  if (!nonEmptyString(entry.token_url)) throw misconfigured(`${key}.token_url is missing`);
  let url: URL;
  try {
    url = new URL(entry.token_url);
  } catch {
    throw misconfigured(`${key}.token_url is not a URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw misconfigured(`${key}.token_url must be http(s)`);
  if (!nonEmptyString(entry.client_id)) throw misconfigured(`${key}.client_id is missing`);
  const override = env[clientSecretVarName(provider)];
  const clientSecret = nonEmptyString(override) ? override : entry.client_secret;
  if (!nonEmptyString(clientSecret)) throw misconfigured(`${key} has no client_secret and ${clientSecretVarName(provider)} is not set`);
  const authMethod = entry.token_endpoint_auth_method ?? "client_secret_basic";
  if (!AUTH_METHODS.includes(authMethod as TokenEndpointAuthMethod)) {
    throw misconfigured(`${key}.token_endpoint_auth_method must be one of ${AUTH_METHODS.join(", ")}`);
  }
  return { provider, tokenUrl: url.href, clientId: entry.client_id, clientSecret, authMethod: authMethod as TokenEndpointAuthMethod };
}

const cache = new WeakMap<object, Map<string, OAuthProviderConfig>>();

/** All configured providers by their `oauth_` name; parsed once per env object. Throws a 500 if malformed. */
export function readOAuthProviders(env: Env): Map<string, OAuthProviderConfig> {
  const cached = cache.get(env);
  if (cached) return cached;
  const text = typeof env.OAUTH_PROVIDERS === "string" && env.OAUTH_PROVIDERS.trim() !== "" ? env.OAUTH_PROVIDERS : "{}";
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw misconfigured("not JSON");
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw misconfigured("must be a JSON object");
  const providers = new Map<string, OAuthProviderConfig>();
  for (const [key, raw] of Object.entries(parsed)) {
    const config = parseProvider(env, key, raw);
    providers.set(config.provider, config);
  }
  cache.set(env, providers);
  return providers;
}

/** The provider's settings, or undefined when refresh is not configured for it. */
export function findOAuthProvider(env: Env, provider: string): OAuthProviderConfig | undefined {
  return readOAuthProviders(env).get(normalizeProvider(provider));
}
