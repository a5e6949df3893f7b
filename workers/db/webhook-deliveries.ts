/**
 * SQL for webhook deliveries: claiming one attempt, recording its outcome, finding overdue
 * deliveries for the scheduler, and the endpoint's attempt list. Every state change is one
 * guarded statement: a delivery is attempted by whoever holds its lease, and only that holder
 * records the outcome.
 */
import { and, count, desc, eq, isNull, lte, or, sql } from "drizzle-orm";
import type { Db } from "./client";
import { instanceSettings, webhookDeliveries, webhookEndpoints, webhookEvents, type WebhookDeliveryRow } from "./schema";

export interface DeliveryKey {
  eventId: string;
  endpointId: string;
}

const byKey = (key: DeliveryKey) => and(eq(webhookDeliveries.eventId, key.eventId), eq(webhookDeliveries.endpointId, key.endpointId));

/**
 * Takes the delivery for one attempt when it is pending, due and not leased (or its lease ran
 * out: the attempt before died). Returns the row as claimed, or undefined.
 */
export async function claimDelivery(db: Db, key: DeliveryKey, now: number, leaseUntil: number): Promise<WebhookDeliveryRow | undefined> {
  return db
    .update(webhookDeliveries)
    .set({ leaseUntil })
    .where(
      and(
        byKey(key),
        eq(webhookDeliveries.status, "pending"),
        lte(webhookDeliveries.nextAttemptAt, now),
        or(isNull(webhookDeliveries.leaseUntil), lte(webhookDeliveries.leaseUntil, now)),
      ),
    )
    .returning()
    .get();
}

export async function findDelivery(db: Db, key: DeliveryKey): Promise<WebhookDeliveryRow | undefined> {
  return db.select().from(webhookDeliveries).where(byKey(key)).get();
}

/** The event and the endpoint of a delivery (either may be gone: an endpoint deleted meanwhile). */
export async function findEventAndEndpoint(db: Db, key: DeliveryKey) {
  const [events, endpoints] = await db.batch([
    db.select().from(webhookEvents).where(eq(webhookEvents.id, key.eventId)),
    db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, key.endpointId)),
  ]);
  return { event: events[0], endpoint: endpoints[0] };
}

/** Records an attempt's outcome, if `lease` is still the delivery's (no one took it over). */
export async function recordAttempt(
  db: Db,
  key: DeliveryKey,
  lease: number,
  outcome: { status: "pending" | "succeeded" | "failed"; responseStatus: number | null; nextAttemptAt: number | null; now: number },
): Promise<boolean> {
  const rows = await db
    .update(webhookDeliveries)
    .set({
      status: outcome.status,
      attempts: sql`${webhookDeliveries.attempts} + 1`,
      responseStatus: outcome.responseStatus,
      nextAttemptAt: outcome.nextAttemptAt,
      leaseUntil: null,
      updatedAt: outcome.now,
    })
    .where(and(byKey(key), eq(webhookDeliveries.leaseUntil, lease)))
    .returning({ eventId: webhookDeliveries.eventId })
    .all();
  return rows.length > 0;
}

/** Marks a delivery failed without an attempt (its endpoint was disabled or deleted meanwhile). */
export async function abandonDelivery(db: Db, key: DeliveryKey, lease: number, now: number): Promise<void> {
  await db
    .update(webhookDeliveries)
    .set({ status: "failed", nextAttemptAt: null, leaseUntil: null, updatedAt: now })
    .where(and(byKey(key), eq(webhookDeliveries.leaseUntil, lease)));
}

/**
 * Pending deliveries that should have been attempted by `cutoff` and are not being attempted
 * now (no lease, or a lapsed one), oldest first: their queue message was lost or never sent.
 */
export async function findOverdueDeliveries(db: Db, cutoff: number, now: number, limit: number): Promise<DeliveryKey[]> {
  return db
    .select({ eventId: webhookDeliveries.eventId, endpointId: webhookDeliveries.endpointId })
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.status, "pending"),
        lte(webhookDeliveries.nextAttemptAt, cutoff),
        or(isNull(webhookDeliveries.leaseUntil), lte(webhookDeliveries.leaseUntil, now)),
      ),
    )
    .orderBy(webhookDeliveries.nextAttemptAt)
    .limit(limit)
    .all();
}

/** When the next pending delivery is due (or its running attempt's lease ends), or null if none is pending. */
export async function nextPendingAt(db: Db): Promise<number | null> {
  const row = await db
    .select({ at: sql<number | null>`min(max(${webhookDeliveries.nextAttemptAt}, coalesce(${webhookDeliveries.leaseUntil}, 0)))`.as("at") })
    .from(webhookDeliveries)
    .where(eq(webhookDeliveries.status, "pending"))
    .get();
  return row?.at ?? null;
}

/** A page of the endpoint's deliveries with their event types, newest first, and how many there are. */
export async function listEndpointDeliveries(db: Db, endpointId: string, page: { limit: number; offset: number }) {
  const [rows, totals] = await db.batch([
    db
      .select({ delivery: webhookDeliveries, eventType: webhookEvents.type })
      .from(webhookDeliveries)
      .innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
      .where(eq(webhookDeliveries.endpointId, endpointId))
      .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.eventId))
      .limit(page.limit)
      .offset(page.offset),
    db.select({ total: count() }).from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, endpointId)),
  ]);
  return { rows, total: totals[0]?.total ?? 0 };
}

/** Makes the delivery pending and due now again (a resend); the row as written, or undefined when there is none. */
export async function rescheduleDelivery(db: Db, key: DeliveryKey, now: number): Promise<WebhookDeliveryRow | undefined> {
  return db
    .update(webhookDeliveries)
    .set({ status: "pending", nextAttemptAt: now, leaseUntil: null, updatedAt: now })
    .where(byKey(key))
    .returning()
    .get();
}

export async function findEventType(db: Db, eventId: string): Promise<string | undefined> {
  const row = await db.select({ type: webhookEvents.type }).from(webhookEvents).where(eq(webhookEvents.id, eventId)).get();
  return row?.type;
}

/** The stored value of `key`, storing `candidate` first if there is none (the first writer wins). */
export async function settingOrInsert(db: Db, key: string, candidate: string): Promise<string> {
  const [, rows] = await db.batch([
    db.insert(instanceSettings).values({ key, value: candidate }).onConflictDoNothing(),
    db.select({ value: instanceSettings.value }).from(instanceSettings).where(eq(instanceSettings.key, key)),
  ]);
  return rows[0]?.value ?? candidate;
}
