/**
 * GET /users and /users/count. Minimal for now: newest first with limit/offset; the search
 * issue adds every filter, search and ordering here.
 */
import type { AppContext } from "../context";
import { countUserRows, listUserRows, loadAggregates, type UserAggregate } from "../db/users";
import { pagination, type Query } from "../http/query";

export async function listUsers(ctx: AppContext, query: Query): Promise<UserAggregate[]> {
  const { limit, offset } = pagination(query);
  return loadAggregates(ctx.db, await listUserRows(ctx.db, limit, offset));
}

export async function countUsers(ctx: AppContext, _query: Query): Promise<number> {
  return countUserRows(ctx.db);
}
