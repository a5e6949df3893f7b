/**
 * SQL for webhook endpoints (the extension of README, Webhooks). Secrets arrive here sealed;
 * this module never sees a plain one.
 */
import { count, desc, eq, sql } from "drizzle-orm";
import type { Db } from "./client";
import { webhookEndpoints, type WebhookEndpointRow } from "./schema";

export async function insertWebhookEndpoint(db: Db, row: typeof webhookEndpoints.$inferInsert): Promise<WebhookEndpointRow> {
  return db.insert(webhookEndpoints).values(row).returning().get();
}

export async function findWebhookEndpoint(db: Db, id: string): Promise<WebhookEndpointRow | undefined> {
  return db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id)).get();
}

/** A page of endpoints, newest first, and how many there are. */
export async function listWebhookEndpoints(db: Db, page: { limit: number; offset: number }): Promise<{ rows: WebhookEndpointRow[]; total: number }> {
  const [rows, totals] = await db.batch([
    db.select().from(webhookEndpoints).orderBy(desc(webhookEndpoints.createdAt), desc(webhookEndpoints.id)).limit(page.limit).offset(page.offset),
    db.select({ total: count() }).from(webhookEndpoints),
  ]);
  return { rows, total: totals[0]?.total ?? 0 };
}

/** Updates the endpoint; the row as written, or undefined when there is none. */
export async function updateWebhookEndpoint(
  db: Db,
  id: string,
  values: Partial<Pick<WebhookEndpointRow, "url" | "events" | "description" | "disabled" | "updatedAt">>,
): Promise<WebhookEndpointRow | undefined> {
  return db.update(webhookEndpoints).set(values).where(eq(webhookEndpoints.id, id)).returning().get();
}

/** Deletes the endpoint (its deliveries go by cascade); whether it existed. */
export async function deleteWebhookEndpoint(db: Db, id: string): Promise<boolean> {
  const rows = await db.delete(webhookEndpoints).where(eq(webhookEndpoints.id, id)).returning({ id: webhookEndpoints.id }).all();
  return rows.length > 0;
}

/**
 * Makes `sealedNew` the secret and keeps the current one signing until `previousExpiresAt`, in
 * one statement (two concurrent rotations each demote what is current when they run). Returns
 * the row as written, or undefined when there is no such endpoint.
 */
export async function rotateWebhookEndpointSecret(
  db: Db,
  id: string,
  sealedNew: string,
  previousExpiresAt: number,
  now: number,
): Promise<WebhookEndpointRow | undefined> {
  return db
    .update(webhookEndpoints)
    .set({
      previousSecretEncrypted: sql`${webhookEndpoints.secretEncrypted}`,
      previousSecretExpiresAt: previousExpiresAt,
      secretEncrypted: sealedNew,
      updatedAt: now,
    })
    .where(eq(webhookEndpoints.id, id))
    .returning()
    .get();
}
