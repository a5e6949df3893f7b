/**
 * Lockout state derived from stored timestamps, so a lock expires with no background job.
 * A user is locked while `lockedAt` is set and `lockedUntil` is null (indefinite) or in the future.
 */
import type { Config } from "../env";
import type { UserRow } from "../db/schema";

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
