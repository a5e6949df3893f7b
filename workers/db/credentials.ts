/**
 * SQL for credentials: backup codes, TOTP replay protection, MFA removal and the lockout
 * counter. Every check-and-write that two concurrent requests could race on is one
 * conditional statement, so exactly one of them wins.
 */
import { and, eq, isNotNull, isNull, lt, or, sql } from "drizzle-orm";
import type { Db } from "./client";
import { backupCodes, phoneNumbers, users, type UserRow } from "./schema";
import type { StoredBackupCode } from "../crypto/backup-codes";
import { type BatchRunner, inJsonList, type Statement } from "./users";

export async function listBackupCodes(db: Db, userId: string) {
  return db
    .select({ id: backupCodes.id, kind: backupCodes.kind, digest: backupCodes.digest })
    .from(backupCodes)
    .where(eq(backupCodes.userId, userId))
    .all();
}

/**
 * The SELECT of the backup codes of several users (the ids as one JSON parameter, so any number
 * fits D1's bound-parameter limit): one lookup of backup_codes_user_id_idx per id.
 */
export function backupCodesOfUsersQuery(db: Db, userIds: readonly string[]) {
  return db
    .select({ id: backupCodes.id, userId: backupCodes.userId, kind: backupCodes.kind, digest: backupCodes.digest })
    .from(backupCodes)
    .where(inJsonList(backupCodes.userId, userIds));
}

/** Runs backupCodesOfUsersQuery: one statement, none for no ids. */
export async function listBackupCodesOfUsers(db: Db, userIds: readonly string[]): Promise<(StoredBackupCode & { userId: string })[]> {
  return userIds.length === 0 ? [] : backupCodesOfUsersQuery(db, userIds).all();
}

export async function countBackupCodes(db: Db, userId: string): Promise<number> {
  const row = await db
    .select({ count: sql<number>`count(*)`.as("count") })
    .from(backupCodes)
    .where(eq(backupCodes.userId, userId))
    .get();
  return Number(row?.count ?? 0);
}

/** Deletes one backup code; true only for the request whose DELETE removed the row. */
export async function consumeBackupCode(db: Db, userId: string, id: string): Promise<boolean> {
  const deleted = await db
    .delete(backupCodes)
    .where(and(eq(backupCodes.id, id), eq(backupCodes.userId, userId)))
    .returning({ id: backupCodes.id })
    .all();
  return deleted.length === 1;
}

/**
 * Records `step` as the last accepted TOTP step unless that step (or a later one) was
 * already accepted; true only for the request that moved it forward (replay protection).
 */
export async function claimTotpStep(db: Db, userId: string, step: number): Promise<boolean> {
  const claimed = await db
    .update(users)
    .set({ totpLastUsedStep: step })
    .where(
      and(eq(users.id, userId), sql`${users.totpSecretEncrypted} is not null`, or(isNull(users.totpLastUsedStep), lt(users.totpLastUsedStep, step))),
    )
    .returning({ id: users.id })
    .all();
  return claimed.length === 1;
}

/** The factor a verification checks; each has its own failure count (see services/lockout.ts). */
export type VerificationFactor = "password" | "second_factor";

type LockoutColumns = Pick<UserRow, "lockedAt" | "lockedUntil" | "failedPasswordAttempts" | "failedSecondFactorAttempts">;
const lockoutColumns = {
  lockedAt: users.lockedAt,
  lockedUntil: users.lockedUntil,
  failedPasswordAttempts: users.failedPasswordAttempts,
  failedSecondFactorAttempts: users.failedSecondFactorAttempts,
};

/** Per factor: its own failure count (column and key) and the other factor's. */
const COUNTERS = {
  password: {
    own: users.failedPasswordAttempts,
    ownKey: "failedPasswordAttempts",
    other: users.failedSecondFactorAttempts,
    otherKey: "failedSecondFactorAttempts",
  },
  second_factor: {
    own: users.failedSecondFactorAttempts,
    ownKey: "failedSecondFactorAttempts",
    other: users.failedPasswordAttempts,
    otherKey: "failedPasswordAttempts",
  },
} as const;

/** Failures of both factors together: the count a lock is decided on. */
const failedTotal = sql`(${users.failedPasswordAttempts} + ${users.failedSecondFactorAttempts})`;
/** A lock that was applied and has run out at `now` (its counts are stale). */
const lockExpired = (now: number) => sql`(${users.lockedAt} is not null and ${users.lockedUntil} is not null and ${users.lockedUntil} <= ${now})`;

/**
 * Takes one attempt of `factor` before its secret is checked, in a single UPDATE: the factor's
 * count goes up by one (restarting at one, and the other factor's at zero, when a lock has run
 * out) unless the user is locked or the failures of both factors together, which include
 * attempts still being checked, have reached `maxAttempts`. So concurrent requests, of either
 * factor, can never get more than `maxAttempts` secrets checked. True when the attempt was taken.
 */
