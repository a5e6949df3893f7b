/**
 * A page without a search: one statement on the users table, served by the order's (column, id)
 * index. NULLs sort last in both directions and ties break by id in the same direction, so
 * (value, id) is a total order and pages never overlap.
 */
import { and, sql } from "drizzle-orm";
import type { Db } from "../client";
import { users, type UserRow } from "../schema";
import { ORDER_COLUMNS, whereOf, type UserFilter, type UserOrder, type UserPage } from "./filter";

export async function plainPage(db: Db, filter: UserFilter, order: UserOrder, page: UserPage): Promise<UserRow[]> {
  const column = ORDER_COLUMNS[order.field];
  const direction = sql.raw(order.descending ? "desc" : "asc");
  let where = whereOf(filter);
  if (page.after) {
    // Keyset over the (created_at, id) index; only reachable with created_at order.
    const cmp = sql.raw(order.descending ? "<" : ">");
    where = and(where, sql`(${users.createdAt}, ${users.id}) ${cmp} (${page.after.createdAt}, ${page.after.id})`);
  }
  return db
    .select()
    .from(users)
    .where(where)
    .orderBy(sql`${column} ${direction} nulls last, ${users.id} ${direction}`)
    .limit(page.limit)
    .offset(page.offset)
    .all();
}
