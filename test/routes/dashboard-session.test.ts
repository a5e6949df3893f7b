/**
 * The dashboard session API (README, Dashboard): sign in with a secret key, the cookie it sets,
 * the token's expiry and key binding, sign out.
 */
import { env } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import worker from "../../workers/index";
import { SESSION_TTL_MS } from "../../workers/services/dashboard-session";
import { call, expectError, SECRET_KEY } from "../helpers";
import { COOKIE_NAME, callWithCookie, cookiePair, postSession, signIn } from "./dashboard-helpers";

const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

const ROTATED_KEY = "sk_test_rotated";
const T0 = Date.UTC(2031, 5, 1, 12);

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(T0);
});
afterEach(() => {
  vi.useRealTimers();
});

describe("POST /dashboard/session", () => {
  it("a configured key → 200 dashboard_session expiring in 8 h, and an HttpOnly; Secure; SameSite=Strict; Path=/ __Host- cookie", async () => {
    const result = await postSession({ secret_key: SECRET_KEY });
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ object: "dashboard_session", expires_at: T0 + SESSION_TTL_MS });
    expect(SESSION_TTL_MS).toBe(8 * 3600 * 1000);
    expect(result.headers.get("cache-control")).toBe("no-store");
    const setCookie = result.headers.get("set-cookie") as string;
    const attributes = setCookie.split(";").map((a) => a.trim());
    expect(attributes[0].startsWith(`${COOKIE_NAME}=`)).toBe(true);
    expect(attributes.slice(1).sort()).toEqual(["HttpOnly", "Max-Age=28800", "Path=/", "SameSite=Strict", "Secure"].sort());
  });

  it("the token never contains the key (nor its base64), and two sign-ins get different tokens", async () => {
    const a = (await signIn()).split("=")[1];
    const b = (await signIn()).split("=")[1];
    expect(a).not.toBe(b);
    for (const token of [a, b]) {
      expect(token).not.toContain(SECRET_KEY);
      expect(token).not.toContain(btoa(SECRET_KEY).replace(/=+$/, ""));
      expect(token).toMatch(/^v1\.[A-Za-z0-9_-]+\.\d+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    }
  });

  it("either configured key signs in (rotation)", async () => {
    const cookie = await signIn(ROTATED_KEY);
    expect((await callWithCookie("GET", "/v1/users/count", cookie, { schema: "TotalCount" })).status).toBe(200);
  });

  it("a wrong key → 401 clerk_key_invalid with a clear message and no cookie; the message never echoes the key", async () => {
    const result = await postSession({ secret_key: "sk_test_wrong_guess" });
    const error = expectError(result, 401, "clerk_key_invalid");
    expect(error.long_message).toBe("The provided Clerk Secret Key is invalid. Make sure that your Clerk Secret Key is correct.");
    expect(result.headers.get("set-cookie")).toBeNull();
    expect(JSON.stringify(result.body)).not.toContain("sk_test_wrong_guess");
    // A prefix of a real key is wrong too (no prefix match).
    expectError(await postSession({ secret_key: SECRET_KEY.slice(0, -1) }), 401, "clerk_key_invalid");
    expectError(await postSession({ secret_key: `${SECRET_KEY},${ROTATED_KEY}` }), 401, "clerk_key_invalid");
  });

  it("a missing, empty or non-string secret_key → 422 naming secret_key; malformed JSON → 400", async () => {
    expectError(await postSession({}), 422, "form_param_missing", "secret_key");
    expectError(await postSession({ secret_key: "" }), 422, "form_param_missing", "secret_key");
    expectError(await postSession({ secret_key: 42 }), 422, "form_param_type_invalid", "secret_key");
    const raw = await call("POST", "/dashboard/session", undefined, {
      noAuth: true,
      rawBody: "{nope",
      headers: { "Sec-Fetch-Site": "same-origin", "CF-Connecting-IP": "2001:db8:ffff::1" },
    });
    expectError(raw, 400, "request_body_invalid");
  });

  it("over local http (127.0.0.1 / localhost) the cookie drops Secure and the __Host- prefix; any other http host keeps Secure", async () => {
    for (const origin of ["http://127.0.0.1:8787", "http://localhost:8787"]) {
      const response = await worker.fetch(
        new Request(`${origin}/dashboard/session`, {
          method: "POST",
          headers: { "Content-Type": "application/json", "Sec-Fetch-Site": "same-origin" },
          body: JSON.stringify({ secret_key: SECRET_KEY }),
        }),
        env,
      );
      expect(response.status).toBe(200);
      const attributes = (response.headers.get("set-cookie") as string).split(";").map((a) => a.trim());
      expect(attributes[0].startsWith("dashboard_session=")).toBe(true);
      expect(attributes).not.toContain("Secure");
      expect(attributes).toContain("HttpOnly");
      expect(attributes).toContain("SameSite=Strict");
    }
    const other = await worker.fetch(
      new Request("http://dashboard.example/dashboard/session", {
        method: "POST",
        headers: { "Content-Type": "application/json", "Sec-Fetch-Site": "same-origin" },
        body: JSON.stringify({ secret_key: SECRET_KEY }),
      }),
      env,
    );
    expect(other.headers.get("set-cookie")).toContain("; Secure");
  });
});

