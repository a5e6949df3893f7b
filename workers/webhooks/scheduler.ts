/**
 * What makes webhook delivery survive lost queue messages: a Durable Object whose alarm sweeps
 * D1 for overdue deliveries and sends them to the queue again.
 *
 * Why an alarm: local Queues keep messages in memory (a restart of `wrangler dev` drops them)
 * and local dev never fires cron triggers, but a Durable Object alarm is stored and fires after
 * a restart. Deployed, the cron trigger runs the same sweep (workers/index.ts `scheduled`), a
 * second line should the object be unreachable.
 *
 * The alarm is armed by every write that creates deliveries and every retry (enqueueDeliveries),
 * for a little after the delivery is due; when it fires it sweeps and re-arms for the next
 * pending delivery, so it keeps firing while any delivery is pending and stops when none is.
 */
import { DurableObject } from "cloudflare:workers";
import { createDb } from "../db/client";
import { findOverdueDeliveries, nextPendingAt } from "../db/webhook-deliveries";
import type { Env } from "../env";
import { SWEEP_GRACE_MS } from "./queue";

/** Deliveries one sweep re-enqueues at most; the rest wait for the next alarm, SWEEP_GRACE_MS later. */
const SWEEP_LIMIT = 500;

/**
 * Sends every pending delivery that is overdue by more than SWEEP_GRACE_MS (its message lost,
 * or never sent) to the queue again. Returns how many it sent and when the next pending one is due.
 */
export async function sweepDueDeliveries(env: Env, now = Date.now()): Promise<{ sent: number; nextAt: number | null }> {
  const db = createDb(env.DB);
  const due = await findOverdueDeliveries(db, now - SWEEP_GRACE_MS, now, SWEEP_LIMIT);
  if (due.length > 0) {
    for (let i = 0; i < due.length; i += 100) {
      await env.WEBHOOKS.sendBatch(due.slice(i, i + 100).map((body) => ({ body, contentType: "json" as const })));
    }
  }
  return { sent: due.length, nextAt: due.length === SWEEP_LIMIT ? now : await nextPendingAt(db) };
}

export class WebhookScheduler extends DurableObject<Env> {
  /** Makes sure the alarm fires no later than `at`. */
  async arm(at: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }

  async alarm(): Promise<void> {
    const now = Date.now();
    const { nextAt } = await sweepDueDeliveries(this.env, now);
    if (nextAt !== null) await this.ctx.storage.setAlarm(Math.max(nextAt + SWEEP_GRACE_MS, now + 1_000));
  }
}
