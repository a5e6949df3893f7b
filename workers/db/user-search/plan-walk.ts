/**
 * A search in an order other than created_at, answered by walking that order: users are taken
 * from the order's (column, id) index a chunk at a time (keyset continuation, NULLs last as the
 * API sorts them), each tested against the search and the filters, until offset + limit users
 * qualify. Each statement walks one chunk, so none holds the database for long.
 *
 * Two uses:
 * - "walk": a broad search with terms of 3+ characters, where the first users of the order
 *   already hold the page. Each user is tested by FTS rowid (a seek in each term's doclists,
 *   costly per user, so chunks are small), and the walk gives up after `walkBudget` users, leaving
 *   the page to the ranked plan.
 * - "scan": a search made only of 1–2 character terms (no trigrams, so no index can find them):
 *   each user's document is tested by substring, cheap enough for large chunks, and the walk goes
 *   on until the page is full or the users run out, so every match is found.
 *
 * Rows read: about three per user walked (index entry, user row, document).
 */
import { and, sql, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { type Db, meterOf } from "../client";
import { users, type UserRow } from "../schema";
import { ORDER_COLUMNS, whereOf, type UserFilter, type UserOrder, type UserPage } from "./filter";
import { fetchUsersInOrder } from "./rows";
import { Chunker } from "./spans";
import { needsFtsPerUser, userMatches } from "./terms";

type SortValue = string | number | null;

/**
 * Users per statement: at least, at first at most, and at most. Testing a user by FTS rowid costs
 * a few hundred µs; by substring about a µs (measured at 100k users, local D1).
 */
const FTS_WALK_CHUNK = { min: 8, first: 32, max: 64 };
const SCAN_CHUNK = { min: 16, first: 1024, max: 4096 };

/**
 * How far the FTS walk goes: at most `sample` users, so at limit 10 it succeeds when more than
 * about one user in five matches. It is tried only when the newest span holds at least `probe`
 * matches, unless that span is too small to tell (findUserPage), and it gives up as soon as the
 * users it has walked show the search is too rare to fill the page within `sample`.
 */
export function walkBudget(page: Pick<UserPage, "limit" | "offset">): { probe: number; sample: number } {
  const wanted = page.offset + page.limit;
  return { probe: wanted + 10, sample: Math.floor((5 * wanted + 100) / 3) };
}

/** A walked row: the user's value in the order and id (rows of one user stand together). */
export interface WalkedRow {
  v: SortValue;
  id: string;
}

/**
 * Walks the users in `column` order (NULLs last, ties by id, both in the requested direction),
 * a chunk of users per statement, with keyset continuation on (value, id). `select(chunk, phase)`
 * builds the statement over `chunk`, a FROM-clause subquery `w(v, id)` of the next users; its rows
 * must be in walk order and carry each walked user's `v` and `id` (a user may have several rows,
 * or none only if it is not the chunk's last). `take(rows)` consumes them and says whether to
 * stop; `usersLeft()` caps the next chunk. Returns whether every user was walked.
 */
export async function walkInOrder<R extends WalkedRow>(
  db: Db,
  column: SQLiteColumn,
  descending: boolean,
  chunker: Chunker,
  select: (chunk: SQL, orderBy: SQL) => SQL,
  take: (rows: R[]) => boolean,
  usersLeft: () => number = () => Infinity,
): Promise<boolean> {
  const dir = sql.raw(descending ? "desc" : "asc");
  const cmp = sql.raw(descending ? "<" : ">");
  // Two phases: the users with a value in the order, then (NULLs last) those without.
  let phase: "values" | "nulls" = "values";
  let last: WalkedRow | undefined;
  for (;;) {
    const size = Math.min(chunker.size, usersLeft());
    let continuation: SQL;
    if (phase === "values") {
      continuation = last ? sql`${column} is not null and (${column}, ${users.id}) ${cmp} (${last.v}, ${last.id})` : sql`${column} is not null`;
    } else {
      continuation = last ? sql`${column} is null and ${users.id} ${cmp} ${last.id}` : sql`${column} is null`;
    }
    const innerOrder = phase === "values" ? sql`${column} ${dir}, ${users.id} ${dir}` : sql`${users.id} ${dir}`;
    const chunk = sql`(select ${column} as v, ${users.id} as id from ${users} where ${continuation} order by ${innerOrder} limit ${sql.raw(String(size))}) w`;
    const outerOrder = phase === "values" ? sql`w.v ${dir}, w.id ${dir}` : sql`w.id ${dir}`;
    const rows = await chunker.run(() => db.all<R>(select(chunk, outerOrder)));
    if (take(rows)) return false;
    const walked = new Set(rows.map((r) => r.id)).size;
    if (walked < size) {
      if (phase === "nulls") return true; // every user walked
      phase = "nulls";
      last = undefined;
    } else {
      last = rows[rows.length - 1];
    }
  }
}

/**
 * The page, walking `order`; undefined when the FTS walk used up `maxUsers` before finding it.
 * `kind` picks the per-user test's cost (chunk sizes).
 */
export async function walkPage(
  db: Db,
  filter: UserFilter,
  order: UserOrder,
  page: UserPage,
  kind: "walk" | "scan",
  maxUsers = Infinity,
): Promise<UserRow[] | undefined> {
  const wanted = page.offset + page.limit;
  const sizes = needsFtsPerUser(filter.search) ? FTS_WALK_CHUNK : SCAN_CHUNK;
  // The first chunk is about the page (a broad search fills it at once); later ones grow while
  // statements stay fast. None takes the walk past its budget.
  const chunker = new Chunker(Math.min(sizes.first, Math.max(sizes.min, wanted + 10)), sizes.min, sizes.max, meterOf(db));
  const test = and(whereOf(filter), userMatches(filter.search, sql`w.id`)) ?? sql`1`;
  const hits: string[] = [];
  let walked = 0;
  let gaveUp = false;
  const exhausted = await walkInOrder<WalkedRow & { hit: number }>(
    db,
    ORDER_COLUMNS[order.field],
    order.descending,
    chunker,
    (chunk, orderBy) =>
      sql`select w.v as v, w.id as id, (case when ${test} then 1 else 0 end) as hit from ${chunk} cross join ${users} on ${users.id} = w.id order by ${orderBy}`,
    (rows) => {
      walked += rows.length;
      for (const row of rows) if (row.hit && hits.length < wanted) hits.push(row.id);
      if (hits.length >= wanted) return true;
      // At the rate found so far, the budget would end before the page is full: give up now.
      gaveUp = kind === "walk" && (walked >= maxUsers || (hits.length / walked) * maxUsers < wanted);
      return gaveUp;
    },
    () => maxUsers - walked,
  );
  if (gaveUp && !exhausted) return undefined;
  return fetchUsersInOrder(db, hits.slice(page.offset, wanted));
}
