/**
 * SQL for webhook deliveries: claiming one attempt, recording its outcome (and logging it in
 * webhook_attempts), finding overdue deliveries for the scheduler, and the endpoint's attempts
 * list. Every state change is one guarded statement, or a batch of statements under the same
 * guard: a delivery is attempted by whoever holds its lease, and only that holder records the
 * outcome.
 */
import { and, eq, isNull, lte, or, sql } from "drizzle-orm";
import type { Db } from "./client";
import { instanceSettings, webhookAttempts, webhookDeliveries, webhookEndpoints, webhookEvents, type WebhookDeliveryRow } from "./schema";
import { runSqlBatch } from "./users";

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
  // A claimed message has done what a sweep's resend was for: from now on the lease keeps
  // others off, and if this attempt dies the sweep takes the delivery again once the lease ends.
  return db
    .update(webhookDeliveries)
    .set({ leaseUntil, sweptAt: null })
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

/** What an attempt did to its delivery (recordAttempt). */
export interface AttemptOutcome {
  /** The delivery's state after it: `pending` while a retry is scheduled. */
  status: "pending" | "succeeded" | "failed";
  /** The receiver's status code; null when none came (a timeout, a refused connection). */
  responseStatus: number | null;
  /** When the retry it caused is due; null when it caused none. */
  nextAttemptAt: number | null;
  /** When the attempt was sent (its svix-timestamp): the log row's created_at. */
  sentAt: number;
  /** When it finished: the delivery's updated_at (the date of its next pending entry). */
  now: number;
}

/**
 * Records an attempt's outcome, if `lease` is still the delivery's (no one took it over): one
 * batch appends the attempt to webhook_attempts (number `attempts + 1`, `succeeded` or
 * `failed`) and updates the delivery, both under the same lease guard, so the log and the
 * delivery's state change together or not at all. One row more per attempt.
 */
export async function recordAttempt(db: Db, key: DeliveryKey, lease: number, outcome: AttemptOutcome): Promise<boolean> {
  const attemptStatus = outcome.status === "succeeded" ? "succeeded" : "failed";
  const [, updated] = await db.batch([
    // Before the update, which clears the lease; the batch is one transaction, so both see it.
    // Columns in webhook_attempts' order: endpoint_id, event_id, attempt, status, response_status, next_attempt_at, created_at.
    db.insert(webhookAttempts).select(sql`
      select endpoint_id, event_id, attempts + 1, ${attemptStatus}, ${outcome.responseStatus}, ${outcome.nextAttemptAt}, ${outcome.sentAt}
      from webhook_deliveries
      where event_id = ${key.eventId} and endpoint_id = ${key.endpointId} and lease_until = ${lease}`),
    db
      .update(webhookDeliveries)
      .set({
        status: outcome.status,
        attempts: sql`${webhookDeliveries.attempts} + 1`,
        responseStatus: outcome.responseStatus,
        nextAttemptAt: outcome.nextAttemptAt,
        leaseUntil: null,
        sweptAt: null,
        updatedAt: outcome.now,
      })
      .where(and(byKey(key), eq(webhookDeliveries.leaseUntil, lease)))
      .returning({ eventId: webhookDeliveries.eventId }),
  ]);
  return updated.length > 0;
}

/** Marks a delivery failed without an attempt (its endpoint was disabled or deleted meanwhile). */
export async function abandonDelivery(db: Db, key: DeliveryKey, lease: number, now: number): Promise<void> {
  await db
    .update(webhookDeliveries)
    .set({ status: "failed", nextAttemptAt: null, leaseUntil: null, updatedAt: now })
    .where(and(byKey(key), eq(webhookDeliveries.leaseUntil, lease)));
}

/** When a delivery is next looked at by a sweep (see sweepOverdueDeliveries). */
export interface SweepTimes {
  /** How late a due delivery may be before a sweep sends it again. */
  graceMs: number;
  /** How long after a sweep sent it the same delivery may be sent again. */
  resweepMs: number;
}

/**
 * When a pending delivery becomes a sweep's to send: the latest of when it is overdue by
 * `graceMs`, when its running attempt's lease ends (0: none), and `resweepMs` after a sweep last
 * sent it (0: none since its last attempt or resend). One expression for the sweep and for when
 * to wake it, so the two cannot disagree.
 */
const sweepableAt = (times: SweepTimes) =>
  sql<
    number | null
  >`max(${webhookDeliveries.nextAttemptAt} + ${times.graceMs}, coalesce(${webhookDeliveries.leaseUntil}, 0), coalesce(${webhookDeliveries.sweptAt} + ${times.resweepMs}, 0))`;

/**
 * Takes the pending deliveries that should have been attempted by `now - graceMs`, are not
 * being attempted (no lease, or a lapsed one), and were not sent by a sweep in the last
 * `resweepMs` (sweepableAt ≤ now): their queue message was lost, never sent, or is stuck behind
 * a long backlog. One statement marks them swept now and returns them (at most `limit`, the most
 * overdue; in no particular order), so two sweeps at once never both send the same delivery.
 */
