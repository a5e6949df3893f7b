/**
 * SQL for signed-out dashboard sessions (workers/services/dashboard-session.ts has the rules).
 * A row names a token's nonce and the token's own expiry; it matters only until then, so every
 * sign-out also deletes a bounded number of rows past their expiry, in the same batch.
 */
import { eq, inArray, lte } from "drizzle-orm";
import type { Db } from "./client";
import { dashboardRevokedSessions as revoked } from "./schema";

/**
 * Expired rows one sign-out deletes at most. Each sign-out adds one row and removes up to this
 * many expired ones, so the table holds the live revocations plus a backlog that every sign-out
 * shrinks, and no sign-out's statement grows with the table.
 */
export const EXPIRED_REVOCATIONS_PER_SIGN_OUT = 100;

/** Whether the session with this nonce was signed out (one primary-key lookup). */
export async function isSessionRevoked(db: Db, nonce: string): Promise<boolean> {
  const row = await db.select({ nonce: revoked.nonce }).from(revoked).where(eq(revoked.nonce, nonce)).get();
  return row !== undefined;
}

/**
 * The delete of up to EXPIRED_REVOCATIONS_PER_SIGN_OUT rows expired at `now` (expires_at ≤ now:
 * the signature check already refuses a token at its expiry). The subquery reads the
 * expires_at index (test/routes/dashboard-sign-out.test.ts checks the plan), not the table.
 */
export function deleteExpiredRevocationsQuery(db: Db, now: number) {
  const expired = db.select({ nonce: revoked.nonce }).from(revoked).where(lte(revoked.expiresAt, now)).limit(EXPIRED_REVOCATIONS_PER_SIGN_OUT);
  return db.delete(revoked).where(inArray(revoked.nonce, expired));
}

/**
 * Records a sign-out: the nonce is refused until `expiresAt` (INSERT OR IGNORE, so signing out
 * the same session twice, or twice at once, is one row and no error), and, in the same batch
 * (one transaction), expired rows are removed.
 */
export async function recordRevokedSession(db: Db, revocation: { nonce: string; expiresAt: number; now: number }): Promise<void> {
  await db.batch([
    db.insert(revoked).values({ nonce: revocation.nonce, expiresAt: revocation.expiresAt }).onConflictDoNothing(),
    deleteExpiredRevocationsQuery(db, revocation.now),
  ]);
}
