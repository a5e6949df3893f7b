/**
 * POST /v1/users/import emits one user.created per created user, written in the same D1 batch as
 * that user's rows: in the import's multi-user write batches and in the per-user batches it falls
 * back to when a concurrent request takes something between its read and its write.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { call, unique } from "../helpers";
import { failure, importUsers, shortUserId } from "../import-helpers";
import { type TestEndpoint, receiverEndpoint, received, verifiedEvent, waitForDeliveries } from "./support";

/** The deliveries D1 holds for `endpoint` (written in the write's own batch, so exact right after the response). */
async function deliveryRows(endpoint: TestEndpoint): Promise<number> {
  const row = await env.DB.prepare("select count(*) as n from webhook_deliveries where endpoint_id = ?").bind(endpoint.id).first<{ n: number }>();
  return row?.n ?? -1;
}

/** Waits for `ids.length` deliveries and checks each: signed, valid, user.created with data equal to GET /v1/users/{id}. */
async function expectCreatedEvents(endpoint: TestEndpoint, ids: string[]): Promise<void> {
  const deliveries = await waitForDeliveries(endpoint, ids.length);
  const events = await Promise.all(deliveries.map((d) => verifiedEvent(endpoint, d)));
  expect(events.map((e) => e.type)).toEqual(ids.map(() => "user.created"));
  expect(events.map((e) => e.data.id).sort()).toEqual([...ids].sort());
  for (const event of events) {
    const user = await call("GET", `/v1/users/${event.data.id}`, undefined, { schema: "User" });
    expect(event.data).toEqual(user.body);
  }
}

describe("bulk import emits user.created", () => {
  it("one per created user of a write batch; none for a user that exists or fails", async () => {
    const existing = { id: shortUserId("there"), email_address: [`${unique("there")}@example.com`] };
    expect((await importUsers([existing])).map((r) => r.status)).toEqual(["created"]);
    // Subscribed after `existing` was created: it sees only the import below.
    const endpoint = await receiverEndpoint("ok", { events: ["user.created"] });
    const created = [
      { id: shortUserId("new"), email_address: [`${unique("new")}@example.com`], first_name: "Ada", public_metadata: { n: 1 } },
      { id: shortUserId("new"), phone_number: ["+15550001234"], password: "correct horse battery" },
    ];
    const results = await importUsers([
      { ...existing, first_name: "changed?" },
      { id: shortUserId("fails"), email_address: existing.email_address },
      ...created,
    ]);
    expect(results.map((r) => r.status)).toEqual(["exists", "failed", "created", "created"]);
    expect(failure(results[1])).toEqual({ code: "form_identifier_exists", param: "email_address" });
    // One write batch held both created users: one event (and delivery) each, no more.
    expect(await deliveryRows(endpoint)).toBe(2);
    await expectCreatedEvents(
      endpoint,
      created.map((u) => u.id),
    );
    expect(await received(endpoint)).toHaveLength(2);
  });

  it("one per user written by the per-user fallback, none for the one that failed there", async () => {
    const endpoint = await receiverEndpoint("ok", { events: ["user.created"] });
    const victims = [
      { id: shortUserId("race"), email_address: [`${unique("race0")}@example.com`] },
      { id: shortUserId("race"), email_address: [`${unique("race1")}@example.com`] },
    ];
    const other = { id: shortUserId("other"), email_address: victims[0].email_address };
    // Between the import's read (its first D1 batch) and its first write batch, another request
    // imports a user with victim 0's email: the write batch fails whole, then each victim is
    // written in a batch of its own.
    let batches = 0;
    const db = new Proxy(env.DB, {
      get(target, property) {
        if (property === "batch") {
          return async (statements: D1PreparedStatement[]) => {
            batches += 1;
            if (batches === 2) expect((await importUsers([other])).map((r) => r.status)).toEqual(["created"]);
            return target.batch(statements);
          };
        }
        const value = Reflect.get(target, property, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const results = await importUsers(victims, { bindings: { DB: db } });
    // The read, the failed write batch, one batch per victim.
    expect(batches).toBe(4);
    expect(failure(results[0])).toEqual({ code: "form_identifier_exists", param: "email_address" });
    expect(results[1]).toEqual({ index: 1, id: victims[1].id, status: "created" });
    // The other request's user and victim 1, each from its own batch; nothing of victim 0.
    expect(await deliveryRows(endpoint)).toBe(2);
    await expectCreatedEvents(endpoint, [other.id, victims[1].id]);
  });
});
