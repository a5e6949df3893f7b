/** Reading the page's user rows once a plan knows which users it holds. */
import type { Db } from "../client";
import { users, type UserRow } from "../schema";
import { inJsonList } from "../users";

/** The most spans one statement of a search takes on, however fast the previous one was. */
export const SPAN_GROUP_MAX = 64;

/** The users with these ids, in this order (one statement, one row each). */
export async function fetchUsersInOrder(db: Db, ids: string[]): Promise<UserRow[]> {
  if (ids.length === 0) return [];
  const rows = await db.select().from(users).where(inJsonList(users.id, ids)).all();
  const byId = new Map(rows.map((r) => [r.id, r]));
  // A user deleted between the search and this read is simply not on the page.
  return ids.flatMap((id) => byId.get(id) ?? []);
}
