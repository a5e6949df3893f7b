/**
 * The body of an event, as Clerk sends it: `{data, object: "event", type, timestamp,
 * instance_id, event_attributes: {http_request: {client_ip, user_agent}}}` (Clerk's webhook
 * spec, WebhookEventPayload). `data` is rebuilt from the outbox snapshot by the API's own
 * serializer, with the clock at the time of the change (lock state is derived from it).
 */
import type { Config } from "../env";
import { aggregateOf, rowFromSql } from "../db/users";
import { users, type WebhookEventRow } from "../db/schema";
import { serializeUser } from "../serializers/user";

type Snapshot = { k: "user"; r: Record<string, unknown> } | { k: "deleted"; d: Record<string, unknown> };

/** The event's `data`: the object as the API answered after the change. */
export function eventData(event: WebhookEventRow, config: Config): unknown {
  const snapshot = JSON.parse(event.snapshot) as Snapshot;
  const ctx = { config, origin: event.origin, now: () => event.createdAt };
  switch (snapshot.k) {
    case "user": {
      const row = rowFromSql(users, snapshot.r);
      if (!row) throw new Error("empty user snapshot");
      return serializeUser(ctx, aggregateOf(row));
    }
    case "deleted":
      return snapshot.d;
  }
}

/** The JSON body delivered for `event`. */
export function eventBody(event: WebhookEventRow, config: Config, instanceId: string): string {
  return JSON.stringify({
    data: eventData(event, config),
    object: "event",
    type: event.type,
    timestamp: event.createdAt,
    instance_id: instanceId,
    event_attributes: { http_request: { client_ip: event.clientIp, user_agent: event.userAgent } },
  });
}
