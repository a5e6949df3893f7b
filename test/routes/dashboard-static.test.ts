/**
 * The dashboard's files through Workers Static Assets with the Worker first (wrangler.toml
 * [assets]): index.html for every app route (deep links), hashed assets with a year's cache, and
 * the security headers on every /dashboard response, errors included.
 */
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { BASE } from "../helpers";

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

function expectSecurityHeaders(response: Response) {
  expect(response.headers.get("content-security-policy")).toBe(CSP);
  expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  expect(response.headers.get("referrer-policy")).toBe("no-referrer");
  expect(response.headers.get("x-frame-options")).toBe("DENY");
}

async function get(path: string, headers: Record<string, string> = {}) {
  const response = await SELF.fetch(`${BASE}${path}`, { headers });
  return { response, text: await response.text() };
}

describe("dashboard static files", () => {
  it.each([
    "/dashboard",
    "/dashboard/",
    "/dashboard/users/user_2abc",
    "/dashboard/users/new",
    "/dashboard/organizations",
    "/dashboard/organizations/org_1",
    "/dashboard/webhooks",
    "/dashboard/webhooks/ep_1",
    "/dashboard/users/user_2abc/",
  ])("%s → 200 index.html, no-cache, with the security headers", async (path) => {
    const { response, text } = await get(path);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    expect(response.headers.get("cache-control")).toBe("no-cache");
    expectSecurityHeaders(response);
    expect(text).toContain('<div id="app"></div>');
  });

  it("index.html has no inline script or style, and loads one hashed script and stylesheet from /dashboard/assets/", async () => {
    const { text } = await get("/dashboard/");
    const scripts = [...text.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)];
    expect(scripts).toHaveLength(1);
    expect(scripts[0][1].trim()).toBe("");
    expect(scripts[0][0]).toMatch(/src="\/dashboard\/assets\/main-[A-Z0-9]+\.js"/);
    expect(text).not.toMatch(/<style\b|\sstyle=|\son[a-z]+=/i);
    expect(text).toMatch(/<link rel="stylesheet" href="\/dashboard\/assets\/main-[A-Z0-9]+\.css">/);
  });

  it("the hashed script and stylesheet → 200, cached for a year (immutable), with the security headers", async () => {
    const { text } = await get("/dashboard/");
    const paths = [...text.matchAll(/(?:src|href)="(\/dashboard\/assets\/[^"]+)"/g)].map((m) => m[1]);
    expect(paths).toHaveLength(2);
    for (const path of paths) {
      const { response, text: body } = await get(path);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(path.endsWith(".js") ? /javascript/ : /^text\/css/);
      expect(response.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
      expectSecurityHeaders(response);
      expect(body.length).toBeGreaterThan(100);
    }
  });

  it("an unknown dashboard path → 404 (the app's page, so it can say so), still with the headers; a missing asset → 404 JSON", async () => {
    const unknown = await get("/dashboard/nope/deeper/still");
    expect(unknown.response.status).toBe(404);
    expectSecurityHeaders(unknown.response);
    expect(unknown.text).toContain('<div id="app"></div>');
    const asset = await get("/dashboard/assets/missing-0000.js");
    expect(asset.response.status).toBe(404);
    expect(asset.response.headers.get("content-type")).toBe("application/json");
    expectSecurityHeaders(asset.response);
  });

  it("HEAD answers like GET without a body: the page, deep links, an unknown path, an asset, a missing asset and the session route", async () => {
    const { text } = await get("/dashboard/");
    const script = (/src="(\/dashboard\/assets\/[^"]+\.js)"/.exec(text) as RegExpExecArray)[1];
    for (const path of [
      "/dashboard",
      "/dashboard/",
      "/dashboard/users/user_2abc",
      "/dashboard/nope/deeper/still",
      script,
      "/dashboard/assets/missing-0000.js",
      "/dashboard/session",
    ]) {
      const getResponse = (await get(path)).response;
      const head = await SELF.fetch(`${BASE}${path}`, { method: "HEAD" });
      expect(head.status, path).toBe(getResponse.status);
      for (const name of ["content-type", "cache-control", "content-security-policy", "x-frame-options"]) {
        expect(head.headers.get(name), `${path} ${name}`).toBe(getResponse.headers.get(name));
      }
      expect(await head.text(), path).toBe("");
    }
    expect((await SELF.fetch(`${BASE}/dashboard`, { method: "HEAD" })).status).toBe(200);
    expect((await SELF.fetch(`${BASE}/dashboard/session`, { method: "HEAD" })).status).toBe(401);
  });

  it("the session API's answers carry the headers too; /v1 answers do not need them", async () => {
    const session = await get("/dashboard/session");
    expect(session.response.status).toBe(401);
    expectSecurityHeaders(session.response);
    const api = await get("/v1/users/count");
    expect(api.response.headers.get("content-security-policy")).toBeNull();
  });
});
