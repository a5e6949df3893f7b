/**
 * Sign-out ends the session on the server (issue 17 "Sign out ends it"; README, Dashboard,
 * Security model): DELETE /dashboard/session records the token's nonce in
 * dashboard_revoked_sessions, and every cookie request refuses it like an expired token, while a
 * Bearer-key request makes no extra D1 call. Expired records are removed, a bounded number per
 * sign-out.
 */
import { env } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createDb } from "../../workers/db/client";
import { deleteExpiredRevocationsQuery, EXPIRED_REVOCATIONS_PER_SIGN_OUT } from "../../workers/db/dashboard-sessions";
import { SESSION_TTL_MS } from "../../workers/services/dashboard-session";
import { queryPlan } from "../db";
import { call, expectError, unique } from "../helpers";
import { dbTiming } from "../perf-helpers";
import { COOKIE_NAME, callWithCookie, signIn } from "./dashboard-helpers";

const T0 = Date.UTC(2032, 2, 1, 9);
const SAME_ORIGIN = { "Sec-Fetch-Site": "same-origin" };

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(T0);
});
afterEach(() => {
  vi.useRealTimers();
});

const signOut = (cookie: string, headers: Record<string, string> = SAME_ORIGIN) =>
  callWithCookie("DELETE", "/dashboard/session", cookie, { headers });
const listUsers = (cookie: string) => callWithCookie("GET", "/v1/users?limit=1", cookie, { headers: SAME_ORIGIN, schema: ["User"] });
const getSession = (cookie: string) => callWithCookie("GET", "/dashboard/session", cookie, { headers: SAME_ORIGIN });
const countUsers = (cookie: string) => callWithCookie("GET", "/v1/users/count", cookie, { headers: SAME_ORIGIN, schema: "TotalCount" });

/** The nonce of a `name=token` cookie pair (the token's fourth part). */
const nonceOf = (cookie: string) => cookie.split("=")[1].split(".")[3];

async function revocationRows(): Promise<{ nonce: string; expires_at: number }[]> {
  const rows = await env.DB.prepare("SELECT nonce, expires_at FROM dashboard_revoked_sessions ORDER BY expires_at, nonce").all<{
    nonce: string;
    expires_at: number;
  }>();
  return rows.results;
}

function expectSignedOut(result: Awaited<ReturnType<typeof signOut>>) {
  expect(result.status).toBe(204);
  expect(result.headers.get("set-cookie")).toMatch(new RegExp(`^${COOKIE_NAME}=; .*Max-Age=0`));
}

