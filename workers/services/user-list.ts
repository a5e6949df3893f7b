/**
 * GET /users and /users/count: run the index-backed queries of db/user-search on a filter,
 * order and page the route has parsed (schemas/user-queries.ts).
 */
import type { AppContext } from "../context";
import { countUsersMatching, findUserCreatedAt, findUserRowsMatching, type UserFilter } from "../db/user-search";
import { aggregateOf, type UserAggregate } from "../db/users";
import { errors } from "../http/errors";
import type { ListUsersQuery } from "../schemas/user-queries";

/**
 * GET /users: a page of users matching every filter. `startingAfter` (created_at order, offset
 * 0, checked by the schema) pages from that user's (created_at, id); an unknown user → 422.
 */
export async function listUsers(ctx: AppContext, { filter, order, page, startingAfter }: ListUsersQuery): Promise<UserAggregate[]> {
  let after: { createdAt: number; id: string } | undefined;
  if (startingAfter) {
    const createdAt = await findUserCreatedAt(ctx.db, startingAfter);
    if (createdAt === undefined) throw errors.paramValueInvalid("starting_after", `No user was found with id ${startingAfter}.`);
    after = { createdAt, id: startingAfter };
  }
  const rows = await findUserRowsMatching(ctx.db, filter, order, { ...page, after });
  return rows.map(aggregateOf);
}

/** GET /users/count: how many users match every filter. */
export async function countUsers(ctx: AppContext, filter: UserFilter): Promise<number> {
  return countUsersMatching(ctx.db, filter);
}
