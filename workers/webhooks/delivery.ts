/**
 * The queue consumer: one message = one attempt of one delivery (event × endpoint). The row in
 * webhook_deliveries decides everything: the attempt runs only if the consumer can claim the
 * row (pending, due, not leased), so a duplicate message (a sweep racing a late one) is a no-op.
 *
 * An attempt POSTs the event, signed Svix's way, with `redirect: "manual"` (a redirect is not
 * followed and counts as a failure) and a WEBHOOK_TIMEOUT_MS bound. A 2xx is success; anything
 * else is retried after the next delay of WEBHOOK_RETRY_SCHEDULE_SECONDS, and after the last
 * one the delivery is failed. Each attempt's outcome is logged in webhook_attempts by the same
 * batch that records it on the delivery (recordAttempt); an abandoned delivery (its endpoint
 * disabled or gone) made no attempt and logs none.
 */
import { createDb } from "../db/client";
import {
  abandonDelivery,
  claimDelivery,
  findDelivery,
  findEventAndEndpoint,
  recordAttempt,
  settingOrInsert,
  type DeliveryKey,
} from "../db/webhook-deliveries";
import { readConfig, type Config, type Env } from "../env";
import { newKsuid } from "../crypto/ids";
import { signingSecrets } from "../services/webhook-endpoints";
import { eventBody } from "./envelope";
import { enqueueDeliveries } from "./queue";
import { svixHeaders } from "./signing";

/** A queue message: the delivery to attempt. */
export type DeliveryMessage = DeliveryKey;

/** The longest attempt the queue handler leaves running in waitUntil (handleDeliveryBatch). */
export const WAIT_UNTIL_SAFE_MS = 20_000;

/** Extra lease time beyond the timeout, so a lease never ends while its attempt still runs. */
const LEASE_MARGIN_MS = 5_000;

let cachedInstanceId: string | undefined;

/** `instance_id`: CLERK_INSTANCE_ID, else one generated on first use and stored in D1. */
export async function instanceId(env: Env, config: Config): Promise<string> {
  if (config.instanceId) return config.instanceId;
  cachedInstanceId ??= await settingOrInsert(createDb(env.DB), "instance_id", `ins_${newKsuid()}`);
  return cachedInstanceId;
}

export type AttemptResult = "succeeded" | "retrying" | "failed" | "skipped";

/** Runs one attempt of a delivery if it is due; what happened. */
export async function attemptDelivery(env: Env, key: DeliveryKey, now = Date.now()): Promise<AttemptResult> {
  const started = await startAttempt(env, key, now);
  return started === "skipped" ? started : started.done;
}

/**
 * Claims the delivery for one attempt if it is due. Returns "skipped" when it is not (not due,
 * done, or another attempt holds it), else the running attempt (`done`: the POST and its record).
 * Once claimed, D1 owns the attempt: should it never be recorded (the isolate died), the lease
 * lapses and the sweep sends the delivery to the queue again.
 */
export async function startAttempt(env: Env, key: DeliveryKey, now = Date.now()): Promise<"skipped" | { done: Promise<AttemptResult> }> {
  const config = readConfig(env);
  const db = createDb(env.DB);
  const lease = now + config.webhookTimeoutMs + LEASE_MARGIN_MS;
  const claimed = await claimDelivery(db, key, now, lease);
  if (!claimed) {
    // Not due yet (a queue delivered a delayed message early): send it again for the rest of the wait.
    const row = await findDelivery(db, key);
    if (row?.status === "pending" && row.leaseUntil === null && row.nextAttemptAt !== null && row.nextAttemptAt > now) {
      await enqueueDeliveries(env, [key], row.nextAttemptAt, Math.ceil((row.nextAttemptAt - now) / 1000));
    }
    return "skipped";
  }
  return { done: runAttempt(env, config, key, claimed.attempts, lease, now) };
}

