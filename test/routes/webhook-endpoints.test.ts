import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { call, expectError } from "../helpers";

async function createEndpoint(body: Record<string, unknown> = {}): Promise<any> {
  const result = await call("POST", "/v1/webhook_endpoints", { url: "https://receiver.test/hook", ...body });
  expect(result.status, JSON.stringify(result.body)).toBe(200);
  return result.body;
}

describe("webhook endpoints API", () => {
  it("creates an endpoint with a whsec_ secret, lists it without the secret, reads, updates and deletes it", async () => {
    const created = await createEndpoint({ events: ["user.updated", "user.created", "user.created"], description: "sync" });
    expect(created).toMatchObject({
      object: "webhook_endpoint",
      url: "https://receiver.test/hook",
      events: ["user.created", "user.updated"],
      description: "sync",
      disabled: false,
    });
    expect(created.id).toMatch(/^wep_[0-9A-Za-z]{27}$/);
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(created.created_at).toBe(created.updated_at);

    const list = await call("GET", "/v1/webhook_endpoints?limit=500");
    expect(list.status).toBe(200);
    const listed = list.body.data.find((e: any) => e.id === created.id);
    expect(listed).toEqual({ ...created, secret: undefined });
    expect(JSON.stringify(list.body)).not.toContain("whsec_");
    expect(list.body.total_count).toBeGreaterThanOrEqual(1);

    const got = await call("GET", `/v1/webhook_endpoints/${created.id}`);
    expect(got.body).not.toHaveProperty("secret");
    expect(got.body.url).toBe(created.url);

    const patched = await call("PATCH", `/v1/webhook_endpoints/${created.id}`, {
      url: "http://other.test/x",
      events: [],
      disabled: true,
      description: null,
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ url: "http://other.test/x", events: [], disabled: true, description: "" });

    const deleted = await call("DELETE", `/v1/webhook_endpoints/${created.id}`);
    expect(deleted.body).toEqual({ object: "webhook_endpoint", id: created.id, deleted: true });
    expectError(await call("GET", `/v1/webhook_endpoints/${created.id}`), 404, "resource_not_found");
    expectError(await call("DELETE", `/v1/webhook_endpoints/${created.id}`), 404, "resource_not_found");
  });

  it("refuses a non-http(s) url, a missing url, an unknown event type and unknown keys with Clerk's codes", async () => {
    expectError(await call("POST", "/v1/webhook_endpoints", { url: "ftp://receiver.test/hook" }), 422, "invalid_url_scheme", "url");
    expectError(await call("POST", "/v1/webhook_endpoints", { url: "javascript:alert(1)" }), 422, "invalid_url_scheme", "url");
    expectError(await call("POST", "/v1/webhook_endpoints", { url: "not a url" }), 422, "form_param_format_invalid", "url");
    expectError(await call("POST", "/v1/webhook_endpoints", {}), 422, "form_param_missing", "url");
    expectError(
      await call("POST", "/v1/webhook_endpoints", { url: "https://r.test", events: ["user.created", "user.exploded"] }),
      422,
      "form_param_value_invalid",
      "events",
    );
    expectError(await call("POST", "/v1/webhook_endpoints", { url: "https://r.test", secret: "whsec_x" }), 422, "form_param_unknown", "secret");
    const endpoint = await createEndpoint();
    expectError(await call("PATCH", `/v1/webhook_endpoints/${endpoint.id}`, { url: "mailto:a@b.c" }), 422, "invalid_url_scheme", "url");
    expectError(
      await call("PATCH", `/v1/webhook_endpoints/${endpoint.id}`, { events: ["session.created"] }),
      422,
      "form_param_value_invalid",
      "events",
    );
    expectError(await call("PATCH", "/v1/webhook_endpoints/wep_missing", { disabled: true }), 404, "resource_not_found");
    // Nothing of a refused request was applied.
    expect((await call("GET", `/v1/webhook_endpoints/${endpoint.id}`)).body).toEqual({ ...endpoint, secret: undefined });
  });

  it("serves the secret, stores it sealed, and rotation answers a new one", async () => {
    const endpoint = await createEndpoint();
    const secret = await call("GET", `/v1/webhook_endpoints/${endpoint.id}/secret`);
    expect(secret.body).toEqual({ key: endpoint.secret });
    const stored = await env.DB.prepare("select * from webhook_endpoints where id = ?").bind(endpoint.id).first();
    expect(JSON.stringify(stored)).not.toContain(endpoint.secret.slice("whsec_".length));

    const rotated = await call("POST", `/v1/webhook_endpoints/${endpoint.id}/rotate_secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.key).toMatch(/^whsec_/);
    expect(rotated.body.key).not.toBe(endpoint.secret);
    expect((await call("GET", `/v1/webhook_endpoints/${endpoint.id}/secret`)).body).toEqual({ key: rotated.body.key });
    expectError(await call("POST", "/v1/webhook_endpoints/wep_missing/rotate_secret"), 404, "resource_not_found");
    expectError(await call("GET", "/v1/webhook_endpoints/wep_missing/secret"), 404, "resource_not_found");
  });

  it("pages the list newest first with limit/offset and refuses an out-of-range limit", async () => {
    const a = await createEndpoint();
    const b = await createEndpoint();
    const page = await call("GET", "/v1/webhook_endpoints?limit=2");
    expect(page.body.data.map((e: any) => e.id)).toEqual([b.id, a.id]);
    const next = await call("GET", "/v1/webhook_endpoints?limit=1&offset=1");
    expect(next.body.data.map((e: any) => e.id)).toEqual([a.id]);
    expectError(await call("GET", "/v1/webhook_endpoints?limit=501"), 422, "form_param_value_invalid", "limit");
  });

  it("requires authentication like every route", async () => {
    expectError(await call("GET", "/v1/webhook_endpoints", undefined, { noAuth: true }), 401, "authorization_header_format_invalid");
  });
});
