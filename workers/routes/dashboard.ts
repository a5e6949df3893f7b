/**
 * The dashboard (README, Dashboard): its session API and its static files.
 *   POST   /dashboard/session  {"secret_key"} → session cookie (rate limited per client IP)
 *   GET    /dashboard/session  → the current session, or 401
 *   DELETE /dashboard/session  → 204, session revoked server-side, cookie cleared
 *   GET    /dashboard, /dashboard/<app route> → index.html (deep links work); /dashboard/assets/* → the built files
 *   HEAD   each GET above → the same status and headers, no body
 * wrangler.toml runs the Worker first for /dashboard*, so every one of these responses passes
 * through withDashboardHeaders (CSP and the other browser protections), errors included.
 */
import type { AppContext } from "../context";
import { assertSameOrigin, currentSession, readSessionCookie, sessionCookie } from "../http/auth";
import { readJsonBody } from "../http/body";
import { errors } from "../http/errors";
import { json } from "../http/respond";
import type { ApiRequest, RouterType } from "../http/router-types";
import { consumeSignInAttempt } from "../rate-limit/sign-in-limit";
import { createSessionToken, matchSecretKey, revokeSession, SESSION_TTL_MS } from "../services/dashboard-session";

const SESSION_PATH = "/dashboard/session";

/**
 * Every /dashboard response's security headers. The CSP allows scripts and styles from this
 * origin only (no inline code: index.html has none), API calls to this origin only, and images
 * from this origin, data: URLs and any https host: profile images may live under
 * PUBLIC_IMAGE_BASE_URL (another host) and external accounts' avatars on the provider's host.
 */
export const DASHBOARD_SECURITY_HEADERS: Record<string, string> = {
  "Content-Security-Policy": [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: https:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; "),
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "X-Frame-Options": "DENY",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Resource-Policy": "same-origin",
  "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
};

/** Whether a path is the dashboard's (and so gets DASHBOARD_SECURITY_HEADERS). */
export function isDashboardPath(pathname: string): boolean {
  return pathname === "/dashboard" || pathname.startsWith("/dashboard/");
}

/** The response with the dashboard's security headers set (a copy when its headers are immutable). */
export function withDashboardHeaders(response: Response): Response {
  let out = response;
  try {
    for (const [name, value] of Object.entries(DASHBOARD_SECURITY_HEADERS)) out.headers.set(name, value);
  } catch {
    out = new Response(response.body, response);
    for (const [name, value] of Object.entries(DASHBOARD_SECURITY_HEADERS)) out.headers.set(name, value);
  }
  return out;
}

/** The pages of dashboard/src/router.ts; these paths answer with index.html. */
const APP_ROUTE = /^\/dashboard(?:\/|\/users\/new|\/users\/[^/]+|\/organizations|\/organizations\/[^/]+|\/webhooks|\/webhooks\/[^/]+)?\/?$/;

function sessionBody(expiresAt: number) {
  return { object: "dashboard_session", expires_at: expiresAt };
}

const NO_STORE = { "Cache-Control": "no-store" };

async function signIn(request: ApiRequest, ctx: AppContext): Promise<Response> {
  // Origin first: a cross-site form must not even use up the operator's attempts.
  assertSameOrigin(request);
  const limit = await consumeSignInAttempt(ctx);
  if (!limit.allowed) throw errors.signInRateLimited(limit.retryAfterSeconds);
  const body = await readJsonBody(request, 4096);
  const candidate = body.secret_key;
  if (candidate === undefined || candidate === null || candidate === "") throw errors.paramMissing("secret_key");
  if (typeof candidate !== "string") throw errors.paramTypeInvalid("secret_key", "string");
  const key = matchSecretKey(ctx.config.secretKeys, candidate.trim());
  if (key === undefined) throw errors.secretKeyInvalid();
  const { token, expiresAt } = await createSessionToken(key, ctx.now());
  return json(sessionBody(expiresAt), 200, {
    ...NO_STORE,
    "Set-Cookie": sessionCookie(new URL(request.url), token, SESSION_TTL_MS / 1000),
  });
}

async function getSession(request: ApiRequest, ctx: AppContext): Promise<Response> {
  const session = await currentSession(request, ctx);
  if (!session) throw errors.dashboardSessionInvalid();
  return json(sessionBody(session.expiresAt), 200, NO_STORE);
}

async function signOut(request: ApiRequest, ctx: AppContext): Promise<Response> {
  assertSameOrigin(request);
  await revokeSession(ctx, readSessionCookie(request));
  return new Response(null, { status: 204, headers: { ...NO_STORE, "Set-Cookie": sessionCookie(new URL(request.url), null, 0) } });
}

/** index.html for app routes (404 status, same page, for unknown ones); hashed assets cached for a year. */
async function serveStatic(request: ApiRequest, ctx: AppContext): Promise<Response> {
  const assets = ctx.env.ASSETS;
  if (!assets) throw errors.notFound("The dashboard is not built on this deployment: run `npm run build` before deploying.");
  const url = new URL(request.url);
  if (url.pathname.startsWith("/dashboard/assets/")) {
    const headers = new Headers();
    const etag = request.headers.get("if-none-match");
    if (etag) headers.set("If-None-Match", etag);
    const asset = await assets.fetch(new Request(url.toString(), { headers }));
    if (asset.status === 404) throw errors.routeNotFound();
    const out = new Response(asset.body, asset);
    // Names carry a content hash (scripts/build-dashboard.mjs): a changed file is a new URL.
    if (asset.ok) out.headers.set("Cache-Control", "public, max-age=31536000, immutable");
    return out;
  }
  const page = await assets.fetch(new Request(new URL("/dashboard/", url).toString()));
  if (!page.ok) throw errors.notFound("The dashboard is not built on this deployment: run `npm run build` before deploying.");
  const out = new Response(page.body, { status: APP_ROUTE.test(url.pathname) ? 200 : 404, headers: page.headers });
  // The page names the current hashed assets, so it must be revalidated every time.
  out.headers.set("Cache-Control", "no-cache");
  return out;
}

type Handler = (request: ApiRequest, ctx: AppContext) => Promise<Response>;

/**
 * HEAD as the GET handler answers it, without the body (RFC 9110 §9.3.2: the same header fields
 * as GET, no content). An error thrown by the handler still becomes its JSON error response in
 * the router's catch; the runtime sends no body for a HEAD request.
 */
function headOf(handler: Handler): Handler {
  return async (request, ctx) => {
    const response = await handler(request, ctx);
    await response.body?.cancel();
    return new Response(null, response);
  };
}

export function registerDashboardRoutes(router: RouterType): void {
  router.post(SESSION_PATH, signIn);
  router.get(SESSION_PATH, getSession);
  router.head(SESSION_PATH, headOf(getSession));
  router.delete(SESSION_PATH, signOut);
  router.get("/dashboard", serveStatic);
  router.get("/dashboard/*", serveStatic);
  router.head("/dashboard", headOf(serveStatic));
  router.head("/dashboard/*", headOf(serveStatic));
}
