/**
 * Dashboard session helpers for the workerd route tests: sign in through POST /dashboard/session
 * the way the dashboard's page does, and call /v1 with the resulting cookie instead of a key.
 */
import { expect } from "vitest";
import { type ApiResult, type CallOptions, call, SECRET_KEY } from "../helpers";

/** The cookie name over https (api.test): the __Host- prefixed one. */
export const COOKIE_NAME = "__Host-dashboard_session";

let ipCounter = 0;
const ipPrefix = Math.floor(Math.random() * 0xffff).toString(16);
/** A client IP of its own (documentation range, RFC 3849), so one test's sign-in attempts never count against another's. */
export function freshIp(): string {
  ipCounter += 1;
  return `2001:db8:${ipPrefix}::${ipCounter.toString(16)}`;
}

/** POST /dashboard/session as the sign-in page sends it (same-origin fetch). */
export function postSession(body: unknown, options: { ip?: string; headers?: Record<string, string>; vars?: Record<string, string> } = {}) {
  return call("POST", "/dashboard/session", body, {
    noAuth: true,
    vars: options.vars,
    headers: { "Sec-Fetch-Site": "same-origin", "CF-Connecting-IP": options.ip ?? freshIp(), ...options.headers },
  });
}

/** The `name=value` pair of a Set-Cookie header. */
export function cookiePair(setCookie: string | null): string {
  expect(setCookie).not.toBeNull();
  return (setCookie as string).split(";")[0];
}

/** Signs in with `key` and returns the Cookie header value to send back. */
export async function signIn(key = SECRET_KEY, vars?: Record<string, string>): Promise<string> {
  const result = await postSession({ secret_key: key }, { vars });
  expect(result.status, JSON.stringify(result.body)).toBe(200);
  return cookiePair(result.headers.get("set-cookie"));
}

/** Calls /v1 (or any path) with the session cookie and no Authorization header. */
export function callWithCookie(
  method: string,
  path: string,
  cookie: string,
  options: { body?: unknown; headers?: Record<string, string>; vars?: Record<string, string>; schema?: CallOptions["schema"] } = {},
): Promise<ApiResult> {
  return call(method, path, options.body, {
    noAuth: true,
    vars: options.vars,
    schema: options.schema,
    headers: { Cookie: cookie, ...options.headers },
  });
}