describe("DELETE /dashboard/session revokes the session server-side", () => {
  it("a copied cookie is refused after sign-out on /v1 and GET /dashboard/session; a session signed in before keeps working; a fresh sign-in works", async () => {
    const other = await signIn();
    const cookie = await signIn();
    expect((await listUsers(cookie)).status).toBe(200);
    expect((await getSession(cookie)).status).toBe(200);

    // A cross-site sign-out is refused by the same-origin check and revokes nothing.
    expectError(await signOut(cookie, { "Sec-Fetch-Site": "cross-site" }), 403, "authorization_invalid");
    expect((await listUsers(cookie)).status).toBe(200);

    expectSignedOut(await signOut(cookie));
    // The copied cookie value, sent again as a browser that kept it would.
    expectError(await listUsers(cookie), 401, "authentication_invalid");
    expectError(await countUsers(cookie), 401, "authentication_invalid");
    expectError(await getSession(cookie), 401, "authentication_invalid");
    const create = await callWithCookie("POST", "/v1/users", cookie, { headers: SAME_ORIGIN, body: { username: unique("revoked") } });
    expectError(create, 401, "authentication_invalid");

    expect((await listUsers(other)).status).toBe(200);
    expect((await getSession(other)).body).toEqual({ object: "dashboard_session", expires_at: T0 + SESSION_TTL_MS });

    const fresh = await signIn();
    expect((await listUsers(fresh)).status).toBe(200);
    expect((await getSession(fresh)).status).toBe(200);
    // Still refused later in its lifetime, up to its expiry.
    vi.setSystemTime(T0 + SESSION_TTL_MS - 1);
    expectError(await listUsers(cookie), 401, "authentication_invalid");
    expect((await listUsers(other)).status).toBe(200);
  });

  it("only cookie requests pay the revocation lookup: a Bearer request makes no D1 call before routing, a cookie request exactly one, a forged cookie none", async () => {
    const cookie = await signIn();
    // An unknown /v1 route: authentication runs, then the 404 reads nothing.
    const bearer = await call("GET", "/v1/no_such_route");
    expectError(bearer, 404, "resource_not_found");
    expect(dbTiming(bearer).queries).toBe(0);
    const withCookie = await callWithCookie("GET", "/v1/no_such_route", cookie, { headers: SAME_ORIGIN });
    expectError(withCookie, 404, "resource_not_found");
    expect(dbTiming(withCookie).queries).toBe(1);
    // A Bearer key with a cookie beside it is checked as before: the cookie costs nothing.
    const both = await callWithCookie("GET", "/v1/no_such_route", cookie, { headers: { ...SAME_ORIGIN, Authorization: "Bearer sk_test_primary" } });
    expect(both.status).toBe(404);
    expect(dbTiming(both).queries).toBe(0);

    const bearerCount = await call("GET", "/v1/users/count", undefined, { schema: "TotalCount" });
    const cookieCount = await countUsers(cookie);
    expect(cookieCount.status).toBe(200);
    expect(dbTiming(cookieCount).queries).toBe(dbTiming(bearerCount).queries + 1);
    expect((await getSession(cookie)).status).toBe(200);
    expect(dbTiming(await getSession(cookie)).queries).toBe(1);

    const [name, token] = cookie.split("=");
    const parts = token.split(".");
    // A signature character in the middle changed (the last one carries unused bits).
    const sig = parts[4];
    const forged = `${name}=${[...parts.slice(0, 4), `${sig.slice(0, 10)}${sig[10] === "A" ? "B" : "A"}${sig.slice(11)}`].join(".")}`;
    const refused = await callWithCookie("GET", "/v1/users/count", forged, { headers: SAME_ORIGIN });
    expectError(refused, 401, "authentication_invalid");
    expect(dbTiming(refused).queries).toBe(0);
    // After sign-out the lookup is what refuses it: one query, no rows written.
    expectSignedOut(await signOut(cookie));
    const revoked = await countUsers(cookie);
    expectError(revoked, 401, "authentication_invalid");
    expect(dbTiming(revoked)).toMatchObject({ queries: 1, rowsWritten: 0 });
  });

  it("sign-out is idempotent: an already signed-out, forged, expired or missing cookie → 204 with the cookie cleared, never a 500, and one row per session", async () => {
    const cookie = await signIn();
    expectSignedOut(await signOut(cookie));
    expectSignedOut(await signOut(cookie));
    const [again, alsoAgain] = await Promise.all([signOut(cookie), signOut(cookie)]);
    expectSignedOut(again);
    expectSignedOut(alsoAgain);
    expectError(await listUsers(cookie), 401, "authentication_invalid");
    expect((await revocationRows()).filter((row) => row.nonce === nonceOf(cookie))).toEqual([
      { nonce: nonceOf(cookie), expires_at: T0 + SESSION_TTL_MS },
    ]);

    const before = (await revocationRows()).length;
    const [name, token] = (await signIn()).split("=");
    const parts = token.split(".");
    for (const bad of [`${name}=${[...parts.slice(0, 3), `${parts[3]}x`, parts[4]].join(".")}`, `${name}=garbage`, `${name}=`]) {
      const result = await signOut(bad);
      expectSignedOut(result);
      expect(dbTiming(result)).toMatchObject({ queries: 0, rowsWritten: 0 });
    }
    expectSignedOut(await call("DELETE", "/dashboard/session", undefined, { noAuth: true, headers: SAME_ORIGIN }));
    // An expired session is refused by its signature check already: nothing to record.
    const expiring = await signIn();
    vi.setSystemTime(T0 + SESSION_TTL_MS);
    const late = await signOut(expiring);
    expectSignedOut(late);
    expect(dbTiming(late).queries).toBe(0);
    expect(await revocationRows()).toHaveLength(before);
  });
});

