/**
 * A search in created_at order (the default), span by span.
 *
 * FTS rowids (doc_ids) follow created_at in millisecond buckets (workers/db/derived/), so the matches
 * come out of FTS5 (or, for a search of only 1–2 character terms, out of the documents' primary
 * key) in created_at order bucket by bucket; only inside one bucket (users created in the same
 * millisecond) is the order not the API's (created_at, id). So: walk the spans from the newest
 * (or oldest) and take the first offset + limit matches in doc_id order, each statement limited
 * to a group of spans (spans.ts); complete the bucket of the last one (its other users may sort
 * before it by id); sort that exactly; cut the page. Every match is found, however old, and no
 * statement looks at more than its group's documents.
 *
 * Rows read: about three per match taken (FTS row, document, user) plus the page's rows, so a
 * page reads about its own rows however large the table, and a deep offset about three per
 * match passed over.
 */
import { and, getTableColumns, sql, type SQL } from "drizzle-orm";
import { type Db, meterOf } from "../client";
import { users, type UserRow } from "../schema";
import { whereOf, type UserFilter, type UserOrder, type UserPage } from "./filter";
import { bucketOfCreatedAt, bucketStart, Chunker, compareDocIds, HIGHEST_SPAN, nextBucket, readSpans, spanGroups, type DocRange } from "./spans";
import { matchesIn } from "./terms";
import { fetchUsersInOrder, SPAN_GROUP_MAX } from "./rows";

interface Match {
  docId: string;
  id: string;
  createdAt: number;
}

/** Rows wanted in full from the statements that find them (no second read) when the offset is this small. */
const FULL_ROWS_MAX_OFFSET = 50;

export async function createdAtPage(db: Db, filter: UserFilter, order: UserOrder, page: UserPage): Promise<UserRow[]> {
  const descending = order.descending;
  const direction = sql.raw(descending ? "desc" : "asc");
  const wanted = page.offset + page.limit;
  const full = page.offset <= FULL_ROWS_MAX_OFFSET;
  const where = and(whereOf(filter), keyset(page, descending));

  const find = (range: DocRange, limit?: number) => {
    // Aliased: a select field without a name cannot be metered (workers/db/metered-d1.ts).
    const docId = sql<string>`cast(m.doc_id as text)`.as("docId");
    const columns = full ? { ...getTableColumns(users), docId } : { docId, id: users.id, createdAt: users.createdAt };
    const query = db
      .select(columns)
      .from(matchesIn(filter.search, range))
      .crossJoin(users)
      .where(and(sql`${users.id} = m.user_id`, where))
      .orderBy(sql`m.doc_id ${direction}`);
    return (limit === undefined ? query : query.limit(limit)).all() as Promise<(Match & Partial<UserRow>)[]>;
  };

  // One more than wanted tells whether the wanted-th match's bucket goes on past it.
  const chunker = new Chunker(1, 1, SPAN_GROUP_MAX, meterOf(db));
  const found: (Match & Partial<UserRow>)[] = [];
  const cursorBucket = page.after ? bucketOfCreatedAt(page.after.createdAt) : undefined;
  const take = async (range: DocRange) => found.push(...(await chunker.run(() => find(range, wanted + 1 - found.length))));

  // Newest first from the start: the highest span first, without reading the spans.
  const fromTop = descending && cursorBucket === undefined;
  if (fromTop) await take(HIGHEST_SPAN);
  if (found.length <= wanted) {
    const spans = await readSpans(db);
    for (const range of spanGroups(spans, descending, chunker, cursorBucket, fromTop ? 1 : 0)) {
      await take(clip(range, cursorBucket, descending));
      if (found.length > wanted) break;
    }
  }

  if (found.length > wanted) {
    const last = found[wanted - 1];
    const extra = found.pop()!;
    if (bucketStart(extra.docId) === bucketStart(last.docId)) {
      // The rest of the last bucket (one millisecond's users): some may sort before `last` by id.
      const rest: DocRange = descending ? { lo: bucketStart(last.docId), hi: last.docId } : { lo: nextAfter(last.docId), hi: nextBucket(last.docId) };
      found.push(...(await find(rest)));
    }
  }
  found.sort((a, b) => compareMatches(a, b, descending));
  const pageMatches = found.slice(page.offset, wanted);
  if (full) return pageMatches.map(({ docId: _, ...row }) => row as UserRow);
  return fetchUsersInOrder(
    db,
    pageMatches.map((m) => m.id),
  );
}

/** The API's order: created_at, then id, both in the requested direction. */
function compareMatches(a: Match, b: Match, descending: boolean): number {
  const sign = descending ? -1 : 1;
  if (a.createdAt !== b.createdAt) return sign * (a.createdAt < b.createdAt ? -1 : 1);
  if (a.id !== b.id) return sign * (a.id < b.id ? -1 : 1);
  return compareDocIds(a.docId, b.docId);
}

const nextAfter = (docId: string) => (BigInt(docId) + 1n).toString();

/** Keyset over (created_at, id) for starting_after. */
function keyset(page: UserPage, descending: boolean): SQL | undefined {
  if (!page.after) return undefined;
  const cmp = sql.raw(descending ? "<" : ">");
  return sql`(${users.createdAt}, ${users.id}) ${cmp} (${page.after.createdAt}, ${page.after.id})`;
}

/** With a cursor, the first group starts at the cursor's bucket, not at its span's edge. */
function clip(range: DocRange, cursorBucket: string | undefined, descending: boolean): DocRange {
  if (cursorBucket === undefined) return range;
  if (descending) {
    const end = nextBucket(cursorBucket);
    return typeof range.hi === "string" && compareDocIds(range.hi, end) <= 0 ? range : { ...range, hi: end };
  }
  return typeof range.lo === "string" && compareDocIds(range.lo, cursorBucket) >= 0 ? range : { ...range, lo: cursorBucket };
}
