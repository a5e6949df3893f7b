/**
 * Who may call /v1: a client with one of the secret keys as a Bearer token (every SDK), or the
 * dashboard in a browser with its session cookie (README, Dashboard, Security model).
 *
 * A cookie is sent by the browser on its own, so a page on another site could make the
 * operator's browser send it. SameSite=Strict already keeps it off cross-site requests; as a
 * second, independent guard every state-changing cookie request must prove it comes from this
 * origin: `Sec-Fetch-Site: same-origin` (Fetch Metadata, sent by every current browser and not
 * settable by page scripts), or, when that header is absent, an `Origin` equal to this origin
 * (RFC 6454 §7; browsers send it on every POST/PUT/PATCH/DELETE). Neither → 403.
 * No CORS headers are ever sent, so other origins cannot read cookie-authenticated responses.
 */
import type { AppContext } from "../context";
import { authenticateSession, matchSecretKey, type DashboardSession } from "../services/dashboard-session";
import { errors } from "./errors";

const SAFE_METHODS = new Set(["GET", "HEAD"]);

/** Whether the request URL is a local development origin, where a cookie cannot be `Secure`. */
function isLocalHttp(url: URL): boolean {
  return url.protocol === "http:" && (url.hostname === "127.0.0.1" || url.hostname === "localhost");
}

/**
 * The session cookie's name. Over HTTPS it carries the `__Host-` prefix (RFC 6265bis §4.1.3.2):
 * the browser accepts it only with Secure, Path=/ and no Domain, so a sibling subdomain cannot
 * plant or shadow it. Local http cannot be Secure, so there the plain name is used.
 */
export function sessionCookieName(url: URL): string {
  return isLocalHttp(url) ? "dashboard_session" : "__Host-dashboard_session";
}

/** `Set-Cookie` for a new session (`token`) or, with `token` null, one that deletes it. */
export function sessionCookie(url: URL, token: string | null, maxAgeSeconds: number): string {
  const attributes = [
    `${sessionCookieName(url)}=${token ?? ""}`,
    "Path=/",
    "HttpOnly",
    "SameSite=Strict",
    `Max-Age=${token === null ? 0 : maxAgeSeconds}`,
  ];
  if (!isLocalHttp(url)) attributes.push("Secure");
  return attributes.join("; ");
}

/** The session cookie's value, or undefined when the request has none. */
export function readSessionCookie(request: Request): string | undefined {
  const name = sessionCookieName(new URL(request.url));
  for (const part of (request.headers.get("cookie") ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Same-origin proof for a state-changing request (see the module comment); safe methods pass. */
export function assertSameOrigin(request: Request): void {
  if (SAFE_METHODS.has(request.method)) return;
  const site = request.headers.get("sec-fetch-site");
  if (site !== null) {
    if (site !== "same-origin") throw errors.crossSiteRequest();
    return;
  }
  const origin = request.headers.get("origin");
  if (origin === null || origin !== new URL(request.url).origin) throw errors.crossSiteRequest();
}

/** The request's dashboard session, or undefined (no cookie, bad signature, expired, key removed, signed out). */
export async function currentSession(request: Request, ctx: AppContext): Promise<DashboardSession | undefined> {
  const token = readSessionCookie(request);
  if (!token) return undefined;
  return authenticateSession(ctx, token);
}

/**
 * Authentication for every /v1 route. A request with an Authorization header is a Bearer-key
 * client, checked exactly as before (the cookie is then ignored). Without one, the dashboard's
 * session cookie is accepted if valid and, for a state-changing method, same-origin.
 */
export async function authenticateApiRequest(request: Request, ctx: AppContext): Promise<void> {
  const header = request.headers.get("authorization");
  if (header === null && readSessionCookie(request) !== undefined) {
    if (!(await currentSession(request, ctx))) throw errors.dashboardSessionInvalid();
    assertSameOrigin(request);
    return;
  }
  const match = /^Bearer ([^\s]+)$/.exec((header ?? "").trim());
  if (!match) throw errors.authorizationHeaderInvalid();
  if (matchSecretKey(ctx.config.secretKeys, match[1]) === undefined) throw errors.secretKeyInvalid();
}
