/**
 * The password credential's admin operations: remove it, and mark it (not) compromised.
 * Sessions do not exist here, so the operations' session options change nothing.
 */
import type { AppContext } from "../context";
import { updatePasswordIfSetStatement } from "../db/credentials";
import type { UserRow } from "../db/schema";
import { aggregateOf, type UserAggregate } from "../db/users";
import { errors } from "../http/errors";
import { batchWithEvents, userEvent } from "../webhooks/outbox";
import { getUser } from "./users";

/**
 * Writes `values` while the user has a password, with its user.updated; the event only when the
 * guarded update wrote the row. Returns the row written, or undefined.
 */
async function updatePasswordIfSet(ctx: AppContext, userId: string, values: Partial<UserRow>): Promise<UserRow | undefined> {
  const [rows] = (await batchWithEvents(
    ctx,
    [updatePasswordIfSetStatement(ctx.db, userId, values)],
    [{ ...userEvent("user.updated", userId), onlyIfChanged: true }],
  )) as [UserRow[]];
  return rows[0];
}

/**
 * POST remove_password: the user no longer has a password. A user without one is returned
 * unchanged (spec RemoveUserPassword), updated_at included.
 */
export async function removeUserPassword(ctx: AppContext, userId: string): Promise<UserAggregate> {
  const row = await updatePasswordIfSet(ctx, userId, {
    passwordDigest: null,
    passwordHasher: null,
    passwordLastUpdatedAt: null,
    passwordCompromisedAt: null,
    updatedAt: ctx.now(),
  });
  return row ? aggregateOf(row) : getUser(ctx, userId);
}

/**
 * POST password/set_compromised and unset_compromised. The password must exist when the write
 * runs (a concurrent removal wins): otherwise 404 for an unknown user, else 400 no_password_set.
 */
export async function setUserPasswordCompromised(ctx: AppContext, userId: string, compromised: boolean): Promise<UserAggregate> {
  const now = ctx.now();
  const row = await updatePasswordIfSet(ctx, userId, { passwordCompromisedAt: compromised ? now : null, updatedAt: now });
  if (row) return aggregateOf(row);
  await getUser(ctx, userId);
  throw errors.noPasswordSet();
}