/** The claimed attempt: POST the event to the endpoint and record the outcome (under `lease`). */
async function runAttempt(env: Env, config: Config, key: DeliveryKey, attemptsBefore: number, lease: number, now: number): Promise<AttemptResult> {
  const db = createDb(env.DB);
  const { event, endpoint } = await findEventAndEndpoint(db, key);
  if (!event || !endpoint || endpoint.disabled) {
    await abandonDelivery(db, key, lease, now);
    return "failed";
  }

  const body = eventBody(event, config, await instanceId(env, config));
  const headers = await svixHeaders(await signingSecrets(config.encryptionKey, endpoint, now), event.id, Math.floor(now / 1000), body);
  let status: number | null = null;
  try {
    const response = await fetch(endpoint.url, {
      method: "POST",
      headers: { ...headers, "Content-Type": "application/json", "User-Agent": "clerk-users-edge-webhooks" },
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(config.webhookTimeoutMs),
    });
    status = response.status;
    // The body is not needed; cancel it so the connection is released.
    await response.body?.cancel();
  } catch {
    // Timeout, refused connection, DNS failure: retried like an error status.
  }

  const finished = Date.now();
  if (status !== null && status >= 200 && status < 300) {
    await recordAttempt(db, key, lease, { status: "succeeded", responseStatus: status, nextAttemptAt: null, sentAt: now, now: finished });
    return "succeeded";
  }
  const schedule = config.webhookRetryScheduleSeconds;
  const delay = schedule[attemptsBefore];
  if (delay === undefined) {
    await recordAttempt(db, key, lease, { status: "failed", responseStatus: status, nextAttemptAt: null, sentAt: now, now: finished });
    return "failed";
  }
  const nextAttemptAt = finished + delay * 1000;
  if (await recordAttempt(db, key, lease, { status: "pending", responseStatus: status, nextAttemptAt, sentAt: now, now: finished })) {
    await enqueueDeliveries(env, [key], nextAttemptAt, delay);
  }
  return "retrying";
}

/**
 * The queue handler. Every message of the batch is claimed at once, acknowledged as soon as its
 * claim is settled, and its attempt left running in `waitUntil`: the handler returns after the
 * claims (a few D1 statements), not after the slowest endpoint's answer. With the
 * `queue_consumer_no_wait_for_wait_until` compatibility flag (wrangler.toml) the runtime then
 * reports the acks and takes the next batch at once, locally too, so a slow endpoint (up to
 * WEBHOOK_TIMEOUT_MS) holds up neither the other messages of its batch nor later batches.
 * Acknowledging before the attempt ends loses nothing: the claimed delivery is in D1, and an
 * attempt that never records its outcome (the isolate died, D1 failed) is swept again when its
 * lease lapses. A message whose claim threw (D1 unavailable) is retried by the queue.
 *
 * Deployed, work left in waitUntil may be cancelled some time after the handler returns (30 s
 * for an HTTP request; not documented for a queue consumer). An attempt that could outlast
 * WAIT_UNTIL_SAFE_MS (WEBHOOK_TIMEOUT_MS above it) is therefore awaited by the handler instead,
 * within the consumer's 15-minute wall clock: otherwise an endpoint slower than the cut would be
 * attempted again and again without its attempts ever being recorded.
 */
export async function handleDeliveryBatch(batch: MessageBatch<DeliveryMessage>, env: Env, ctx: Pick<ExecutionContext, "waitUntil">): Promise<void> {
  const logFailure = (error: unknown) => console.error("webhook delivery failed to run", error instanceof Error ? error.message : String(error));
  const inBackground = readConfig(env).webhookTimeoutMs <= WAIT_UNTIL_SAFE_MS;
  await Promise.all(
    batch.messages.map(async (message) => {
      try {
        const started = await startAttempt(env, message.body);
        if (started !== "skipped" && !inBackground) await started.done;
        message.ack();
        if (started !== "skipped" && inBackground) ctx.waitUntil(started.done.catch(logFailure));
      } catch (error) {
        logFailure(error);
        message.retry({ delaySeconds: 5 });
      }
    }),
  );
}