export async function sweepOverdueDeliveries(db: Db, now: number, times: SweepTimes, limit: number): Promise<DeliveryKey[]> {
  const overdue = db
    .select({ rowid: sql`rowid` })
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.status, "pending"),
        // Implied by the next condition; stated so the due index bounds the read.
        lte(webhookDeliveries.nextAttemptAt, now - times.graceMs),
        sql`${sweepableAt(times)} <= ${now}`,
      ),
    )
    .orderBy(webhookDeliveries.nextAttemptAt)
    .limit(limit);
  return db
    .update(webhookDeliveries)
    .set({ sweptAt: now })
    .where(sql`rowid in ${overdue}`)
    .returning({ eventId: webhookDeliveries.eventId, endpointId: webhookDeliveries.endpointId })
    .all();
}

/** Undoes sweepOverdueDeliveries' mark on `keys` (marked at `sweptAt`) when their send failed. */
export async function unmarkSwept(db: Db, keys: readonly DeliveryKey[], sweptAt: number): Promise<void> {
  if (keys.length === 0) return;
  await db
    .update(webhookDeliveries)
    .set({ sweptAt: null })
    .where(
      and(
        eq(webhookDeliveries.sweptAt, sweptAt),
        sql`(${webhookDeliveries.eventId}, ${webhookDeliveries.endpointId}) in (select value ->> 0, value ->> 1 from json_each(${JSON.stringify(keys.map((k) => [k.eventId, k.endpointId]))}))`,
      ),
    );
}

/** When the next sweep has something to do (the earliest sweepableAt); null if nothing is pending. */
export async function nextSweepAt(db: Db, times: SweepTimes): Promise<number | null> {
  const row = await db
    .select({ at: sql<number | null>`min(${sweepableAt(times)})`.as("at") })
    .from(webhookDeliveries)
    .where(eq(webhookDeliveries.status, "pending"))
    .get();
  return row?.at ?? null;
}

/** One entry of an endpoint's attempts list (README, Webhooks). */
export interface AttemptEntry {
  eventId: string;
  eventType: string;
  status: "pending" | "succeeded" | "failed";
  responseStatus: number | null;
  attempt: number;
  createdAt: number;
  nextAttemptAt: number | null;
}

/**
 * The endpoint's attempts list: every attempt made (webhook_attempts) and, for each pending
 * delivery, one `pending` entry for its upcoming attempt (number `attempts + 1`, dated by the
 * delivery's updated_at — its creation, the attempt before, or a resend —, `next_attempt_at`
 * when it is due). Newest first: created_at, then message id, then attempt number, descending.
 *
 * Both halves are read in that order from an index (webhook_attempts_endpoint_idx,
 * webhook_deliveries_endpoint_state_idx) and merged (SQLite's MERGE (UNION ALL)), so a page
 * reads offset + limit entries and sorts nothing; the event types are looked up for the page's
 * entries only. The outer ORDER BY only keeps the merged order (D1's SQLite plans no sort for it;
 * an older one sorts the page's own rows). test/webhooks/attempts.test.ts checks the plan.
 */
export function endpointAttemptsPageSql(endpointId: string, page: { limit: number; offset: number }) {
  return sql`
    select p.event_id as eventId, coalesce((select type from webhook_events where id = p.event_id), '') as eventType,
      p.status as status, p.response_status as responseStatus, p.attempt as attempt,
      p.created_at as createdAt, p.next_attempt_at as nextAttemptAt
    from (
      select event_id, attempt, status, response_status, created_at, next_attempt_at
      from webhook_attempts where endpoint_id = ${endpointId}
      union all
      select event_id, attempts + 1, 'pending', null, updated_at, next_attempt_at
      from webhook_deliveries where endpoint_id = ${endpointId} and status = 'pending'
      order by created_at desc, event_id desc, attempt desc
      limit ${page.limit} offset ${page.offset}
    ) p
    order by p.created_at desc, p.event_id desc, p.attempt desc`;
}

/** How many entries the endpoint's attempts list has (two counts over the same indexes). */
export function endpointAttemptsCountSql(endpointId: string) {
  return sql`
    select (select count(*) from webhook_attempts where endpoint_id = ${endpointId})
      + (select count(*) from webhook_deliveries where endpoint_id = ${endpointId} and status = 'pending') as total`;
}

/** A page of the endpoint's attempts list and its total, read in one batch (one snapshot). */
export async function listEndpointAttempts(db: Db, endpointId: string, page: { limit: number; offset: number }) {
  const [rows, totals] = await runSqlBatch(db, [endpointAttemptsPageSql(endpointId, page), endpointAttemptsCountSql(endpointId)]);
  return { rows: rows.results as AttemptEntry[], total: (totals.results[0] as { total: number } | undefined)?.total ?? 0 };
}

/** Makes the delivery pending and due now again (a resend); the row as written, or undefined when there is none. */
export async function rescheduleDelivery(db: Db, key: DeliveryKey, now: number): Promise<WebhookDeliveryRow | undefined> {
  return db
    .update(webhookDeliveries)
    .set({ status: "pending", nextAttemptAt: now, leaseUntil: null, sweptAt: null, updatedAt: now })
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