describe("GET /dashboard/session and the cookie on /v1", () => {
  it("a fresh session: GET /dashboard/session → 200 with its expiry; /v1 reads work with the cookie alone", async () => {
    const cookie = await signIn();
    const session = await callWithCookie("GET", "/dashboard/session", cookie);
    expect(session.status).toBe(200);
    expect(session.body).toEqual({ object: "dashboard_session", expires_at: T0 + SESSION_TTL_MS });
    const count = await callWithCookie("GET", "/v1/users/count", cookie, { schema: "TotalCount" });
    expect(count.status).toBe(200);
    expect(count.headers.get("access-control-allow-origin")).toBeNull();
    expect(count.headers.get("access-control-allow-credentials")).toBeNull();
  });

  it("no cookie → 401 authentication_invalid", async () => {
    expectError(await call("GET", "/dashboard/session", undefined, { noAuth: true }), 401, "authentication_invalid");
  });

  it("expires after exactly 8 h: valid 1 ms before, 401 at the expiry, on both the session route and /v1", async () => {
    const cookie = await signIn();
    vi.setSystemTime(T0 + SESSION_TTL_MS - 1);
    expect((await callWithCookie("GET", "/dashboard/session", cookie)).status).toBe(200);
    expect((await callWithCookie("GET", "/v1/users/count", cookie, { schema: "TotalCount" })).status).toBe(200);
    vi.setSystemTime(T0 + SESSION_TTL_MS);
    expectError(await callWithCookie("GET", "/dashboard/session", cookie), 401, "authentication_invalid");
    expectError(await callWithCookie("GET", "/v1/users/count", cookie), 401, "authentication_invalid");
  });

  it("a tampered token (expiry pushed out, signature or key id changed, signature spelt non-canonically) → 401", async () => {
    const cookie = await signIn();
    const [name, token] = cookie.split("=");
    const [v, kid, exp, nonce, sig] = token.split(".");
    const variants = [
      [v, kid, String(Number(exp) + SESSION_TTL_MS), nonce, sig],
      [v, kid, exp, nonce, `${sig.slice(0, -2)}${sig.endsWith("AA") ? "BB" : "AA"}`],
      // The same signature bytes spelt another way: the last character's two unused bits set
      // (a 32-byte HMAC is 43 base64url characters, the last carrying 4 bits).
      [v, kid, exp, nonce, `${sig.slice(0, -1)}${BASE64URL[BASE64URL.indexOf(sig.at(-1) as string) | 3]}`],
      [v, `${kid.slice(0, -1)}${kid.endsWith("A") ? "B" : "A"}`, exp, nonce, sig],
      [v, kid, exp, `${nonce}x`, sig],
      ["v2", kid, exp, nonce, sig],
      [v, kid, exp, nonce],
    ];
    for (const parts of variants) {
      expectError(await callWithCookie("GET", "/v1/users/count", `${name}=${parts.join(".")}`), 401, "authentication_invalid");
    }
    expectError(await callWithCookie("GET", "/v1/users/count", `${name}=${SECRET_KEY}`), 401, "authentication_invalid");
  });

  it("removing a key from CLERK_SECRET_KEY ends the sessions made with it, and only those", async () => {
    const withRotated = await signIn(ROTATED_KEY);
    const withPrimary = await signIn(SECRET_KEY);
    const onlyPrimary = { CLERK_SECRET_KEY: SECRET_KEY };
    expectError(await callWithCookie("GET", "/v1/users/count", withRotated, { vars: onlyPrimary }), 401, "authentication_invalid");
    expectError(await callWithCookie("GET", "/dashboard/session", withRotated, { vars: onlyPrimary }), 401, "authentication_invalid");
    expect((await callWithCookie("GET", "/v1/users/count", withPrimary, { vars: onlyPrimary, schema: "TotalCount" })).status).toBe(200);
    // With the key back, the session verifies again (it was never revoked, only unverifiable).
    expect((await callWithCookie("GET", "/v1/users/count", withRotated, { schema: "TotalCount" })).status).toBe(200);
  });

  it("a cookie sent under the wrong name (the http one on https) is not a session", async () => {
    const cookie = await signIn();
    const token = cookie.split("=")[1];
    expectError(await callWithCookie("GET", "/v1/users/count", `dashboard_session=${token}`), 401, "authorization_header_format_invalid");
  });

  it("an Authorization header wins over the cookie: a wrong Bearer key with a valid cookie is still 401 clerk_key_invalid", async () => {
    const cookie = await signIn();
    const result = await callWithCookie("GET", "/v1/users/count", cookie, { headers: { Authorization: "Bearer sk_test_wrong" } });
    expectError(result, 401, "clerk_key_invalid");
  });
});

describe("DELETE /dashboard/session", () => {
  it("→ 204 and a Set-Cookie that deletes the cookie (same attributes, Max-Age=0)", async () => {
    const cookie = await signIn();
    const result = await callWithCookie("DELETE", "/dashboard/session", cookie, { headers: { "Sec-Fetch-Site": "same-origin" } });
    expect(result.status).toBe(204);
    const attributes = (result.headers.get("set-cookie") as string).split(";").map((a) => a.trim());
    expect(attributes[0]).toBe(`${COOKIE_NAME}=`);
    expect(attributes).toEqual(expect.arrayContaining(["Max-Age=0", "Path=/", "HttpOnly", "SameSite=Strict", "Secure"]));
    expect(cookiePair(result.headers.get("set-cookie"))).toBe(`${COOKIE_NAME}=`);
  });
});
