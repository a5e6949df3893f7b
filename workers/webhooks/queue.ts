/**
 * Getting deliveries onto the queue. D1 is the source of truth (webhook_deliveries); a queue
 * message only says "attempt this delivery now", so a lost message delays a delivery but never
 * loses it: the scheduler's alarm (and the cron trigger when deployed) re-enqueues every pending
 * delivery that is overdue (sweepDueDeliveries).
 */
import type { Env } from "../env";
import type { DeliveryMessage } from "./delivery";

/** How late a due delivery may be before a sweep sends it again (its message is presumed lost). */
export const SWEEP_GRACE_MS = 5_000;
/** sendBatch takes at most 100 messages. */
const SEND_BATCH_MAX = 100;

/** The one scheduler instance (a single alarm is enough: it sweeps everything due). */
export function scheduler(env: Env) {
  return env.WEBHOOK_SCHEDULER.get(env.WEBHOOK_SCHEDULER.idFromName("webhooks"));
}

/**
 * Sends one message per delivery (each delivered on its own, so a slow endpoint never holds up
 * another's), optionally delayed, and makes sure the scheduler's alarm will look at them by
 * `dueAt + SWEEP_GRACE_MS` in case a message is lost (a restart of local dev drops queued messages).
 */
export async function enqueueDeliveries(env: Env, deliveries: DeliveryMessage[], dueAt: number, delaySeconds = 0): Promise<void> {
  if (deliveries.length === 0) return;
  // Arm first: if the send fails or the isolate dies right after it, the alarm still comes.
  await scheduler(env).arm(dueAt + SWEEP_GRACE_MS);
  for (let i = 0; i < deliveries.length; i += SEND_BATCH_MAX) {
    await env.WEBHOOKS.sendBatch(deliveries.slice(i, i + SEND_BATCH_MAX).map((body) => ({ body, delaySeconds, contentType: "json" as const })));
  }
}
