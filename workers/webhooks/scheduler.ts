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
import { nextSweepAt, sweepOverdueDeliveries, unmarkSwept, type SweepTimes } from "../db/webhook-deliveries";
import type { Env } from "../env";
import { SWEEP_GRACE_MS } from "./queue";

/** Deliveries one sweep re-enqueues at most; the rest wait for the next alarm, a second later. */
const SWEEP_LIMIT = 500;

/**
 * How long after a sweep sent a delivery to the queue it may send it again. The queue cannot say
 * whether a message is lost or only waiting behind others, so under a backlog longer than the
 * grace every sweep (about once a second) used to send each overdue delivery again: harmless
 * (one claim wins) but 2.5–5× the messages, each a consumer read (bench/results,
 * 2026-12-03-webhooks.md). A lost message is still found SWEEP_GRACE_MS after it was due, and a
 * lost resend one minute later.
 */
export const RESWEEP_MS = 60_000;

const SWEEP_TIMES: SweepTimes = { graceMs: SWEEP_GRACE_MS, resweepMs: RESWEEP_MS };

/**
 * Sends every pending delivery that is overdue by more than SWEEP_GRACE_MS (its message lost,
 * or never sent) to the queue again, unless a sweep sent it less than RESWEEP_MS ago. Returns
 * how many it sent and when the next sweep has something to do (null: nothing is pending).
 */
export async function sweepDueDeliveries(env: Env, now = Date.now()): Promise<{ sent: number; nextAt: number | null }> {
  const db = createDb(env.DB);
  const due = await sweepOverdueDeliveries(db, now, SWEEP_TIMES, SWEEP_LIMIT);
  for (let i = 0; i < due.length; i += 100) {
    try {
      await env.WEBHOOKS.sendBatch(due.slice(i, i + 100).map((body) => ({ body, contentType: "json" as const })));
    } catch (error) {
      // Not sent after all: the next sweep (the alarm retries) takes them again at once. If
      // even that fails they stay marked, and a sweep takes them RESWEEP_MS later.
      await unmarkSwept(db, due.slice(i), now).catch(() => {});
      throw error;
    }
  }
  return { sent: due.length, nextAt: due.length === SWEEP_LIMIT ? now : await nextSweepAt(db, SWEEP_TIMES) };
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
    if (nextAt !== null) await this.ctx.storage.setAlarm(Math.max(nextAt, now + 1_000));
  }
}
