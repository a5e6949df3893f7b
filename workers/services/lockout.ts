/**
 * Lockout state derived from stored timestamps, so a lock expires with no background job.
 * A user is locked while `lockedAt` is set and `lockedUntil` is null (indefinite) or in the future.
 *
 * Counting: failures are counted per factor — the password (verify_password) and the second
 * factor (verify_totp: TOTP and backup codes) — and the user is locked when the failures of both
 * together reach LOCKOUT_MAX_ATTEMPTS. A success resets only its own factor's count: before,
 * one shared count reset by any success let someone who knows the password guess codes without
 * end (nine wrong codes, the right password, nine more…); now they get LOCKOUT_MAX_ATTEMPTS wrong
 * codes, minus the password failures not yet cleared. Locking on the sum rather than on either
 * count keeps the rule "LOCKOUT_MAX_ATTEMPTS failures lock" whatever factors they were on, and
 * `verification_attempts_remaining` is exactly the failures left before a lock:
 * LOCKOUT_MAX_ATTEMPTS − (password failures + second-factor failures).
 *
 * Each verify takes an attempt of its factor (one conditional UPDATE on the sum) before it checks
 * the secret, so concurrent guesses of either factor cannot get more than LOCKOUT_MAX_ATTEMPTS
 * checks between them. A failure that leaves the sum at the limit sets `lockedAt` and
 * `lockedUntil` (now + LOCKOUT_DURATION_SECONDS, or null when that is 0 = indefinite). An expired
 * lock's counts are stale and start again at zero; unlock resets both.
 */
import type { AppContext } from "../context";
import {
  findLockoutColumns,
  lockIfAttemptsExhausted,
  reserveVerificationAttempt,
  resetFailedVerificationsStatement,
  type VerificationFactor,
} from "../db/credentials";
import type { UserRow } from "../db/schema";
import type { Statement } from "../db/users";
import type { Config } from "../env";
import { errors, type ApiError } from "../http/errors";
import { batchWithEvents, userEvent, type EventSpec } from "../webhooks/outbox";

export interface LockoutState {
  locked: boolean;
  /** Whole seconds until the lock ends; null when not locked or locked indefinitely. */
  lockoutExpiresInSeconds: number | null;
  /** Failures (of either factor) left before a lock; null when attempt counting is disabled. */
  verificationAttemptsRemaining: number | null;
  /** True when a lock was recorded but has run out (its counters are stale and reset). */
  expired: boolean;
}

type LockoutColumns = Pick<UserRow, "lockedAt" | "lockedUntil" | "failedPasswordAttempts" | "failedSecondFactorAttempts">;

export function lockoutState(user: LockoutColumns, config: Pick<Config, "lockoutMaxAttempts">, now: number): LockoutState {
  const hasLock = user.lockedAt !== null && user.lockedAt !== undefined;
  const expired = hasLock && user.lockedUntil !== null && user.lockedUntil !== undefined && user.lockedUntil <= now;
  const locked = hasLock && !expired;
  const failed = expired ? 0 : user.failedPasswordAttempts + user.failedSecondFactorAttempts;
  return {
    locked,
    lockoutExpiresInSeconds: locked && user.lockedUntil != null ? Math.max(1, Math.ceil((user.lockedUntil - now) / 1000)) : null,
    verificationAttemptsRemaining: config.lockoutMaxAttempts === 0 ? null : Math.max(0, config.lockoutMaxAttempts - failed),
    expired,
  };
}

/** Throws 403 user_locked while `user` is locked; the secret is then not checked at all. */
export function assertNotLocked(ctx: AppContext, user: LockoutColumns): void {
  const state = lockoutState(user, ctx.config, ctx.now());
  if (state.locked) throw errors.userLocked(state.lockoutExpiresInSeconds);
}

/** When a lock applied at `now` ends (null = until unlocked, LOCKOUT_DURATION_SECONDS = 0). */
export const lockedUntilFrom = (ctx: Pick<AppContext, "config">, now: number) =>
  ctx.config.lockoutDurationSeconds > 0 ? now + ctx.config.lockoutDurationSeconds * 1000 : null;

