/**
 * An endpoint's attempts log, and resending a message to it (README, Webhooks).
 */
import type { AppContext } from "../context";
import { findEventType, listEndpointAttempts, rescheduleDelivery, type AttemptEntry } from "../db/webhook-deliveries";
import { findWebhookEndpoint } from "../db/webhook-endpoints";
import { errors } from "../http/errors";
import { enqueueDeliveries } from "../webhooks/queue";

/** The JSON of one entry of the attempts log (an attempt made, or a delivery's upcoming one). */
export function attemptJson(entry: AttemptEntry) {
  return {
    object: "webhook_attempt",
    message_id: entry.eventId,
    event_type: entry.eventType,
    status: entry.status,
    response_status: entry.responseStatus,
    attempt: entry.attempt,
    created_at: entry.createdAt,
    next_attempt_at: entry.nextAttemptAt,
  };
}

/**
 * The endpoint's attempts log, newest first: one entry per attempt made, plus a `pending` entry
 * for the upcoming attempt of each delivery not yet done (listEndpointAttempts); 404 for an
 * unknown endpoint.
 */
export async function listAttempts(ctx: AppContext, endpointId: string, page: { limit: number; offset: number }) {
  if (!(await findWebhookEndpoint(ctx.db, endpointId))) throw errors.webhookEndpointNotFound(endpointId);
  const { rows, total } = await listEndpointAttempts(ctx.db, endpointId, page);
  return { data: rows.map(attemptJson), total_count: total };
}

/**
 * Queues a fresh attempt of message `eventId` to the endpoint, whatever its state: it is pending
 * and due now again, its attempts numbered on from the last one. A delivery that had used up its
 * retries fails again after one failed attempt. Answers the log's pending entry for that attempt.
 */
export async function resendMessage(ctx: AppContext, endpointId: string, eventId: string) {
  if (!(await findWebhookEndpoint(ctx.db, endpointId))) throw errors.webhookEndpointNotFound(endpointId);
  const now = ctx.now();
  const row = await rescheduleDelivery(ctx.db, { eventId, endpointId }, now);
  if (!row) throw errors.webhookMessageNotFound(eventId);
  await enqueueDeliveries(ctx.env, [{ eventId, endpointId }], now);
  return attemptJson({
    eventId,
    eventType: (await findEventType(ctx.db, eventId)) ?? "",
    status: "pending",
    responseStatus: null,
    attempt: row.attempts + 1,
    createdAt: row.updatedAt,
    nextAttemptAt: row.nextAttemptAt,
  });
}
