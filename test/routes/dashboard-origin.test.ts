/**
 * Cookie-authenticated requests must come from the dashboard's own origin (README, Dashboard,
 * Security model): a state-changing request needs `Sec-Fetch-Site: same-origin`, or, when the
 * browser sent no Fetch Metadata, an `Origin` equal to the request's origin. Otherwise 403
 * authorization_invalid, and nothing changes.
 */
import { describe, expect, it } from "vitest";
import { BASE, call, createUser, expectError, SECRET_KEY, unique } from "../helpers";
import { callWithCookie, signIn } from "./dashboard-helpers";

async function isBanned(id: string): Promise<boolean> {
  return (await call("GET", `/v1/users/${id}`, undefined, { schema: "User" })).body.banned;
}

const REFUSED: [string, Record<string, string>][] = [
  ["Sec-Fetch-Site: cross-site", { "Sec-Fetch-Site": "cross-site" }],
  ["Sec-Fetch-Site: same-site (a sibling subdomain)", { "Sec-Fetch-Site": "same-site" }],
  ["Sec-Fetch-Site: none (typed into the address bar)", { "Sec-Fetch-Site": "none" }],
  ["Sec-Fetch-Site: cross-site even with a matching Origin", { "Sec-Fetch-Site": "cross-site", Origin: BASE }],
  ["no Fetch Metadata and a foreign Origin", { Origin: "https://evil.example" }],
  ["no Fetch Metadata and Origin: null", { Origin: "null" }],
  ["no Fetch Metadata and an Origin differing only in scheme", { Origin: BASE.replace("https:", "http:") }],
  ["no Fetch Metadata and an Origin differing only in port", { Origin: `${BASE}:8443` }],
  ["neither header", {}],
];

describe("state-changing /v1 requests with the session cookie", () => {
  it.each(REFUSED)("%s → 403 authorization_invalid and the user is not banned", async (_name, headers) => {
    const cookie = await signIn();
    const user = await createUser({ username: unique("csrf") });
    const result = await callWithCookie("POST", `/v1/users/${user.id}/ban`, cookie, { headers });
    const error = expectError(result, 403, "authorization_invalid");
    expect(error.message).toBe("Unauthorized request");
    expect(error.long_message).toBe("Requests authenticated by the dashboard session cookie must come from the dashboard's own origin.");
    expect(result.headers.get("access-control-allow-origin")).toBeNull();
    expect(await isBanned(user.id)).toBe(false);
  });

  it.each([
    ["Sec-Fetch-Site: same-origin", { "Sec-Fetch-Site": "same-origin" }],
    ["no Fetch Metadata and Origin equal to the request's origin", { Origin: BASE }],
  ])("%s → the ban happens", async (_name, headers) => {
    const cookie = await signIn();
    const user = await createUser({ username: unique("sameorigin") });
    const result = await callWithCookie("POST", `/v1/users/${user.id}/ban`, cookie, { headers, schema: "User" });
    expect(result.status).toBe(200);
    expect(await isBanned(user.id)).toBe(true);
  });

  it("PATCH and DELETE are checked too; GET needs no origin proof", async () => {
    const cookie = await signIn();
    const user = await createUser({ username: unique("methods") });
    const cross = { "Sec-Fetch-Site": "cross-site" };
    expectError(
      await callWithCookie("PATCH", `/v1/users/${user.id}`, cookie, { body: { first_name: "Mallory" }, headers: cross }),
      403,
      "authorization_invalid",
    );
    expectError(
      await callWithCookie("PATCH", `/v1/users/${user.id}/metadata`, cookie, { body: { public_metadata: { a: 1 } }, headers: cross }),
      403,
      "authorization_invalid",
    );
    expectError(await callWithCookie("DELETE", `/v1/users/${user.id}`, cookie, { headers: cross }), 403, "authorization_invalid");
    const after = await call("GET", `/v1/users/${user.id}`, undefined, { schema: "User" });
    expect(after.body.first_name).toBeNull();
    expect(after.body.public_metadata).toEqual({});
    expect((await callWithCookie("GET", `/v1/users/${user.id}`, cookie, { schema: "User" })).status).toBe(200);
  });

  it("an invalid cookie is 401 before the origin is looked at (no hint that the origin was the problem)", async () => {
    const user = await createUser({ username: unique("badcookie") });
    const result = await callWithCookie("POST", `/v1/users/${user.id}/ban`, "__Host-dashboard_session=v1.x.1.y.z", {
      headers: { "Sec-Fetch-Site": "cross-site" },
    });
    expectError(result, 401, "authentication_invalid");
  });

  it("Bearer-key clients are unaffected: no Origin or Fetch Metadata needed", async () => {
    const user = await createUser({ username: unique("bearer") });
    const result = await call("POST", `/v1/users/${user.id}/ban`, undefined, { schema: "User", headers: { Origin: "https://elsewhere.example" } });
    expect(result.status).toBe(200);
    expect(result.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("/dashboard/session POST and DELETE", () => {
  it.each(REFUSED)("sign-in with %s → 403 and no cookie", async (_name, headers) => {
    const result = await call(
      "POST",
      "/dashboard/session",
      { secret_key: SECRET_KEY },
      { noAuth: true, headers: { "CF-Connecting-IP": "2001:db8:1::1", ...headers } },
    );
    expectError(result, 403, "authorization_invalid");
    expect(result.headers.get("set-cookie")).toBeNull();
  });

  it("sign-out from another site → 403 and the cookie is left alone", async () => {
    const cookie = await signIn();
    const result = await callWithCookie("DELETE", "/dashboard/session", cookie, { headers: { "Sec-Fetch-Site": "cross-site" } });
    expectError(result, 403, "authorization_invalid");
    expect(result.headers.get("set-cookie")).toBeNull();
  });

  it("same-origin sign-in by Origin alone (no Fetch Metadata) works", async () => {
    const result = await call(
      "POST",
      "/dashboard/session",
      { secret_key: SECRET_KEY },
      { noAuth: true, headers: { "CF-Connecting-IP": "2001:db8:1::2", Origin: BASE } },
    );
    expect(result.status, JSON.stringify(result.body)).toBe(200);
  });
});
