/**
 * Counting the users that match a filter (GET /users/count).
 *
 * Without a search it is one statement: the trigger-maintained total (1 row) when there is no
 * filter, else a count over the users table's indexes. With a search it is a sum over span
 * groups (spans.ts): every match is counted, and no statement looks at more than its group's
 * documents. Rows read: about one per match (FTS row), plus the user row when there are filters;
 * a search made only of 1–2 character terms reads every document (no index can find them).
 */
import { and, eq, sql } from "drizzle-orm";
import { type Db, meterOf } from "../client";
import { users, userTotals } from "../schema";
import { whereOf, type UserFilter } from "./filter";
import { SPAN_GROUP_MAX } from "./rows";
import { Chunker, rangeConditions, readSpans, spanGroups, type DocRange } from "./spans";
import { anchorTerms, ftsMatchExpression, matchesIn } from "./terms";

export async function countMatching(db: Db, filter: UserFilter): Promise<number> {
  const where = whereOf(filter);
  if (filter.search.length === 0) {
    // Every user: the trigger-maintained total (workers/db/derived/totals.ts) is one row instead of all of them.
    const row = where
      ? await db
          .select({ count: sql<number>`count(*)`.as("count") })
          .from(users)
          .where(where)
          .get()
      : await db.select({ count: userTotals.users }).from(userTotals).where(eq(userTotals.id, 1)).get();
    return Number(row?.count ?? 0);
  }
  const { fts, tested } = anchorTerms(filter.search);
  const onlyFts = !where && tested.length === 0;
  const countIn = (range: DocRange) => {
    // Only FTS terms and no filter: every user has exactly one document (triggers), so the FTS
    // matches are the users, one row read each.
    if (onlyFts) {
      return db
        .select({ count: sql<number>`count(*)`.as("count") })
        .from(sql`user_search`)
        .where(and(sql`user_search match ${ftsMatchExpression(fts)}`, ...rangeConditions(sql`user_search.rowid`, range)))
        .get();
    }
    const matches = matchesIn(filter.search, range);
    return where
      ? db
          .select({ count: sql<number>`count(*)`.as("count") })
          .from(matches)
          .crossJoin(users)
          .where(and(sql`${users.id} = m.user_id`, where))
          .get()
      : db
          .select({ count: sql<number>`count(*)`.as("count") })
          .from(matches)
          .get();
  };
  // Counting costs about a µs per document a statement looks at (FTS5 or a substring test), so the
  // first statement takes on 8 spans (at most 32k documents); then by its execution time.
  const chunker = new Chunker(8, 1, SPAN_GROUP_MAX, meterOf(db));
  let total = 0;
  for (const range of spanGroups(await readSpans(db), true, chunker)) {
    const row = await chunker.run(() => countIn(range));
    total += Number(row?.count ?? 0);
  }
  return total;
}
