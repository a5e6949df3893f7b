/**
 * A search with terms of 3+ characters in an order other than created_at: FTS5 sorts each span
 * group's matches, and the groups' best are merged.
 *
 * Every search document stores one sort key per order (workers/db/derived/search.ts):
 * bytes whose order is the API's `value nulls last, id`, in UNINDEXED columns of user_search.
 * `rank MATCH 'highlight(<key column>, '', '')'` makes FTS5 rank every match of the group by its
 * key and hand them over in that order (`ORDER BY rank`), so a statement reads only the rows it
 * consumes: its group's best offset + limit. Each statement covers one group of spans (at most
 * a few thousand documents to rank, spans.ts), and the groups' best are merged here by key (keys
 * are ASCII: JavaScript compares them as SQLite does).
 *
 * Rows read: about two per row consumed, i.e. per group min(its matches, offset + limit).
 */
import { and, getTableColumns, sql } from "drizzle-orm";
import { type Db, meterOf } from "../client";
import { mayBeMissingSearchDocument } from "../constraint-errors";
import { FIRST_SORT_COLUMN, SEARCH_SORT_ORDERS } from "../derived/constants";
import { users, type UserRow } from "../schema";
import { whereOf, type OrderField, type SearchTerm, type UserFilter, type UserOrder, type UserPage } from "./filter";
import { fetchUsersInOrder, SPAN_GROUP_MAX } from "./rows";
import { Chunker, rangeConditions, readSpans, spanGroups, type DocRange } from "./spans";
import { anchorTerms, ftsMatchExpression, matchesIn, substringConditions } from "./terms";

/** The FTS column holding the order's key in its direction (`first_name_desc`, …). */
const keyColumn = (order: UserOrder) => sql.raw(`user_search.${order.field}_${order.descending ? "desc" : "asc"}`);

/**
 * The same key computed from the documents table, for the fallback sort when FTS5 cannot rank
 * (the asc column puts NULL keys last with '2' || id, the desc column with '0' || id).
 */
const documentKey = (order: UserOrder) => sql.raw(`coalesce(d.sort_${order.field}, '${order.descending ? "0" : "2"}' || d.user_id)`);

/** The FTS5 rank function that sorts matches by the order's key column (no marker text). */
function rankFunction(order: UserOrder): string {
  const i = (SEARCH_SORT_ORDERS as readonly OrderField[]).indexOf(order.field);
  if (i < 0) throw new Error(`no sort key for ${order.field}`);
  return `highlight(${FIRST_SORT_COLUMN + 2 * i + (order.descending ? 1 : 0)}, '', '')`;
}

interface Keyed {
  key: string;
  row: UserRow | { id: string };
}

/** Rows wanted in full from the ranking statements (no second read) when the offset is this small. */
const FULL_ROWS_MAX_OFFSET = 50;

export async function rankedPage(db: Db, filter: UserFilter, order: UserOrder, page: UserPage, firstGroup = 1): Promise<UserRow[]> {
  const wanted = page.offset + page.limit;
  const full = page.offset <= FULL_ROWS_MAX_OFFSET;
  const columns = full ? getTableColumns(users) : { id: users.id };
  const direction = sql.raw(order.descending ? "desc" : "asc");
  const where = whereOf(filter);
  const { fts, tested } = anchorTerms(filter.search);

  const ranked = (range: DocRange) =>
    db
      .select({ ...columns, sortKey: sql<string>`${keyColumn(order)}`.as("sortKey") })
      .from(sql`user_search`)
      .crossJoin(users)
      .where(
        and(
          sql`user_search match ${ftsMatchExpression(fts)}`,
          sql`user_search.rank match ${rankFunction(order)}`,
          sql`${users.id} = user_search.user_id`,
          ...rangeConditions(sql`user_search.rowid`, range),
          ...substringConditions(tested, "user_search"),
          where,
        ),
      )
      .orderBy(sql`user_search.rank ${direction}`)
      .limit(wanted)
      .all();

  // FTS5 cannot rank a match whose document it cannot read (a damaged index); the same group is
  // then sorted in SQL, which skips such an entry, so the request still succeeds until
  // scripts/rebuild-derived-data.sql repairs the index.
  const sorted = (range: DocRange) =>
    db
      .select({ ...columns, sortKey: sql<string>`${documentKey(order)}`.as("sortKey") })
      .from(matchesIn(filter.search, range))
      .crossJoin(users)
      .innerJoin(sql`user_search_documents d`, sql`d.user_id = ${users.id}`)
      .where(and(sql`${users.id} = m.user_id`, where))
      .orderBy(sql`${documentKey(order)} ${direction}`)
      .limit(wanted)
      .all();

  const best: Keyed[] = [];
  const merge = (rows: ({ sortKey: string } & Keyed["row"])[]) => {
    for (const { sortKey, ...row } of rows) best.push({ key: sortKey, row });
    best.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) * (order.descending ? -1 : 1));
    best.length = Math.min(best.length, wanted);
  };
  const group = async (range: DocRange) => {
    try {
      return await chunker.run(() => ranked(range));
    } catch (error) {
      if (!(await isMissingSearchDocument(db, error, fts, range))) throw error;
      console.warn(
        "user search: FTS5 could not rank the matches (is the index damaged? scripts/rebuild-derived-data.sql rebuilds it); sorted them in SQL instead",
      );
      return chunker.run(() => sorted(range));
    }
  };

  const chunker = new Chunker(firstGroup, 1, SPAN_GROUP_MAX, meterOf(db));
  for (const range of spanGroups(await readSpans(db), true, chunker)) merge(await group(range));

  const pageRows = best.slice(page.offset, wanted).map((k) => k.row);
  return full
    ? (pageRows as UserRow[])
    : fetchUsersInOrder(
        db,
        pageRows.map((r) => r.id),
      );
}

/**
 * Whether the ranking statement of `range` failed because the index lists a match whose search
 * document is gone: the one damage the SQL sort answers correctly (it reads the documents, so it
 * skips such an entry). The error's text alone cannot tell (local D1 reports it as an opaque
 * internal error, like any other failure inside workerd), so a plausible error is confirmed by
 * looking for such an entry among the same matches: one statement bounded by the same range,
 * which reads only rowids (no content, so it cannot fail the same way). Any other error, or an
 * index without such an entry, is not this damage and fails the request.
 */
async function isMissingSearchDocument(db: Db, error: unknown, fts: SearchTerm[], range: DocRange): Promise<boolean> {
  if (!mayBeMissingSearchDocument(error)) return false;
  try {
    const orphans = await db.all<{ orphan: number }>(
      sql`select 1 as orphan from user_search where ${and(
        sql`user_search match ${ftsMatchExpression(fts)}`,
        ...rangeConditions(sql`user_search.rowid`, range),
        sql`not exists (select 1 from user_search_documents d where d.doc_id = user_search.rowid)`,
      )} limit 1`,
    );
    return orphans.length > 0;
  } catch {
    return false; // the index cannot even be read this way: not the damage the SQL sort gets around
  }
}
