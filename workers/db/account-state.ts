/**
 * SQL for account state: ban flags and lock timestamps on the users table.
 */
import { and, sql } from "drizzle-orm";
import type { Db } from "./client";
import { users, type UserRow } from "./schema";
import { inJsonList } from "./users";

/** The users among `ids` that exist, in no particular order. */
export async function findUserRowsByIds(db: Db, ids: readonly string[]): Promise<UserRow[]> {
  return db.select().from(users).where(inJsonList(users.id, ids)).all();
}

/**
 * Sets `banned` on every user in `ids` in one statement, but only if all of them exist at that
 * moment (the guard is evaluated inside the statement, so a user deleted concurrently cannot
 * leave the others half-updated). Returns the rows as written, in no particular order: one per
 * id, or none.
 */
export async function setBannedForAll(db: Db, ids: readonly string[], banned: boolean, now: number): Promise<UserRow[]> {
  return setBannedForAllStatement(db, ids, banned, now).all();
}

/** setBannedForAll as a statement for a batch; its result is the rows written. */
export function setBannedForAllStatement(db: Db, ids: readonly string[], banned: boolean, now: number) {
  const allExist = sql`(select count(*) from ${users} where ${inJsonList(users.id, ids)}) = ${ids.length}`;
  return db
    .update(users)
    .set({ banned, updatedAt: now })
    .where(and(inJsonList(users.id, ids), allExist))
    .returning();
}
