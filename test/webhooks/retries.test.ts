import { createScheduledController, env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../workers/index";
import { handleDeliveryBatch, WAIT_UNTIL_SAFE_MS, type DeliveryMessage } from "../../workers/webhooks/delivery";
import { scheduler } from "../../workers/webhooks/queue";
import { RESWEEP_MS, sweepDueDeliveries } from "../../workers/webhooks/scheduler";
import { createDb } from "../../workers/db/client";
import { claimDelivery } from "../../workers/db/webhook-deliveries";
import { call, createUser } from "../helpers";
import { SLOW_RECEIVER_MS } from "../support/webhook-receiver";
import {
  attemptsLog,
  capturingQueue,
  receiverEndpoint,
  received,
  unsentDelivery,
  verifiedEvent,
  waitForDeliveries,
  type TestEndpoint,
} from "./support";

/** The tests' WEBHOOK_RETRY_SCHEDULE_SECONDS ("1,1", vitest.config.ts): three attempts in all. */
const SCHEDULE_MS = [1000, 1000];

/** Waits until the endpoint's only delivery is no longer pending; its newest attempt. */
async function settled(endpoint: TestEndpoint, timeoutMs = 10_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const body = await attemptsLog(endpoint);
    if ((body.data[0] && body.data[0].status !== "pending") || Date.now() > deadline) return body.data[0];
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// Retries wait for real: the schedule is 1 s per retry plus the queue's batch timeout.
describe("webhook retries", { timeout: 20_000 }, () => {
  it("retries a 500 on the schedule with the same svix-id, and succeeds on the third attempt", async () => {
    const endpoint = await receiverEndpoint("fail2");
    await createUser();
    const deliveries = await waitForDeliveries(endpoint, 3);
    expect(deliveries).toHaveLength(3);
    const ids = new Set(deliveries.map((d) => d.headers["svix-id"]));
    expect(ids.size).toBe(1);
    for (const d of deliveries) await verifiedEvent(endpoint, d);
    // Each retry waits at least its delay of the schedule after the attempt before it.
    for (let i = 1; i < 3; i++) expect(deliveries[i].at - deliveries[i - 1].at).toBeGreaterThanOrEqual(SCHEDULE_MS[i - 1] - 50);
    const state = await settled(endpoint);
    expect(state).toMatchObject({ status: "succeeded", attempt: 3, response_status: 200, next_attempt_at: null, event_type: "user.created" });
    expect(state.message_id).toBe([...ids][0]);
  });

  it("marks a delivery failed after the last retry, and a resend queues one fresh attempt", async () => {
    const endpoint = await receiverEndpoint("always500");
    await createUser();
    const state = await settled(endpoint);
    expect(state).toMatchObject({ status: "failed", attempt: 3, response_status: 500, next_attempt_at: null });
    expect(await received(endpoint)).toHaveLength(3);
    // One row per attempt (test/webhooks/attempts.test.ts has the log in detail).
    const list = await attemptsLog(endpoint);
    expect(list.data.map((row: any) => [row.attempt, row.status])).toEqual([
      [3, "failed"],
      [2, "failed"],
      [1, "failed"],
    ]);
    expect(list.total_count).toBe(3);

    const resent = await call("POST", `/v1/webhook_endpoints/${endpoint.id}/messages/${state.message_id}/resend`);
    expect(resent.status).toBe(200);
    expect(resent.body).toMatchObject({ message_id: state.message_id, status: "pending", attempt: 4 });
    const all = await waitForDeliveries(endpoint, 4);
    expect(all).toHaveLength(4);
    expect(all[3].headers["svix-id"]).toBe(state.message_id);
    expect(await settled(endpoint)).toMatchObject({ status: "failed", attempt: 4 });
    expect((await attemptsLog(endpoint)).total_count).toBe(4);

    expect((await call("POST", `/v1/webhook_endpoints/${endpoint.id}/messages/msg_unknown/resend`)).status).toBe(404);
    expect((await call("GET", "/v1/webhook_endpoints/wep_unknown/attempts")).status).toBe(404);
  });

  it("does not follow a redirect: a 302 is a failed attempt", async () => {
    const endpoint = await receiverEndpoint("redirect");
    await createUser();
    const state = await settled(endpoint);
    expect(state).toMatchObject({ status: "failed", attempt: 3, response_status: 302 });
    expect((await received(endpoint)).every((r) => r.path.startsWith("/redirect/"))).toBe(true);
  });

  it("a slow endpoint times out and never delays another endpoint's delivery", async () => {
    const slow = await receiverEndpoint("slow");
    const fast = await receiverEndpoint("ok");
    const committed = Date.now();
    await createUser();
    const [fastDelivery] = await waitForDeliveries(fast, 1);
    const [slowDelivery] = await waitForDeliveries(slow, 1);
    // The fast endpoint got the event long before the slow one could have answered.
    expect(fastDelivery.at - committed).toBeLessThan(SLOW_RECEIVER_MS);
    expect(slowDelivery).toBeDefined();
    // The slow one's attempt is cut at WEBHOOK_TIMEOUT_MS (1 s) and counted as a failure (no status).
    const deadline = Date.now() + 5_000;
    let first: any;
    do {
      first = (await attemptsLog(slow)).data.find((row: any) => row.attempt === 1 && row.status !== "pending");
      if (first) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    } while (Date.now() < deadline);
    expect(first).toMatchObject({ status: "failed", attempt: 1, response_status: null });
  });

  it("a batch waiting on a slow endpoint holds back no later message: the next batch is delivered meanwhile", async () => {
    const slow = await receiverEndpoint("slow");
    const fast = await receiverEndpoint("ok");
    await createUser();
    // The slow endpoint's first request is in flight: its attempt runs until WEBHOOK_TIMEOUT_MS (1 s).
    const [slowFirst] = await waitForDeliveries(slow, 1);
    expect(slowFirst).toBeDefined();
    await createUser();
    const deliveries = await waitForDeliveries(fast, 2);
    expect(deliveries).toHaveLength(2);
    // The second event reached the fast endpoint well before the first batch's slow attempt could
    // end (its 1 s timeout): that batch held up neither the queue's next batch nor its own acks.
    // (Holding them up, it arrives about 1 s after slowFirst at the earliest.)
    expect(deliveries[1].at - slowFirst.at).toBeLessThan(600);
  });
});

describe("the queue handler", { timeout: 10_000 }, () => {
  /** One message for the endpoint's only delivery, with what the handler did to it. */
  async function oneMessageBatch(endpoint: TestEndpoint) {
    const { messageId } = await unsentDelivery(endpoint);
    const seen = { acked: 0, retried: 0, background: [] as Promise<unknown>[] };
    const message = { body: { eventId: messageId, endpointId: endpoint.id }, ack: () => seen.acked++, retry: () => seen.retried++ };
    const batch = { queue: "clerk-users-webhooks", messages: [message] } as unknown as MessageBatch<DeliveryMessage>;
    const ctx = { waitUntil: (promise: Promise<unknown>) => seen.background.push(promise) };
    return { batch, ctx, seen };
  }
  const row = (endpoint: TestEndpoint) =>
    env.DB.prepare("select status, attempts, lease_until is not null as leased from webhook_deliveries where endpoint_id = ?")
      .bind(endpoint.id)
      .first();
  // The attempt's retry message is dropped: these tests look at one attempt.
  const quietQueue = { sendBatch: async () => {} } as unknown as Queue;

  it("acks a claimed message at once and leaves its attempt running in waitUntil", async () => {
    const endpoint = await receiverEndpoint("slow");
    const { batch, ctx, seen } = await oneMessageBatch(endpoint);
    await handleDeliveryBatch(batch, { ...env, WEBHOOKS: quietQueue }, ctx);
    // Returned while the slow endpoint's attempt still runs (it ends at the 1 s timeout).
    expect(seen).toMatchObject({ acked: 1, retried: 0 });
    expect(seen.background).toHaveLength(1);
    expect(await row(endpoint)).toEqual({ status: "pending", attempts: 0, leased: 1 });
    await Promise.all(seen.background);
    expect(await row(endpoint)).toEqual({ status: "pending", attempts: 1, leased: 0 });
  });

  it("awaits an attempt that could outlast waitUntil (WEBHOOK_TIMEOUT_MS above WAIT_UNTIL_SAFE_MS)", async () => {
    const endpoint = await receiverEndpoint("slow");
    const { batch, ctx, seen } = await oneMessageBatch(endpoint);
    const timeout = String(WAIT_UNTIL_SAFE_MS + 1_000);
    await handleDeliveryBatch(batch, { ...env, WEBHOOKS: quietQueue, WEBHOOK_TIMEOUT_MS: timeout }, ctx);
    // The slow endpoint answered 200 within that timeout, and the handler waited for it.
    expect(seen).toMatchObject({ acked: 1, retried: 0, background: [] });
    expect(await row(endpoint)).toEqual({ status: "succeeded", attempts: 1, leased: 0 });
  });
});

describe("re-enqueueing what the queue lost", () => {
  /** A user.created whose queue message is lost: the send throws, so only D1 knows the delivery. */
  async function lostDelivery(endpoint: TestEndpoint): Promise<string> {
    const { userId } = await unsentDelivery(endpoint);
    // Backdate the delivery past the sweep's grace, as if its message had been lost 10 s ago.
    await env.DB.prepare("update webhook_deliveries set next_attempt_at = next_attempt_at - 10000 where endpoint_id = ?").bind(endpoint.id).run();
    const row = await env.DB.prepare("select status, attempts from webhook_deliveries where endpoint_id = ?").bind(endpoint.id).first();
    expect(row).toEqual({ status: "pending", attempts: 0 });
    expect(await received(endpoint)).toEqual([]);
    return userId;
  }

  it("the cron trigger sends an overdue delivery to the queue again", async () => {
    const endpoint = await receiverEndpoint();
    const userId = await lostDelivery(endpoint);
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "* * * * *" }), env);
    const [delivery] = await waitForDeliveries(endpoint, 1);
    expect((await verifiedEvent(endpoint, delivery)).data.id).toBe(userId);
  });

  /** The Worker's env with a capturing queue, so a sweep's sends can be counted (or refused). */
  function sweepQueue(options: { fail?: boolean } = {}) {
    const { bodies, queue } = capturingQueue(options);
    return { bodies, env: { ...env, WEBHOOKS: queue } };
  }

  const sweptAt = async (endpoint: TestEndpoint) =>
    (await env.DB.prepare("select swept_at from webhook_deliveries where endpoint_id = ?").bind(endpoint.id).first<{ swept_at: number | null }>())
      ?.swept_at;

  it("a sweep sends an overdue delivery once, and again only RESWEEP_MS later if still unattempted; a failed send is retried at once", async () => {
    const endpoint = await receiverEndpoint();
    await lostDelivery(endpoint);
    const messageId = (await env.DB.prepare("select event_id from webhook_deliveries where endpoint_id = ?")
      .bind(endpoint.id)
      .first<{ event_id: string }>())!.event_id;
    const t = Date.now();

    // The queue is down: nothing sent, nothing marked, so the next sweep takes it at once.
    const down = sweepQueue({ fail: true });
    await expect(sweepDueDeliveries(down.env, t)).rejects.toThrow("queue unavailable");
    expect(await sweptAt(endpoint)).toBeNull();

    // Other tests' deliveries may be overdue too at these times: count this endpoint's sends.
    const sentHere = async (at: number) => {
      const queue = sweepQueue();
      await sweepDueDeliveries(queue.env, at);
      return queue.bodies.filter((body) => (body as { endpointId: string }).endpointId === endpoint.id);
    };
    expect(await sentHere(t + 1)).toEqual([{ eventId: messageId, endpointId: endpoint.id }]);
    expect(await sweptAt(endpoint)).toBe(t + 1);
    // Still pending (its message may be waiting in a backlog): later sweeps leave it alone…
    for (const later of [t + 1_000, t + 30_000, t + RESWEEP_MS]) expect(await sentHere(later)).toEqual([]);
    // …until a minute has passed, when it is presumed lost again.
    expect(await sentHere(t + 1 + RESWEEP_MS)).toHaveLength(1);

    // Two sweeps at once send it once between them (the mark and the pick are one statement).
    for (let round = 0; round < 30; round++) {
      await env.DB.prepare("update webhook_deliveries set swept_at = null where endpoint_id = ?").bind(endpoint.id).run();
      const both = await Promise.all([sentHere(t + 2 * RESWEEP_MS), sentHere(t + 2 * RESWEEP_MS)]);
      expect(both[0].length + both[1].length).toBe(1);
    }

    // The message arrives and a consumer claims it, then its isolate dies: the sweep takes the
    // delivery again as soon as the lease ends, not RESWEEP_MS after it last sent it.
    const claimedAt = t + 2 * RESWEEP_MS + 10;
    const leaseUntil = claimedAt + 20_000;
    expect(await claimDelivery(createDb(env.DB), { eventId: messageId, endpointId: endpoint.id }, claimedAt, leaseUntil)).toBeDefined();
    expect(await sweptAt(endpoint)).toBeNull();
    expect(await sentHere(leaseUntil - 1)).toEqual([]);
    expect(await sentHere(leaseUntil)).toHaveLength(1);

    // A resend clears the mark; the real queue then delivers it.
    const resend = await call("POST", `/v1/webhook_endpoints/${endpoint.id}/messages/${messageId}/resend`, {});
    expect(resend.status).toBe(200);
    expect(await sweptAt(endpoint)).toBeNull();
    await waitForDeliveries(endpoint, 1);
  });

  it("the scheduler's alarm, armed by the write, sends it again and re-arms while deliveries are pending", async () => {
    const endpoint = await receiverEndpoint();
    const userId = await lostDelivery(endpoint);
    const stub = scheduler(env);
    // The write armed the alarm before its send failed.
    const armed = await runInDurableObject(stub, (_instance, state) => state.storage.getAlarm());
    expect(armed).not.toBeNull();
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const [delivery] = await waitForDeliveries(endpoint, 1);
    expect((await verifiedEvent(endpoint, delivery)).data.id).toBe(userId);
  });
});
