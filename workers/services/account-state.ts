/**
 * Account state set by the backend: ban/unban (one user or up to 50) and lock/unlock.
 * A lock is two timestamps (workers/services/lockout.ts derives `locked` from them), so it
 * expires by itself with no job running.
 */
import type { AppContext } from "../context";
import { findUserRowsByIds, setBannedForAllStatement } from "../db/account-state";
import { aggregateOf, updateUserReturningStatement, type UserAggregate } from "../db/users";
import { batchWithEvents, userEvent } from "../webhooks/outbox";
import type { UserRow } from "../db/schema";
import { errors } from "../http/errors";
import { lockedUntilFrom } from "./lockout";

/** One statement and its user.updated event: the update returns the row it wrote (none: 404). */
async function updateAccountState(ctx: AppContext, userId: string, values: Partial<UserRow>): Promise<UserAggregate> {
  const [rows] = (await batchWithEvents(
    ctx,
    [updateUserReturningStatement(ctx.db, userId, { ...values, updatedAt: ctx.now() })],
    [userEvent("user.updated", userId)],
  )) as [UserRow[]];
  const row = rows[0];
  if (!row) throw errors.userNotFound(userId);
  return aggregateOf(row);
}

/** Marks the user banned (true) or lifts the ban (false). No sessions exist here to revoke. */
export async function setUserBanned(ctx: AppContext, userId: string, banned: boolean): Promise<UserAggregate> {
  return updateAccountState(ctx, userId, { banned });
}

function unknownIdsError(missing: string[]) {
  return errors.paramValueInvalid("user_ids", `The following user_ids were not found: ${missing.join(", ")}`, 400);
}

/**
 * Bans or unbans every listed user, all or nothing: if any id is unknown → 400
 * form_param_value_invalid naming user_ids (the unknown ids in long_message) and nothing changes.
 * Returns the users in the order first listed (duplicates collapse).
 */
export async function setUsersBanned(ctx: AppContext, userIds: string[], banned: boolean): Promise<UserAggregate[]> {
  const ids = [...new Set(userIds)];
  // One user.updated per user, written only if the guarded update changed the rows.
  const [updated] = (await batchWithEvents(
    ctx,
    [setBannedForAllStatement(ctx.db, ids, banned, ctx.now())],
    [{ ...userEvent("user.updated", ...ids), onlyIfChanged: true }],
  )) as [UserRow[]];
  if (updated.length === 0) {
    // The guarded update changed nothing: some listed user does not exist. Name them.
    const found = new Set((await findUserRowsByIds(ctx.db, ids)).map((r) => r.id));
    throw unknownIdsError(ids.filter((id) => !found.has(id)));
  }
  const byId = new Map(updated.map((r) => [r.id, r]));
  return ids
    .map((id) => byId.get(id))
    .filter((r): r is UserRow => r !== undefined)
    .map(aggregateOf);
}

/**
 * Locks the user now for LOCKOUT_DURATION_SECONDS (0 = until unlocked), whether or not attempt
 * counting is enabled. Locking a locked user starts the period again.
 */
export async function lockUser(ctx: AppContext, userId: string): Promise<UserAggregate> {
  const now = ctx.now();
  return updateAccountState(ctx, userId, { lockedAt: now, lockedUntil: lockedUntilFrom(ctx, now) });
}

/** Lifts any lock and resets the failed-attempt counts of both factors, so all attempts are available again. */
export async function unlockUser(ctx: AppContext, userId: string): Promise<UserAggregate> {
  return updateAccountState(ctx, userId, { lockedAt: null, lockedUntil: null, failedPasswordAttempts: 0, failedSecondFactorAttempts: 0 });
}
