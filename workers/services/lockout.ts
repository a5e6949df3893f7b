/**
 * Lockout state derived from stored timestamps, so a lock expires with no background job.
 * A user is locked while `lockedAt` is set and `lockedUntil` is null (indefinite) or in the future.
 *
 * Counting: each verify_password / verify_totp takes an attempt (adds one to
 * `failedVerificationAttempts` in a single conditional UPDATE) before it checks the secret, so
 * concurrent guesses cannot get more than LOCKOUT_MAX_ATTEMPTS checks between them. A failure
 * that leaves the count at the limit sets `lockedAt` and `lockedUntil` (now +
 * LOCKOUT_DURATION_SECONDS, or null when that is 0 = indefinite); a success resets the count.
 */
import type { AppContext } from "../context";
import { findLockoutColumns, lockIfAttemptsExhausted, reserveVerificationAttempt, resetFailedVerifications } from "../db/credentials";
import type { UserRow } from "../db/schema";
import type { Config } from "../env";
import { errors, type ApiError } from "../http/errors";

export interface LockoutState {
  locked: boolean;
  /** Whole seconds until the lock ends; null when not locked or locked indefinitely. */
  lockoutExpiresInSeconds: number | null;
  /** Attempts left before a lock; null when attempt counting is disabled. */
  verificationAttemptsRemaining: number | null;
  /** True when a lock was recorded but has run out (its counters are stale and reset). */
  expired: boolean;
}

export function lockoutState(
  user: Pick<UserRow, "lockedAt" | "lockedUntil" | "failedVerificationAttempts">,
  config: Pick<Config, "lockoutMaxAttempts">,
  now: number,
): LockoutState {
  const hasLock = user.lockedAt !== null && user.lockedAt !== undefined;
  const expired = hasLock && user.lockedUntil !== null && user.lockedUntil !== undefined && user.lockedUntil <= now;
  const locked = hasLock && !expired;
  const failed = expired ? 0 : user.failedVerificationAttempts;
  return {
    locked,
    lockoutExpiresInSeconds: locked && user.lockedUntil != null ? Math.max(1, Math.ceil((user.lockedUntil - now) / 1000)) : null,
    verificationAttemptsRemaining: config.lockoutMaxAttempts === 0 ? null : Math.max(0, config.lockoutMaxAttempts - failed),
    expired,
  };
}

/** Throws 403 user_locked while `user` is locked; the secret is then not checked at all. */
export function assertNotLocked(ctx: AppContext, user: Pick<UserRow, "lockedAt" | "lockedUntil" | "failedVerificationAttempts">): void {
  const state = lockoutState(user, ctx.config, ctx.now());
  if (state.locked) throw errors.userLocked(state.lockoutExpiresInSeconds);
}

/** When a lock applied at `now` ends (null = until unlocked, LOCKOUT_DURATION_SECONDS = 0). */
export const lockedUntilFrom = (ctx: Pick<AppContext, "config">, now: number) =>
  ctx.config.lockoutDurationSeconds > 0 ? now + ctx.config.lockoutDurationSeconds * 1000 : null;

/**
 * Called right before a password or code is checked: 403 user_locked while the user is locked,
 * and otherwise takes one attempt (unless LOCKOUT_MAX_ATTEMPTS is 0). When the attempts left are
 * all taken by requests still being checked, this one is refused as locked too.
 */
export async function beginVerification(ctx: AppContext, user: Pick<UserRow, "id" | "lockedAt" | "lockedUntil" | "failedVerificationAttempts">): Promise<void> {
  assertNotLocked(ctx, user);
  const { lockoutMaxAttempts } = ctx.config;
  if (lockoutMaxAttempts === 0) return;
  const now = ctx.now();
  if (await reserveVerificationAttempt(ctx.db, user.id, { maxAttempts: lockoutMaxAttempts, now })) return;
  const row = await findLockoutColumns(ctx.db, user.id);
  const state = row ? lockoutState(row, ctx.config, now) : undefined;
  if (state?.locked) throw errors.userLocked(state.lockoutExpiresInSeconds);
  // The last attempts are in flight: the lock their failures would apply starts about now.
  const until = lockedUntilFrom(ctx, now);
  throw errors.userLocked(until === null ? null : Math.ceil((until - now) / 1000));
}

/**
 * A failed password/TOTP check (its attempt was taken by beginVerification). Returns the error
 * to answer with: `failure` normally, or 403 user_locked when the attempts are used up, which
 * applies the lock.
 */
export async function recordVerificationFailure(ctx: AppContext, userId: string, failure: ApiError): Promise<ApiError> {
  const { lockoutMaxAttempts } = ctx.config;
  if (lockoutMaxAttempts === 0) return failure;
  const now = ctx.now();
  const row = await lockIfAttemptsExhausted(ctx.db, userId, { maxAttempts: lockoutMaxAttempts, now, lockedUntil: lockedUntilFrom(ctx, now) });
  if (!row) return failure;
  const state = lockoutState(row, ctx.config, now);
  return state.locked ? errors.userLocked(state.lockoutExpiresInSeconds) : failure;
}

/** A successful verification resets the failure count (including the attempt it took). */
export async function recordVerificationSuccess(ctx: AppContext, user: Pick<UserRow, "id" | "lockedAt" | "failedVerificationAttempts">): Promise<void> {
  // Without counting no attempt was taken; only a stale count or run-out lock needs clearing.
  if (ctx.config.lockoutMaxAttempts === 0 && user.failedVerificationAttempts === 0 && user.lockedAt === null) return;
  await resetFailedVerifications(ctx.db, user.id, ctx.now());
}
