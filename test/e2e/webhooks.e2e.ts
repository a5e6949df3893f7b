/**
 * Webhooks end to end: `wrangler dev` (its local Queue and consumer, a short retry schedule)
 * delivers to a real HTTP receiver in this process, whose handler is written as Clerk's docs
 * show (`verifyWebhook(request, { signingSecret })` from `@clerk/backend/webhooks`); svix's
 * `Webhook.verify` must accept every delivery too.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { createClerkClient } from "@clerk/backend";
import { verifyWebhook } from "@clerk/backend/webhooks";
import { Webhook } from "svix";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { assertMatchesSchema } from "../schema/validate";
import { applyMigrations, startWrangler } from "../../bench/worker-launcher.mjs";
import { freePort, startWorker, type WorkerProcess } from "./worker-process";

interface Received {
  path: string;
  headers: Record<string, string>;
  body: string;
  /** What the handler answered. */
  status: number;
  /** The event the handler verified (none when it refused or was told to fail). */
  event?: any;
}

let worker: WorkerProcess;
let receiver: Server;
let receiverUrl: string;
const received: Received[] = [];
/** The endpoint secret per receiver path, known once the endpoint is created. */
const secrets = new Map<string, string>();

/** The app's webhook route, as Clerk's docs write it (with the signing secret passed explicitly). */
async function POST(request: Request, signingSecret: string): Promise<Response> {
  try {
    const evt = await verifyWebhook(request, { signingSecret });
    return Response.json({ received: evt.type });
  } catch {
    return new Response("Error verifying webhook", { status: 400 });
  }
}

/**
 * A receiver on `port` (0: any free one). Path `/ok/<name>` runs the handler; `/fail2/<name>`
 * answers 500 to its first two requests, then runs it.
 */
function startReceiver(port = 0): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      const path = req.url ?? "/";
      const record: Received = { path, headers, body, status: 0 };
      received.push(record);
      const earlier = received.filter((r) => r.path === path).length - 1;
      let response: Response;
      if (path.startsWith("/fail2/") && earlier < 2) {
        response = new Response("try later", { status: 500 });
      } else {
        const request = new Request(`http://app.test${path}`, { method: "POST", headers, body });
        response = await POST(request, secrets.get(path) ?? "");
        if (response.ok) record.event = JSON.parse(body);
      }
      record.status = response.status;
      res.writeHead(response.status, { "content-type": response.headers.get("content-type") ?? "text/plain" });
      res.end(await response.text());
    });
  });
  return new Promise((resolve) =>
    server.listen(port, "127.0.0.1", () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })),
  );
}

