/**
 * A fake OAuth 2.0 token endpoint (RFC 6749 §6) that runs in Node, outside the Worker: the route
 * tests install it as miniflare's `outboundService`, the end-to-end suite serves it over HTTP.
 *
 * It behaves like a strict provider: it authenticates the client (Basic or form credentials),
 * rotates refresh tokens and rejects a spent one with invalid_grant. A refresh token's prefix
 * picks a misbehaviour for error tests:
 *   fail400-…  → 400 invalid_grant          fail503-…  → 503 with an HTML body
 *   slow-…     → answers after SLOW_MS      norotate-… → no refresh_token, no scope, no expires_in
 *   badjson-…  → 200 without access_token   hold-…     → answers after HOLD_MS (inside the timeout)
 *   huge-…     → on its first use (no "~" yet), an access token of HUGE_TOKEN_BYTES, more than D1
 *                stores in one value; later, rotated refresh tokens get ordinary ones
 * GET /__calls returns every token request received so far (tests filter by refresh token).
 */

export const PROVIDER_CLIENT_ID = "client-id-test";
/** The only secret the provider accepts; the Worker gets it from OAUTH_<NAME>_CLIENT_SECRET. */
export const PROVIDER_CLIENT_SECRET = "client-secret-from-secret";
/** The secret in the OAUTH_PROVIDERS var, which the secret above must override. */
export const VAR_CLIENT_SECRET = "client-secret-from-var";
export const SLOW_MS = 3_000;
/** Long enough for a test to act while a refresh is in flight, short of the 1 s refresh timeout. */
export const HOLD_MS = 600;
/** Larger than D1 stores in one value (2 MB deployed; a few MB locally), even before encryption. */
export const HUGE_TOKEN_BYTES = 6_000_000;

export interface ProviderCall {
  path: string;
  grantType: string | null;
  refreshToken: string | null;
  auth: "basic" | "post" | "none";
  clientId: string | null;
  clientSecret: string | null;
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", "Cache-Control": "no-store" } });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Client credentials as RFC 6749 §2.3.1 sends them: Basic of form-encoded id:secret, or form fields. */
function clientCredentials(request: Request, form: URLSearchParams): Pick<ProviderCall, "auth" | "clientId" | "clientSecret"> {
  const header = request.headers.get("authorization");
  if (header?.startsWith("Basic ")) {
    const [id, secret] = atob(header.slice(6)).split(":");
    const decode = (v: string | undefined) => (v === undefined ? null : decodeURIComponent(v.replace(/\+/g, " ")));
    return { auth: "basic", clientId: decode(id), clientSecret: decode(secret) };
  }
  if (form.has("client_id")) return { auth: "post", clientId: form.get("client_id"), clientSecret: form.get("client_secret") };
  return { auth: "none", clientId: null, clientSecret: null };
}

export function createOAuthProvider() {
  const calls: ProviderCall[] = [];
  const spent = new Set<string>();
  let issued = 0;

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (request.method === "GET" && url.pathname === "/__calls") return json(calls);
    if (request.method !== "POST") return json({ error: "invalid_request" }, 405);
    const form = new URLSearchParams(await request.text());
    const credentials = clientCredentials(request, form);
    const refreshToken = form.get("refresh_token");
    calls.push({ path: url.pathname, grantType: form.get("grant_type"), refreshToken, ...credentials });

    const expectedAuth = url.pathname === "/token-post" ? "post" : "basic";
    if (credentials.auth !== expectedAuth || credentials.clientId !== PROVIDER_CLIENT_ID || credentials.clientSecret !== PROVIDER_CLIENT_SECRET) {
      return json({ error: "invalid_client" }, 401);
    }
    if (form.get("grant_type") !== "refresh_token" || !refreshToken) return json({ error: "unsupported_grant_type" }, 400);
    if (refreshToken.startsWith("fail400-") || spent.has(refreshToken)) {
      return json({ error: "invalid_grant", error_description: `refresh token ${refreshToken} is not valid` }, 400);
    }
    if (refreshToken.startsWith("fail503-")) {
      return new Response("<html>upstream unavailable</html>", { status: 503, headers: { "Content-Type": "text/html" } });
    }
    if (refreshToken.startsWith("badjson-")) return json({ token_type: "Bearer" });
    if (refreshToken.startsWith("slow-")) await sleep(SLOW_MS);
    else if (refreshToken.startsWith("hold-")) await sleep(HOLD_MS);
    // A little latency, as real token endpoints have, so concurrent requests overlap the refresh.
    else await sleep(40);

    issued += 1;
    const base = refreshToken.split("~")[0];
    const accessToken = refreshToken.startsWith("huge-") && !refreshToken.includes("~") ? "h".repeat(HUGE_TOKEN_BYTES) : `access-${base}-${issued}`;
    if (refreshToken.startsWith("norotate-")) return json({ access_token: accessToken, token_type: "Bearer" });
    // Rotation: the old refresh token is spent; a second use is refused like Google/Okta do.
    spent.add(refreshToken);
    return json({
      access_token: accessToken,
      token_type: "Bearer",
      expires_in: 3599,
      refresh_token: `${base}~${issued}`,
      scope: "openid,email https://www.googleapis.com/auth/calendar",
      id_token: `id-${base}-${issued}`,
    });
  }

  return { handle, calls };
}
