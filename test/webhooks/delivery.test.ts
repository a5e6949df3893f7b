import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { WEBHOOK_EVENT_TYPES } from "../../workers/webhooks/event-types";
import { WEBHOOK_EVENT_TYPES as VALIDATED_TYPES } from "../schema/build-validators.mjs";
import { call, createUser, unique } from "../helpers";
import { receiverEndpoint, received, verifiedEvent, waitForDeliveries } from "./support";

describe("webhook delivery through the local queue", () => {
  it("validates every emitted type against Clerk's webhook spec", () => {
    expect(VALIDATED_TYPES).toEqual([...WEBHOOK_EVENT_TYPES]);
  });

  it("delivers user.created with Clerk's envelope, signed, data equal to the API's answer", async () => {
    const endpoint = await receiverEndpoint();
    const created = await call(
      "POST",
      "/v1/users",
      { email_address: [`${unique("a")}@example.com`], first_name: "Ada", password: "correct horse battery" },
      { headers: { "User-Agent": "sync-test/1.0", "CF-Connecting-IP": "203.0.113.9" } },
    );
    expect(created.status).toBe(200);
    const [delivery] = await waitForDeliveries(endpoint, 1);
    expect(delivery, "a delivery arrived").toBeDefined();
    const event = await verifiedEvent(endpoint, delivery);
    // The time the write was committed (after its password was hashed), in epoch ms.
    expect(event.timestamp).toBeGreaterThanOrEqual(created.body.updated_at);
    expect(event.timestamp).toBeLessThanOrEqual(Date.now());
    expect(event).toEqual({
      data: created.body,
      object: "event",
      type: "user.created",
      timestamp: event.timestamp,
      instance_id: "ins_test_instance",
      event_attributes: { http_request: { client_ip: "203.0.113.9", user_agent: "sync-test/1.0" } },
    });
    expect(delivery.headers["svix-id"]).toMatch(/^msg_[0-9A-Za-z]{27}$/);
    expect(delivery.headers["content-type"]).toBe("application/json");
    const row = await env.DB.prepare("select status, attempts, response_status from webhook_deliveries where endpoint_id = ?")
      .bind(endpoint.id)
      .first();
    expect(row).toEqual({ status: "succeeded", attempts: 1, response_status: 204 });
  });

  it("never copies a password digest, TOTP secret or backup-code salt into the outbox", async () => {
    const endpoint = await receiverEndpoint();
    const user = await createUser({ password: "correct horse battery", totp_secret: "JBSWY3DPEHPK3PXP", backup_codes: ["code-one-1"] });
    const stored = await env.DB.prepare("select password_digest, totp_secret_encrypted, backup_code_salt from users where id = ?")
      .bind(user.id)
      .first<Record<string, string>>();
    const outbox = await env.DB.prepare("select snapshot from webhook_events where snapshot like ?")
      .bind(`%${user.id}%`)
      .first<{ snapshot: string }>();
    expect(outbox).not.toBeNull();
    for (const value of Object.values(stored ?? {})) expect(outbox?.snapshot).not.toContain(value);
    const [delivery] = await waitForDeliveries(endpoint, 1);
    const event = await verifiedEvent(endpoint, delivery);
    expect(event.data).toMatchObject({ id: user.id, password_enabled: true, totp_enabled: true, backup_code_enabled: true });
  });

  it("emits user.updated for update, metadata, ban, lock and user.deleted for delete, each data as the route answered", async () => {
    const endpoint = await receiverEndpoint("ok", { events: ["user.updated", "user.deleted"] });
    const user = await createUser({ first_name: "Grace" });
    const answers: any[] = [];
    answers.push((await call("PATCH", `/v1/users/${user.id}`, { last_name: "Hopper" })).body);
    answers.push((await call("PATCH", `/v1/users/${user.id}/metadata`, { public_metadata: { a: 1 } })).body);
    answers.push((await call("POST", `/v1/users/${user.id}/ban`)).body);
    answers.push((await call("POST", `/v1/users/${user.id}/lock`)).body);
    expect((await call("DELETE", `/v1/users/${user.id}`)).status).toBe(200);
    const deliveries = await waitForDeliveries(endpoint, 5);
    const events = await Promise.all(deliveries.map((d) => verifiedEvent(endpoint, d)));
    // Deliveries may arrive in any order; each event's svix-id is its own.
    const byTimestampThenType = events.sort((a, b) => a.timestamp - b.timestamp || (a.type === "user.deleted" ? 1 : -1));
    expect(byTimestampThenType.map((e) => e.type)).toEqual(["user.updated", "user.updated", "user.updated", "user.updated", "user.deleted"]);
    for (const answer of answers) expect(events.map((e) => e.data)).toContainEqual(answer);
    expect(events.find((e) => e.type === "user.deleted").data).toEqual({ deleted: true, id: user.id, object: "user" });
    expect(new Set(deliveries.map((d) => d.headers["svix-id"])).size).toBe(5);
  });

  it("writes no event for a refused or failed write, nor for an endpoint that does not subscribe or is disabled", async () => {
    const all = await receiverEndpoint();
    const onlyCreated = await receiverEndpoint("ok", { events: ["user.created"] });
    const disabled = await receiverEndpoint("ok", { disabled: true });
    const user = await createUser();
    const before = (await env.DB.prepare("select count(*) as n from webhook_events").first<{ n: number }>())?.n;
    // Over the metadata limit (refused by the UPDATE's own condition), a taken username, an unknown user, a bulk ban naming an unknown user.
    expect((await call("PATCH", `/v1/users/${user.id}/metadata`, { public_metadata: { big: "x".repeat(9000) } })).status).toBe(422);
    const other = await createUser({ username: unique("taken").toLowerCase() });
    expect((await call("PATCH", `/v1/users/${user.id}`, { username: other.username })).status).toBe(422);
    expect((await call("POST", "/v1/users/user_missing/ban")).status).toBe(404);
    expect((await call("POST", "/v1/users/ban", { user_ids: [user.id, "user_missing"] })).status).toBe(400);
    expect((await call("DELETE", "/v1/users/user_missing")).status).toBe(404);
    const after = (await env.DB.prepare("select count(*) as n from webhook_events").first<{ n: number }>())?.n;
    // Only `other`'s user.created was written.
    expect(after).toBe((before ?? 0) + 1);
    await waitForDeliveries(all, 2);
    expect((await received(all)).length).toBe(2);
    expect((await received(onlyCreated)).length).toBe(2);
    expect(await received(disabled)).toEqual([]);
  });

  it("bulk ban emits one user.updated per user", async () => {
    const endpoint = await receiverEndpoint("ok", { events: ["user.updated"] });
    const users = [await createUser(), await createUser(), await createUser()];
    const answer = await call("POST", "/v1/users/ban", { user_ids: users.map((u) => u.id) });
    expect(answer.status).toBe(200);
    const deliveries = await waitForDeliveries(endpoint, 3);
    const events = await Promise.all(deliveries.map((d) => verifiedEvent(endpoint, d)));
    expect(events.map((e) => e.data.id).sort()).toEqual(users.map((u) => u.id).sort());
    expect(events.every((e) => e.data.banned === true)).toBe(true);
  });
});