/**
 * Called right before a password (`factor` "password") or code ("second_factor") is checked:
 * 403 user_locked while the user is locked, and otherwise takes one attempt of that factor
 * (unless LOCKOUT_MAX_ATTEMPTS is 0). When the attempts left are all taken by requests still
 * being checked, this one is refused as locked too.
 */
export async function beginVerification(ctx: AppContext, user: LockoutColumns & Pick<UserRow, "id">, factor: VerificationFactor): Promise<void> {
  assertNotLocked(ctx, user);
  const { lockoutMaxAttempts } = ctx.config;
  if (lockoutMaxAttempts === 0) return;
  const now = ctx.now();
  if (await reserveVerificationAttempt(ctx.db, user.id, factor, { maxAttempts: lockoutMaxAttempts, now })) return;
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
 *
 * The failure is what the API shows from here on (one attempt fewer remaining, and at the limit
 * `locked`), so its user.updated is written in this statement's batch, only if it matched the
 * user (one deleted meanwhile has nothing to show). The count itself went up when the attempt
 * was reserved, before the check; an event there would also be sent for a verify that then
 * succeeds and takes the attempt back, changing nothing. One event per failure, so concurrent
 * failures each have theirs.
 */
export async function recordVerificationFailure(ctx: AppContext, userId: string, failure: ApiError): Promise<ApiError> {
  const { lockoutMaxAttempts } = ctx.config;
  if (lockoutMaxAttempts === 0) return failure;
  const now = ctx.now();
  const row = await lockIfAttemptsExhausted(
    ctx.db,
    (statements) => batchWithEvents(ctx, statements, [{ ...userEvent("user.updated", userId), onlyIfChanged: true }]),
    userId,
    { maxAttempts: lockoutMaxAttempts, now, lockedUntil: lockedUntilFrom(ctx, now) },
  );
  if (!row) return failure;
  const state = lockoutState(row, ctx.config, now);
  return state.locked ? errors.userLocked(state.lockoutExpiresInSeconds) : failure;
}

/** A write to run in one batch with its events (see verificationSuccessWrite). */
export interface EventfulWrite {
  statements: [Statement, ...Statement[]];
  events: EventSpec[];
}

/**
 * The write of a successful verification of `factor` (`user` as read before the verify): it
 * resets that factor's failure count (including the attempt it took), not the other factor's;
 * undefined when there is nothing to reset. Its user.updated is there only when the API's view
 * changes: counting is on, the factor had failures before this verify (so
 * verification_attempts_remaining goes back up) and no run-out lock had already made them
 * stale; and only if the reset changed the row (a lock applied meanwhile keeps it).
 */
export function verificationSuccessWrite(
  ctx: AppContext,
  user: LockoutColumns & Pick<UserRow, "id">,
  factor: VerificationFactor,
): EventfulWrite | undefined {
  const own = factor === "password" ? user.failedPasswordAttempts : user.failedSecondFactorAttempts;
  // Without counting no attempt was taken; only a stale count or run-out lock needs clearing.
  if (ctx.config.lockoutMaxAttempts === 0 && own === 0 && user.lockedAt === null) return undefined;
  const now = ctx.now();
  const shown = ctx.config.lockoutMaxAttempts > 0 && own > 0 && !lockoutState(user, ctx.config, now).expired;
  return {
    statements: [resetFailedVerificationsStatement(ctx.db, user.id, factor, now)],
    events: shown ? [{ ...userEvent("user.updated", user.id), onlyIfChanged: true }] : [],
  };
}

/** Runs verificationSuccessWrite: a success resets its factor's failure count, with its event. */
export async function recordVerificationSuccess(
  ctx: AppContext,
  user: LockoutColumns & Pick<UserRow, "id">,
  factor: VerificationFactor,
): Promise<void> {
  const write = verificationSuccessWrite(ctx, user, factor);
  if (write) await batchWithEvents(ctx, write.statements, write.events);
}
