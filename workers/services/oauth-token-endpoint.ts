/**
 * The client side of RFC 6749 §6 (refreshing an access token) against a provider's token
 * endpoint. No database here: the caller decides what to store, under its refresh lease.
 */
import type { OAuthProviderConfig } from "./oauth-providers";

export interface RefreshedTokens {
  accessToken: string;
  /** Present when the provider rotated the refresh token (§6: "MAY issue a new refresh token"). */
  refreshToken?: string;
  idToken?: string;
  /** Seconds; absent when the provider does not say. */
  expiresIn?: number;
  /** Space-separated; absent means "the scopes granted before" (§6). */
  scope?: string;
}

/** Why a refresh failed, safe to show to the API caller: no token or provider text is in it. */
export class TokenRefreshError extends Error {
  constructor(
    readonly reason: "http_error" | "timeout" | "network_error" | "invalid_response",
    /** The provider's HTTP status when it answered. */
    readonly providerStatus: number | null,
    /** The RFC 6749 §5.2 `error` code (e.g. invalid_grant) when the provider sent a well-formed one. */
    readonly providerError?: string,
  ) {
    super(`token refresh failed: ${reason}${providerStatus === null ? "" : ` (HTTP ${providerStatus})`}`);
    this.name = "TokenRefreshError";
  }
}

/** RFC 6749 Appendix B: the client id and secret are form-urlencoded before Basic encoding. */
function basicCredentials(clientId: string, clientSecret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, "+");
  const raw = new TextEncoder().encode(`${encode(clientId)}:${encode(clientSecret)}`);
  let binary = "";
  for (const byte of raw) binary += String.fromCharCode(byte);
  return `Basic ${btoa(binary)}`;
}

/** §5.2 error codes are ASCII words; anything else from the provider is not echoed. */
function errorCodeOf(body: unknown): string | undefined {
  const code = (body as { error?: unknown } | null)?.error;
  return typeof code === "string" && /^[\x21\x23-\x5b\x5d-\x7e]{1,64}$/.test(code) ? code : undefined;
}

function optionalString(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** Reads §5.1's successful response; anything malformed is an invalid response, not a crash. */
function parseTokenResponse(body: unknown, status: number): RefreshedTokens {
  if (!body || typeof body !== "object") throw new TokenRefreshError("invalid_response", status);
  const fields = body as Record<string, unknown>;
  const accessToken = optionalString(fields.access_token);
  if (!accessToken) throw new TokenRefreshError("invalid_response", status);
  // Some providers send expires_in as a string; a non-positive or absurd value is ignored.
  const expiresIn = Number(fields.expires_in);
  return {
    accessToken,
    refreshToken: optionalString(fields.refresh_token),
    idToken: optionalString(fields.id_token),
    expiresIn: Number.isFinite(expiresIn) && expiresIn > 0 && expiresIn < 10 * 365 * 86400 ? Math.floor(expiresIn) : undefined,
    // GitHub separates scopes with commas; store them the way approved_scopes does (spaces).
    scope:
      typeof fields.scope === "string"
        ? fields.scope
            .split(/[\s,]+/)
            .filter(Boolean)
            .join(" ")
        : undefined,
  };
}

/**
 * Exchanges a refresh token for new tokens (grant_type=refresh_token), authenticating the client
 * as configured. Bounded by `timeoutMs`; every failure becomes a TokenRefreshError.
 */
export async function requestTokenRefresh(provider: OAuthProviderConfig, refreshToken: string, timeoutMs: number): Promise<RefreshedTokens> {
  const form = new URLSearchParams({ grant_type: "refresh_token", refresh_token: refreshToken });
  const headers: Record<string, string> = {
    "Content-Type": "application/x-www-form-urlencoded",
    Accept: "application/json",
  };
  if (provider.authMethod === "client_secret_basic") {
    headers.Authorization = basicCredentials(provider.clientId, provider.clientSecret);
  } else {
    form.set("client_id", provider.clientId);
    form.set("client_secret", provider.clientSecret);
  }
  const signal = AbortSignal.timeout(timeoutMs);
  let response: Response;
  let text: string;
  try {
    response = await fetch(provider.tokenUrl, { method: "POST", headers, body: form.toString(), redirect: "manual", signal });
    text = await response.text();
  } catch {
    throw new TokenRefreshError(signal.aborted ? "timeout" : "network_error", null);
  }
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    // A non-JSON body: an error page, or a provider that ignores Accept.
  }
  if (!response.ok) throw new TokenRefreshError("http_error", response.status, errorCodeOf(body));
  return parseTokenResponse(body, response.status);
}
