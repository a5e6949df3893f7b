import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createDb } from "../../workers/db/client";
import { endpointAttemptsCountSql, endpointAttemptsPageSql, recordAttempt } from "../../workers/db/webhook-deliveries";
import { attemptDelivery } from "../../workers/webhooks/delivery";
import { queryPlan } from "../db";
import { call, createUser, expectError } from "../helpers";
import { attemptsLog, receiverEndpoint, received, unsentDelivery, waitForDeliveries, type TestEndpoint } from "./support";

/** Polls the log until `done` holds (the queue delivers asynchronously), up to `timeoutMs`. */
async function logWhen(endpoint: TestEndpoint, done: (log: { data: any[] }) => boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const log = await attemptsLog(endpoint);
    if (done(log) || Date.now() > deadline) return log;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The Worker's env for one attempt run by the test: a retry an hour away, its queue message dropped. */
const hourRetryEnv = {
  ...env,
  WEBHOOK_RETRY_SCHEDULE_SECONDS: "3600",
  WEBHOOKS: { sendBatch: async () => {} } as unknown as Queue,
};

describe("the attempts log: one row per attempt", { timeout: 20_000 }, () => {
  it("a receiver answering 500, 500, 200 gives three rows, newest first, that page with limit/offset", async () => {
    const endpoint = await receiverEndpoint("fail2");
    await createUser();
    const log = await logWhen(endpoint, (l) => l.data[0]?.status === "succeeded");
    // What the receiver got: three requests of one message.
    const requests = await received(endpoint);
    const messageId = requests[0].headers["svix-id"];
    expect(requests.map((request) => request.headers["svix-id"])).toEqual([messageId, messageId, messageId]);
    const entry = (attempt: number, status: string, responseStatus: number, retry: boolean) => ({
      object: "webhook_attempt",
      message_id: messageId,
      event_type: "user.created",
      status,
      response_status: responseStatus,
      attempt,
      created_at: expect.any(Number),
      next_attempt_at: retry ? expect.any(Number) : null,
    });
    // The tests' schedule ("1,1") retries after each of the first two failures.
    expect(log).toEqual({
      data: [entry(3, "succeeded", 200, false), entry(2, "failed", 500, true), entry(1, "failed", 500, true)],
      total_count: 3,
    });
    const [third, second, first] = log.data;
    // Each row is dated when its request was sent (the svix-timestamp it was signed with)…
    expect([first, second, third].map((row) => Math.floor(row.created_at / 1000))).toEqual(
      requests.map((request) => Number(request.headers["svix-timestamp"])),
    );
    // …and each retry went out no earlier than the next_attempt_at of the attempt before it.
    expect(second.created_at).toBeGreaterThanOrEqual(first.next_attempt_at);
    expect(third.created_at).toBeGreaterThanOrEqual(second.next_attempt_at);
    expect(first.next_attempt_at).toBeGreaterThanOrEqual(first.created_at + 1000);

    expect(await attemptsLog(endpoint, "?limit=2")).toEqual({ data: [third, second], total_count: 3 });
    expect(await attemptsLog(endpoint, "?limit=1&offset=1")).toEqual({ data: [second], total_count: 3 });
    expect(await attemptsLog(endpoint, "?limit=2&offset=2")).toEqual({ data: [first], total_count: 3 });
    expect(await attemptsLog(endpoint, "?offset=3")).toEqual({ data: [], total_count: 3 });
    expectError(await call("GET", `/v1/webhook_endpoints/${endpoint.id}/attempts?limit=0`), 422, "form_param_value_invalid", "limit");
    expectError(await call("GET", `/v1/webhook_endpoints/${endpoint.id}/attempts?offset=-1`), 422, "form_param_value_invalid", "offset");
    expectError(await call("GET", `/v1/webhook_endpoints/${endpoint.id}/attempts?limit=x`), 422, "form_param_value_invalid", "limit");
    expectError(await call("GET", "/v1/webhook_endpoints/wep_unknown/attempts"), 404, "resource_not_found");
  });

  it("a delivery not yet attempted, or waiting for its retry, shows a pending row for the upcoming attempt", async () => {
    const endpoint = await receiverEndpoint("always500");
    const { messageId } = await unsentDelivery(endpoint);
    const delivery = await env.DB.prepare("select created_at from webhook_deliveries where endpoint_id = ?")
      .bind(endpoint.id)
      .first<{ created_at: number }>();
    const pending = {
      object: "webhook_attempt",
      message_id: messageId,
      event_type: "user.created",
      status: "pending",
      response_status: null,
    };
    // Not attempted yet: attempt 1, dated and due when the change was committed.
    expect(await attemptsLog(endpoint)).toEqual({
      data: [{ ...pending, attempt: 1, created_at: delivery!.created_at, next_attempt_at: delivery!.created_at }],
      total_count: 1,
    });

    const sent = Date.now();
    expect(await attemptDelivery(hourRetryEnv, { eventId: messageId, endpointId: endpoint.id }, sent)).toBe("retrying");
    expect(await received(endpoint)).toHaveLength(1);
    const log = await attemptsLog(endpoint);
    const retryAt = log.data[1]?.next_attempt_at;
    expect(retryAt).toBeGreaterThanOrEqual(sent + 3_600_000);
    // Waiting for the retry: the failed attempt, and above it attempt 2, pending, due at its retry time.
    expect(log).toEqual({
      data: [
        { ...pending, attempt: 2, created_at: retryAt - 3_600_000, next_attempt_at: retryAt },
        { ...pending, status: "failed", response_status: 500, attempt: 1, created_at: sent, next_attempt_at: retryAt },
      ],
      total_count: 2,
    });

    // A resend makes it due now: the pending row moves up with the resend's date, attempt numbers go on.
    const resent = await call("POST", `/v1/webhook_endpoints/${endpoint.id}/messages/${messageId}/resend`);
    expect(resent.status).toBe(200);
    const after = await attemptsLog(endpoint, "?limit=1");
    expect(after.total_count).toBe(2);
    expect(after.data[0]).toEqual(resent.body);
    expect(resent.body).toEqual({ ...pending, attempt: 2, created_at: expect.any(Number), next_attempt_at: resent.body.created_at });
    expect(resent.body.created_at).toBeGreaterThanOrEqual(retryAt - 3_600_000);
    // The resend's queue message is attempted: attempt 2 fails, and the tests' schedule retries it once more.
    const settled = await logWhen(endpoint, (l) => l.data.some((row) => row.attempt === 3 && row.status === "failed"));
    expect(settled.data.map((row) => [row.attempt, row.status, row.response_status])).toEqual([
      [3, "failed", 500],
      [2, "failed", 500],
      [1, "failed", 500],
    ]);
    expect(settled.total_count).toBe(3);
  });

  it("an attempt that times out is a failed row with response_status null", async () => {
    const endpoint = await receiverEndpoint("slow");
    const { messageId } = await unsentDelivery(endpoint);
    const sent = Date.now();
    // WEBHOOK_TIMEOUT_MS is 1 s in the tests; the slow receiver answers after 2.5 s.
    expect(await attemptDelivery(hourRetryEnv, { eventId: messageId, endpointId: endpoint.id }, sent)).toBe("retrying");
    const log = await attemptsLog(endpoint);
    expect(log.total_count).toBe(2);
    expect(log.data[1]).toEqual({
      object: "webhook_attempt",
      message_id: messageId,
      event_type: "user.created",
      status: "failed",
      response_status: null,
      attempt: 1,
      created_at: sent,
      next_attempt_at: expect.any(Number),
    });
    expect(log.data[0]).toMatchObject({ status: "pending", attempt: 2, response_status: null });
  });

  it("logs nothing, and changes nothing, when the attempt's lease is no longer its own", async () => {
    const endpoint = await receiverEndpoint();
    const { messageId } = await unsentDelivery(endpoint);
    const key = { eventId: messageId, endpointId: endpoint.id };
    const db = createDb(env.DB);
    await env.DB.prepare("update webhook_deliveries set lease_until = 111 where endpoint_id = ?").bind(endpoint.id).run();
    const now = Date.now();
    const outcome = { status: "succeeded" as const, responseStatus: 204, nextAttemptAt: null, sentAt: now, now };
    expect(await recordAttempt(db, key, 222, outcome)).toBe(false);
    const count = () => env.DB.prepare("select count(*) as n from webhook_attempts where endpoint_id = ?").bind(endpoint.id).first("n");
    expect(await count()).toBe(0);
    expect(await env.DB.prepare("select status, attempts from webhook_deliveries where endpoint_id = ?").bind(endpoint.id).first()).toEqual({
      status: "pending",
      attempts: 0,
    });
    // The holder of the lease records both, in one batch.
    expect(await recordAttempt(db, key, 111, outcome)).toBe(true);
    expect(await count()).toBe(1);
    expect(await env.DB.prepare("select status, attempts from webhook_deliveries where endpoint_id = ?").bind(endpoint.id).first()).toEqual({
      status: "succeeded",
      attempts: 1,
    });
  });

  it("deleting an endpoint deletes its deliveries' attempts", async () => {
    const endpoint = await receiverEndpoint("fail2");
    await createUser();
    await waitForDeliveries(endpoint, 3);
    await logWhen(endpoint, (l) => l.data[0]?.status === "succeeded");
    const count = () => env.DB.prepare("select count(*) as n from webhook_attempts where endpoint_id = ?").bind(endpoint.id).first("n");
    expect(await count()).toBe(3);
    expect((await call("DELETE", `/v1/webhook_endpoints/${endpoint.id}`)).status).toBe(200);
    expect(await count()).toBe(0);
  });

  it("reads a page from two indexes, merged in order: no scan and no sort of the endpoint's attempts", async () => {
    const page = await queryPlan(endpointAttemptsPageSql("wep_x", { limit: 10, offset: 20 }));
    expect(page).toEqual([
      "CO-ROUTINE p",
      "MERGE (UNION ALL)",
      "LEFT",
      "SEARCH webhook_attempts USING INDEX webhook_attempts_endpoint_idx (endpoint_id=?)",
      "RIGHT",
      "SEARCH webhook_deliveries USING INDEX webhook_deliveries_endpoint_state_idx (endpoint_id=? AND status=?)",
      "SCAN p",
      "CORRELATED SCALAR SUBQUERY 1",
      "SEARCH webhook_events USING INDEX sqlite_autoindex_webhook_events_1 (id=?)",
    ]);
    expect(await queryPlan(endpointAttemptsCountSql("wep_x"))).toEqual([
      "SCAN CONSTANT ROW",
      "SCALAR SUBQUERY 1",
      "SEARCH webhook_attempts USING COVERING INDEX webhook_attempts_endpoint_idx (endpoint_id=?)",
      "SCALAR SUBQUERY 2",
      "SEARCH webhook_deliveries USING COVERING INDEX webhook_deliveries_endpoint_state_idx (endpoint_id=? AND status=?)",
    ]);
  });
});