async function api(method: string, path: string, body?: unknown, base = worker.url): Promise<any> {
  const response = await fetch(`${base}/v1${path}`, {
    method,
    headers: { Authorization: `Bearer ${inject("secretKey")}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(response.status, `${method} ${path}`).toBe(200);
  return response.json();
}

/** An endpoint whose deliveries go to the receiver's `path`. */
async function endpoint(path: string, events?: string[], base = worker.url, url = receiverUrl): Promise<{ id: string; secret: string }> {
  const created = await api("POST", "/webhook_endpoints", { url: `${url}${path}`, ...(events ? { events } : {}) }, base);
  secrets.set(path, created.secret);
  return created;
}

/** What the receiver got at `path` once it has `count` requests (polled; the queue delivers asynchronously). */
async function waitFor(path: string, count: number, timeoutMs = 20_000): Promise<Received[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const list = received.filter((r) => r.path === path);
    if (list.length >= count || Date.now() > deadline) return list;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** svix's verification of one delivery with the endpoint's secret; also checks Clerk's webhook spec for its type. */
function svixVerified(path: string, delivery: Received): any {
  const event = new Webhook(secrets.get(path)!).verify(delivery.body, delivery.headers) as any;
  assertMatchesSchema(`Event_${String(event.type).replace(/\./g, "_")}`, event);
  return event;
}

let n = 0;
function uniq(prefix: string): string {
  n += 1;
  return `${prefix}${Date.now().toString(36)}${n}`;
}

describe("webhooks against wrangler dev", () => {
  beforeAll(async () => {
    ({ server: receiver, url: receiverUrl } = await startReceiver());
    worker = await startWorker({
      CLERK_SECRET_KEY: inject("secretKey"),
      CREDENTIALS_ENCRYPTION_KEY: "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
      BCRYPT_COST: "4",
      WEBHOOK_RETRY_SCHEDULE_SECONDS: "1,1,1",
    });
  });
  afterAll(async () => {
    await worker?.stop();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  it("a handler written as Clerk's docs show receives user.created → user.updated → user.deleted, and svix accepts each", async () => {
    const path = `/ok/${uniq("sync")}`;
    await endpoint(path, ["user.created", "user.updated", "user.deleted"]);
    const client = createClerkClient({ secretKey: inject("secretKey"), apiUrl: worker.url });
    const user = await client.users.createUser({ username: uniq("hook"), firstName: "Ada" });
    const updated = await client.users.updateUser(user.id, { lastName: "Lovelace" });
    await client.users.deleteUser(user.id);
    const deliveries = await waitFor(path, 3);
    expect(deliveries.map((d) => d.status)).toEqual([200, 200, 200]);
    const events = deliveries.map((d) => svixVerified(path, d));
    // What the handler verified is what svix verified.
    expect(deliveries.map((d) => d.event)).toEqual(events);
    const ordered = [...events].sort((a, b) => a.timestamp - b.timestamp);
    expect(ordered.map((e) => e.type)).toEqual(["user.created", "user.updated", "user.deleted"]);
    expect(ordered[0].data).toEqual(user.raw);
    expect(ordered[1].data).toEqual(updated.raw);
    expect(ordered[2].data).toEqual({ deleted: true, id: user.id, object: "user" });
    expect(new Set(deliveries.map((d) => d.headers["svix-id"])).size).toBe(3);
  });

  it("a receiver that answers 500 twice gets the message a third time, with the same svix-id", async () => {
    const path = `/fail2/${uniq("retry")}`;
    const { id } = await endpoint(path, ["user.created"]);
    const client = createClerkClient({ secretKey: inject("secretKey"), apiUrl: worker.url });
    const user = await client.users.createUser({ username: uniq("retry") });
    const deliveries = await waitFor(path, 3);
    expect(deliveries.map((d) => d.status)).toEqual([500, 500, 200]);
    expect(new Set(deliveries.map((d) => d.headers["svix-id"])).size).toBe(1);
    for (const delivery of deliveries) expect(svixVerified(path, delivery).data).toEqual(user.raw);
    // Each attempt is signed at its own time.
    const stamps = deliveries.map((d) => Number(d.headers["svix-timestamp"]));
    expect(stamps[2]).toBeGreaterThanOrEqual(stamps[0] + 1);
    const attempts = await api("GET", `/webhook_endpoints/${id}/attempts`);
    // One row per attempt, newest first.
    expect(attempts.data).toEqual([
      expect.objectContaining({ status: "succeeded", attempt: 3, response_status: 200, event_type: "user.created", next_attempt_at: null }),
      expect.objectContaining({ status: "failed", attempt: 2, response_status: 500, event_type: "user.created" }),
      expect.objectContaining({ status: "failed", attempt: 1, response_status: 500, event_type: "user.created" }),
    ]);
  });
});

describe("webhooks across a restart of wrangler dev", () => {
  const vars = {
    CLERK_SECRET_KEY: inject("secretKey"),
    CREDENTIALS_ENCRYPTION_KEY: "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
    BCRYPT_COST: "4",
    WEBHOOK_TIMEOUT_MS: "2000",
    // Enough retries to outlast the restart; the queue's delayed messages die with the process.
    WEBHOOK_RETRY_SCHEDULE_SECONDS: "3,3,3,3,3,3,3,3,3,3,3,3",
  };
  let persist: string;
  let running: Awaited<ReturnType<typeof startWrangler>> | undefined;
  let late: Server | undefined;
  afterAll(async () => {
    await running?.stop();
    await new Promise((resolve) => (late ? late.close(resolve) : resolve(undefined)));
    if (persist) rmSync(persist, { recursive: true, force: true });
  });

  it("a receiver that is down while the server restarts still gets every message", async () => {
    persist = mkdtempSync(join(tmpdir(), "clerk-users-e2e-restart-"));
    applyMigrations(persist);
    running = await startWrangler({ persistTo: persist, vars });
    // Nothing listens on this port yet: every attempt before the restart is refused.
    const port = await freePort();
    const path = `/ok/${uniq("restart")}`;
    await endpoint(path, ["user.created"], running.url, `http://127.0.0.1:${port}`);
    const client = createClerkClient({ secretKey: inject("secretKey"), apiUrl: running.url });
    const users = [];
    for (let i = 0; i < 3; i++) users.push(await client.users.createUser({ username: uniq("restart") }));
    // Stop once every delivery has been tried (and refused) at least once, with retries pending.
    const deadline = Date.now() + 15_000;
    for (;;) {
      const endpoints = await api("GET", "/webhook_endpoints", undefined, running.url);
      const id = endpoints.data.find((e: { url: string }) => e.url.endsWith(path)).id;
      const attempts = (await api("GET", `/webhook_endpoints/${id}/attempts?limit=500`, undefined, running.url)).data;
      // Each delivery's pending entry is its upcoming attempt: number 2 or more once one was made.
      const upcoming = attempts.filter((a: { status: string }) => a.status === "pending");
      if (upcoming.length === 3 && upcoming.every((a: { attempt: number }) => a.attempt >= 2)) break;
      expect(Date.now(), JSON.stringify(attempts)).toBeLessThan(deadline);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await running.stop();
    running = undefined;
    expect(received.filter((r) => r.path === path)).toEqual([]);

    ({ server: late } = await startReceiver(port));
    running = await startWrangler({ persistTo: persist, vars });
    const deliveries = await waitFor(path, 3, 60_000);
    expect(deliveries.map((d) => d.status)).toEqual([200, 200, 200]);
    const events = deliveries.map((d) => svixVerified(path, d));
    expect(events.map((e) => e.data.id).sort()).toEqual(users.map((u) => u.id).sort());
    expect(new Set(deliveries.map((d) => d.headers["svix-id"])).size).toBe(3);
  }, 120_000);
});
