/**
 * Helpers of the webhook tests: endpoints on the in-test receiver (test/support/webhook-receiver.ts),
 * waiting for what it received, and checking each delivery as a Clerk app would.
 */
import { env } from "cloudflare:test";
import { verifyWebhook } from "@clerk/backend/webhooks";
import { Webhook } from "svix";
import { expect } from "vitest";
import type { ReceivedRequest } from "../support/webhook-receiver";
import { call, unique } from "../helpers";
import { assertMatchesSchema } from "../schema/validate";

export interface TestEndpoint {
  id: string;
  secret: string;
  /** The receiver's name: what `received()` reads. */
  key: string;
}

/** An endpoint on the receiver, with behaviour `mode` (ok, fail2, always500, redirect, slow). */
export async function receiverEndpoint(mode = "ok", body: Record<string, unknown> = {}): Promise<TestEndpoint> {
  const key = `/${unique("r")}`;
  const result = await call("POST", "/v1/webhook_endpoints", { url: `https://hooks.test/${mode}${key}`, ...body });
  expect(result.status, JSON.stringify(result.body)).toBe(200);
  return { id: result.body.id, secret: result.body.secret, key };
}

export async function received(endpoint: TestEndpoint): Promise<ReceivedRequest[]> {
  return (await (await fetch(`https://hooks.test/__received${endpoint.key}`)).json()) as ReceivedRequest[];
}

/**
 * Waits until the receiver has at least `count` requests (the queue delivers asynchronously),
 * polling every 50 ms up to `timeoutMs`; returns what it got.
 */
export async function waitForDeliveries(endpoint: TestEndpoint, count: number, timeoutMs = 15_000): Promise<ReceivedRequest[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const list = await received(endpoint);
    if (list.length >= count || Date.now() > deadline) return list;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Checks one delivery the way Clerk apps do (svix's Webhook.verify and @clerk/backend's
 * verifyWebhook, both with the endpoint's secret) and against Clerk's webhook spec for its type;
 * returns the event.
 */
export async function verifiedEvent(endpoint: TestEndpoint, request: ReceivedRequest, secret = endpoint.secret): Promise<any> {
  const event = new Webhook(secret).verify(request.body, request.headers) as any;
  const viaClerk = await verifyWebhook(
    new Request("https://app.test/api/webhooks", { method: "POST", headers: request.headers, body: request.body }),
    {
      signingSecret: secret,
    },
  );
  expect(viaClerk).toEqual(event);
  assertMatchesSchema(`Event_${String(event.type).replace(/\./g, "_")}`, event);
  return event;
}

/** The endpoint's attempts log (`GET …/attempts` with `query`), as the route answers it. */
export async function attemptsLog(endpoint: TestEndpoint, query = ""): Promise<{ data: any[]; total_count: number }> {
  const result = await call("GET", `/v1/webhook_endpoints/${endpoint.id}/attempts${query}`);
  expect(result.status, JSON.stringify(result.body)).toBe(200);
  return result.body;
}

/**
 * A stand-in for the WEBHOOKS queue binding that keeps the bodies it is sent, or (`fail`)
 * refuses every send with "queue unavailable", so no consumer ever sees them.
 */
export function capturingQueue(options: { fail?: boolean } = {}): { bodies: unknown[]; queue: Queue } {
  const bodies: unknown[] = [];
  const queue = {
    send: async (body: unknown) => {
      if (options.fail) throw new Error("queue unavailable");
      bodies.push(body);
    },
    sendBatch: async (messages: { body: unknown }[]) => {
      if (options.fail) throw new Error("queue unavailable");
      bodies.push(...messages.map((m) => m.body));
    },
  } as unknown as Queue;
  return { bodies, queue };
}

/**
 * A user.created whose queue message is lost (the send throws), so no consumer attempts it:
 * only D1 knows the delivery to `endpoint`. Returns the user's id and the message id.
 */
export async function unsentDelivery(endpoint: TestEndpoint): Promise<{ userId: string; messageId: string }> {
  const result = await call("POST", "/v1/users", {}, { bindings: { WEBHOOKS: capturingQueue({ fail: true }).queue } });
  expect(result.status).toBe(200);
  const row = await env.DB.prepare("select event_id from webhook_deliveries where endpoint_id = ?").bind(endpoint.id).first<{ event_id: string }>();
  expect(row).not.toBeNull();
  return { userId: result.body.id, messageId: row!.event_id };
}

/** Deliveries D1 holds for the endpoint: written with the change, so exact once the route answered. */
export async function deliveryCount(endpoint: TestEndpoint): Promise<number> {
  const row = await env.DB.prepare("select count(*) as n from webhook_deliveries where endpoint_id = ?").bind(endpoint.id).first<{ n: number }>();
  return row?.n ?? -1;
}

/** Exactly `count` deliveries were written for the endpoint; waits for them and returns their events (verifiedEvent), oldest first. */
export async function eventsOf(endpoint: TestEndpoint, count: number): Promise<any[]> {
  expect(await deliveryCount(endpoint)).toBe(count);
  const deliveries = await waitForDeliveries(endpoint, count);
  expect(deliveries).toHaveLength(count);
  const events = await Promise.all(deliveries.map((d) => verifiedEvent(endpoint, d)));
  return events.sort((a, b) => a.timestamp - b.timestamp);
}

/** Outbox rows of `type` whose snapshot names `id` (the object's or its user's): exact once the requests answered. */
export async function eventRows(type: string, id: string): Promise<number> {
  const row = await env.DB.prepare("select count(*) as n from webhook_events where type = ? and snapshot like ?")
    .bind(type, `%"${id}"%`)
    .first<{ n: number }>();
  return row?.n ?? -1;
}