export async function reserveVerificationAttempt(
  db: Db,
  userId: string,
  factor: VerificationFactor,
  input: { maxAttempts: number; now: number },
): Promise<boolean> {
  const expired = lockExpired(input.now);
  const { own, ownKey, other, otherKey } = COUNTERS[factor];
  const reserved = await db
    .update(users)
    .set({
      [ownKey]: sql`case when ${expired} then 1 else ${own} + 1 end`,
      [otherKey]: sql`case when ${expired} then 0 else ${other} end`,
      lockedAt: sql`case when ${expired} then null else ${users.lockedAt} end`,
      lockedUntil: sql`case when ${expired} then null else ${users.lockedUntil} end`,
    })
    .where(
      and(
        eq(users.id, userId),
        or(isNull(users.lockedAt), expired),
        sql`(case when ${expired} then 0 else ${failedTotal} end) < ${input.maxAttempts}`,
      ),
    )
    .returning({ id: users.id })
    .all();
  return reserved.length === 1;
}

/**
 * After a failed check (its attempt already counted by reserveVerificationAttempt): applies the
 * lock if the failures of both factors together have reached `maxAttempts` and no lock is set.
 * Run through `run` so the caller's event joins its batch: the UPDATE matches the user's row
 * whether or not it applies the lock (SQLite's changes() counts a row matched even when no value
 * differs), so changes() > 0 exactly when the user still exists. Returns the lockout columns.
 */
export async function lockIfAttemptsExhausted(
  db: Db,
  run: BatchRunner,
  userId: string,
  input: { maxAttempts: number; now: number; lockedUntil: number | null },
): Promise<LockoutColumns | undefined> {
  const applies = sql`(${users.lockedAt} is null and ${failedTotal} >= ${input.maxAttempts})`;
  const [rows] = (await run([
    db
      .update(users)
      .set({
        lockedAt: sql`case when ${applies} then ${input.now} else ${users.lockedAt} end`,
        lockedUntil: sql`case when ${applies} then ${input.lockedUntil} else ${users.lockedUntil} end`,
      })
      .where(eq(users.id, userId))
      .returning(lockoutColumns),
  ])) as [LockoutColumns[]];
  return rows[0];
}

export async function findLockoutColumns(db: Db, userId: string): Promise<LockoutColumns | undefined> {
  return db.select(lockoutColumns).from(users).where(eq(users.id, userId)).get();
}

/**
 * A successful verification of `factor` clears that factor's failure count, and only that one:
 * knowing the password must not buy more guesses at the second factor, nor the reverse. A lock
 * that has run out is cleared too, with the other factor's stale count. Changes no row when
 * there is nothing to clear or a lock is in force.
 */
export function resetFailedVerificationsStatement(db: Db, userId: string, factor: VerificationFactor, now: number): Statement {
  const expired = lockExpired(now);
  const { own, ownKey, other, otherKey } = COUNTERS[factor];
  return db
    .update(users)
    .set({ [ownKey]: 0, [otherKey]: sql`case when ${expired} then 0 else ${other} end`, lockedAt: null, lockedUntil: null })
    .where(
      and(
        eq(users.id, userId),
        // Never lifts a lock still in force (one a concurrent failure or POST /lock just applied).
        or(isNull(users.lockedAt), expired),
        or(sql`${own} <> 0`, sql`${users.lockedAt} is not null`),
      ),
    );
}

/** Replaces a weak digest by bcrypt, unless the password changed in the meantime. */
export async function replacePasswordDigest(db: Db, userId: string, from: string, to: { digest: string; hasher: string }): Promise<void> {
  await db
    .update(users)
    .set({ passwordDigest: to.digest, passwordHasher: to.hasher })
    .where(and(eq(users.id, userId), eq(users.passwordDigest, from)))
    .run();
}

/**
 * Updates the user's password columns only if the user has a password when the statement runs,
 * and returns the row as written; undefined when nothing changed (no such user, or no password).
 */
/** Writes `values` only while the user has a password; its result is the rows written (none or one). */
export function updatePasswordIfSetStatement(db: Db, userId: string, values: Partial<UserRow>) {
  return db
    .update(users)
    .set(values)
    .where(and(eq(users.id, userId), isNotNull(users.passwordDigest)))
    .returning();
}

export function clearTotpStatement(db: Db, userId: string): Statement {
  return db.update(users).set({ totpSecretEncrypted: null, totpLastUsedStep: null }).where(eq(users.id, userId));
}

export function deleteBackupCodesStatement(db: Db, userId: string): Statement {
  return db.delete(backupCodes).where(eq(backupCodes.userId, userId));
}

export function clearPhoneSecondFactorsStatement(db: Db, userId: string, now: number): Statement {
  return db
    .update(phoneNumbers)
    .set({ reservedForSecondFactor: false, defaultSecondFactor: false, updatedAt: now })
    .where(and(eq(phoneNumbers.userId, userId), or(eq(phoneNumbers.reservedForSecondFactor, true), eq(phoneNumbers.defaultSecondFactor, true))));
}
