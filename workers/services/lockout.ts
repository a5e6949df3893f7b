/**
 * Lockout state derived from stored timestamps, so a lock expires with no background job.
 * A user is locked while `lockedAt` is set and `lockedUntil` is null (indefinite) or in the future.
 *
 * Counting: each failed verify_password / verify_totp adds one to `failedVerificationAttempts`
 * in a single UPDATE; reaching LOCKOUT_MAX_ATTEMPTS sets `lockedAt` and `lockedUntil`
 * (now + LOCKOUT_DURATION_SECONDS, or null when that is 0 = indefinite); a success resets it.
 */
import type { AppContext } from "../context";
import { recordFailedVerification, resetFailedVerifications } from "../db/credentials";
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

/**
 * Counts a failed password/TOTP verification (unless LOCKOUT_MAX_ATTEMPTS is 0). Returns the
 * error to answer with: `failure` normally, or 403 user_locked when this attempt used up the
 * last one and so applied the lock.
 */
export async function recordVerificationFailure(ctx: AppContext, userId: string, failure: ApiError): Promise<ApiError> {
  const { lockoutMaxAttempts, lockoutDurationSeconds } = ctx.config;
  if (lockoutMaxAttempts === 0) return failure;
  const now = ctx.now();
  const row = await recordFailedVerification(ctx.db, userId, {
    maxAttempts: lockoutMaxAttempts,
    now,
    lockedUntil: lockoutDurationSeconds > 0 ? now + lockoutDurationSeconds * 1000 : null,
  });
  if (!row) return failure;
  const state = lockoutState(row, ctx.config, now);
  return state.locked ? errors.userLocked(state.lockoutExpiresInSeconds) : failure;
}

/** A successful verification resets the failure count. */
export async function recordVerificationSuccess(ctx: AppContext, user: Pick<UserRow, "id" | "lockedAt" | "failedVerificationAttempts">): Promise<void> {
  if (user.failedVerificationAttempts === 0 && user.lockedAt === null) return;
  await resetFailedVerifications(ctx.db, user.id, ctx.now());
}