describe("revocation records are kept until the token's expiry, then removed by later sign-outs", () => {
  it("a sign-out deletes at most 100 expired rows in its batch, keeps unexpired ones, and the table shrinks to the live revocations", async () => {
    await env.DB.exec("DELETE FROM dashboard_revoked_sessions");
    const first = await signIn();
    expectSignedOut(await signOut(first));
    expect(await revocationRows()).toEqual([{ nonce: nonceOf(first), expires_at: T0 + SESSION_TTL_MS }]);

    // A backlog of 250 rows expired by T0 + 8 h (as if their sign-outs were never followed by
    // another one), and 5 whose tokens are still live then.
    const expired = Array.from({ length: 250 }, (_, i) => ({ nonce: `expired-${i}`, expires_at: T0 + i * 1000 }));
    const live = Array.from({ length: 5 }, (_, i) => ({ nonce: `live-${i}`, expires_at: T0 + SESSION_TTL_MS + 60_000 + i }));
    await env.DB.prepare(
      "INSERT INTO dashboard_revoked_sessions (nonce, expires_at) SELECT value ->> 'nonce', value ->> 'expires_at' FROM json_each(?)",
    )
      .bind(JSON.stringify([...expired, ...live]))
      .run();

    // Early on only the 100 backlog rows already past their expiry go; the first session's
    // row and the rest of the backlog stay until theirs.
    vi.setSystemTime(T0 + 99_500);
    const early = await signIn();
    expectSignedOut(await signOut(early));
    let rows = await revocationRows();
    expect(rows.some((row) => row.nonce === nonceOf(first))).toBe(true);
    expect(rows.filter((row) => row.nonce.startsWith("expired-"))).toHaveLength(150);
    expectError(await listUsers(first), 401, "authentication_invalid");

    vi.setSystemTime(T0 + SESSION_TTL_MS);
    const cookies = [early];
    const expiredLeft: number[] = [];
    const totals: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      const cookie = await signIn();
      const result = await signOut(cookie);
      expectSignedOut(result);
      cookies.push(cookie);
      rows = await revocationRows();
      expiredLeft.push(rows.filter((row) => row.expires_at <= T0 + SESSION_TTL_MS).length);
      totals.push(rows.length);
    }
    // 150 from the backlog and the first session's row (expired now): 151 → 51 → 0 → 0, while
    // the live rows (5 seeded, the early sign-out, one per sign-out here) stay.
    expect(expiredLeft).toEqual([51, 0, 0]);
    expect(totals).toEqual([51 + 5 + 1 + 1, 5 + 1 + 2, 5 + 1 + 3]);
    rows = await revocationRows();
    expect(rows.map((row) => row.nonce).sort()).toEqual([...live.map((row) => row.nonce), ...cookies.map(nonceOf)].sort());
    // The sessions signed out at T0 + 8 h are still refused.
    for (const cookie of cookies.slice(1)) expectError(await listUsers(cookie), 401, "authentication_invalid");
    expect(EXPIRED_REVOCATIONS_PER_SIGN_OUT).toBe(100);
  });

  it("the cleanup finds expired rows through the expires_at index and deletes them by primary key, scanning nothing (EXPLAIN QUERY PLAN)", async () => {
    const db = createDb(env.DB);
    const cleanup = (await queryPlan(deleteExpiredRevocationsQuery(db, T0))).join("\n");
    expect(cleanup).toMatch(/SEARCH dashboard_revoked_sessions USING (COVERING )?INDEX dashboard_revoked_sessions_expires_at_idx \(expires_at<\?\)/);
    expect(cleanup).toMatch(/SEARCH dashboard_revoked_sessions USING (COVERING )?INDEX sqlite_autoindex_dashboard_revoked_sessions_1 \(nonce=\?\)/);
    expect(cleanup).not.toMatch(/SCAN dashboard_revoked_sessions/);
  });
});

describe("a sign-out racing requests with the same cookie", () => {
  it("20 concurrent requests never 500; every request sent after the sign-out answered is 401 (4 rounds)", async () => {
    for (let round = 0; round < 4; round += 1) {
      const cookie = await signIn();
      const racing = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? countUsers(cookie) : getSession(cookie)));
      const result = await signOut(cookie);
      // Sent once the sign-out has answered, while the racing ones may still be in flight.
      const after = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? countUsers(cookie) : listUsers(cookie)));
      expectSignedOut(result);
      for (const response of await Promise.all(racing)) expect([200, 401]).toContain(response.status);
      for (const response of await Promise.all(after)) expectError(response, 401, "authentication_invalid");
      expectError(await getSession(cookie), 401, "authentication_invalid");
    }
  });
});
