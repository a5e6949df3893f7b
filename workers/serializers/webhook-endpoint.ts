/**
 * Webhook endpoint rows → JSON (an extension; its shape is documented in the README). The
 * signing secret is part of the JSON only where the route says so (create), never in lists.
 */
import type { WebhookEndpointRow } from "../db/schema";

export function serializeWebhookEndpoint(row: WebhookEndpointRow, secret?: string) {
  return {
    object: "webhook_endpoint",
    id: row.id,
    url: row.url,
    events: JSON.parse(row.events) as string[],
    description: row.description,
    disabled: row.disabled,
    ...(secret === undefined ? {} : { secret }),
    created_at: row.createdAt,
    updated_at: row.updatedAt,
  };
}
