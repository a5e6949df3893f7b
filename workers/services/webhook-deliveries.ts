/**
 * An endpoint's delivery attempts, and resending a message to it (README, Webhooks).
 */
import type { AppContext } from "../context";
import { findEventType, listEndpointDeliveries, rescheduleDelivery } from "../db/webhook-deliveries";
import { findWebhookEndpoint } from "../db/webhook-endpoints";
import type { WebhookDeliveryRow } from "../db/schema";
import { errors } from "../http/errors";
import { enqueueDeliveries } from "../webhooks/queue";

/** The JSON of one delivery: its state after the attempts so far. */
export function deliveryJson(row: WebhookDeliveryRow, eventType: string) {
  return {
    object: "webhook_attempt",
    message_id: row.eventId,
    event_type: eventType,
    status: row.status,
    response_status: row.responseStatus,
    attempt: row.attempts,
    created_at: row.createdAt,
    next_attempt_at: row.nextAttemptAt,
  };
}

/** The endpoint's deliveries, newest first; 404 for an unknown endpoint. */
export async function listAttempts(ctx: AppContext, endpointId: string, page: { limit: number; offset: number }) {
  if (!(await findWebhookEndpoint(ctx.db, endpointId))) throw errors.webhookEndpointNotFound(endpointId);
  const { rows, total } = await listEndpointDeliveries(ctx.db, endpointId, page);
  return { data: rows.map((r) => deliveryJson(r.delivery, r.eventType)), total_count: total };
}

/**
 * Queues a fresh attempt of message `eventId` to the endpoint, whatever its state: it is pending
 * and due now again. A delivery that had used up its retries fails again after one failed attempt.
 */
export async function resendMessage(ctx: AppContext, endpointId: string, eventId: string) {
  if (!(await findWebhookEndpoint(ctx.db, endpointId))) throw errors.webhookEndpointNotFound(endpointId);
  const now = ctx.now();
  const row = await rescheduleDelivery(ctx.db, { eventId, endpointId }, now);
  if (!row) throw errors.webhookMessageNotFound(eventId);
  await enqueueDeliveries(ctx.env, [{ eventId, endpointId }], now);
  return deliveryJson(row, (await findEventType(ctx.db, eventId)) ?? "");
}
