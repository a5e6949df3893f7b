/**
 * SQL for reading external accounts' tokens and for the single-flight refresh lease.
 *
 * The lease lives on the account row (refresh_lease_id, refresh_lease_until) and is taken with a
 * conditional UPDATE, so it holds across isolates and instances: D1 applies writes one at a time,
 * and only one UPDATE can match the "free lease, unchanged token" condition.
 */
import { and, count, eq, isNull, lte, or, sql } from "drizzle-orm";
import type { Db } from "./client";
import { externalAccounts, type ExternalAccountRow } from "./schema";

const byUserAndProvider = (userId: string, provider: string) => and(eq(externalAccounts.userId, userId), eq(externalAccounts.provider, provider));

export async function countExternalAccountsByProvider(db: Db, userId: string, provider: string): Promise<number> {
  const row = await db
    .select({ n: count().as("n") })
    .from(externalAccounts)
    .where(byUserAndProvider(userId, provider))
    .get();
  return row?.n ?? 0;
}

/** One page of the user's accounts for a provider, oldest first. */
export async function listExternalAccountsByProvider(
  db: Db,
  userId: string,
  provider: string,
  page: { limit: number; offset: number },
): Promise<ExternalAccountRow[]> {
  return db
    .select()
    .from(externalAccounts)
    .where(byUserAndProvider(userId, provider))
    .orderBy(externalAccounts.createdAt, externalAccounts.id)
    .limit(page.limit)
    .offset(page.offset)
    .all();
}

export async function findExternalAccountById(db: Db, id: string): Promise<ExternalAccountRow | undefined> {
  return db.select().from(externalAccounts).where(eq(externalAccounts.id, id)).get();
}

/**
 * Takes the refresh lease if it is free (never taken, released, or lapsed at `now`) and the
 * access token is still the one the caller read — so a caller that read the row before
 * someone else's refresh cannot refresh again with a spent refresh token. True when taken.
 */
export async function acquireRefreshLease(
  db: Db,
  lease: { accountId: string; leaseId: string; until: number; now: number; expectedAccessToken: string | null },
): Promise<boolean> {
  const taken = await db
    .update(externalAccounts)
    .set({ refreshLeaseId: lease.leaseId, refreshLeaseUntil: lease.until })
    .where(
      and(
        eq(externalAccounts.id, lease.accountId),
        sql`${externalAccounts.accessTokenEncrypted} IS ${lease.expectedAccessToken}`,
        or(isNull(externalAccounts.refreshLeaseUntil), lte(externalAccounts.refreshLeaseUntil, lease.now)),
      ),
    )
    .returning({ id: externalAccounts.id })
    .all();
  return taken.length === 1;
}

export interface RefreshedColumns {
  accessTokenEncrypted: string;
  refreshTokenEncrypted: string;
  idTokenEncrypted: string | null;
  tokenExpiresAt: number | null;
  approvedScopes: string;
  updatedAt: number;
}

/**
 * Stores a refresh's outcome and releases the lease in one statement, fenced on the lease id:
 * a holder whose lease lapsed and was taken over does not overwrite the newer holder's tokens.
 * Returns the updated row, or undefined when the fence refused the write.
 */
export async function storeRefreshedTokens(
  db: Db,
  accountId: string,
  leaseId: string,
  columns: RefreshedColumns,
): Promise<ExternalAccountRow | undefined> {
  const rows = await db
    .update(externalAccounts)
    .set({ ...columns, refreshLeaseId: null, refreshLeaseUntil: null })
    .where(and(eq(externalAccounts.id, accountId), eq(externalAccounts.refreshLeaseId, leaseId)))
    .returning()
    .all();
  return rows[0];
}

/**
 * Ends a lease without new tokens. The lease id becomes `outcome` (e.g. `failed:400`) with an
 * already-lapsed expiry: the next request may refresh at once, while requests that were waiting
 * on this lease read why it ended instead of calling the provider again.
 */
export async function endRefreshLease(db: Db, accountId: string, leaseId: string, outcome: string, now: number): Promise<void> {
  await db
    .update(externalAccounts)
    .set({ refreshLeaseId: outcome, refreshLeaseUntil: now })
    .where(and(eq(externalAccounts.id, accountId), eq(externalAccounts.refreshLeaseId, leaseId)));
}

/**
 * After a refresh whose tokens could not all be stored: keeps the refresh token the provider
 * issued (a rotating provider has already spent the old one, so without it the account could
 * never be refreshed again) and releases the lease, in one statement fenced on the lease id.
 * Small on purpose, so it is written even when the full store was refused (e.g. an access token
 * larger than D1 stores). True when written.
 */
export async function keepRefreshTokenAndReleaseLease(
  db: Db,
  accountId: string,
  leaseId: string,
  refreshTokenEncrypted: string,
  now: number,
): Promise<boolean> {
  const rows = await db
    .update(externalAccounts)
    .set({ refreshTokenEncrypted, refreshLeaseId: null, refreshLeaseUntil: null, updatedAt: now })
    .where(and(eq(externalAccounts.id, accountId), eq(externalAccounts.refreshLeaseId, leaseId)))
    .returning({ id: externalAccounts.id })
    .all();
  return rows.length === 1;
}
