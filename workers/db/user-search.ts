/**
 * SQL for listing, counting and searching users (GET /v1/users, /v1/users/count).
 *
 * Every exact filter is an index lookup: value lists travel as ONE JSON parameter read with
 * json_each(?) (D1 allows 100 bound parameters per statement), and child-table filters become
 * `users.id IN (SELECT user_id FROM <child> WHERE <indexed column> IN json_each(?))`, which SQLite
 * answers with the child's index and then the users primary key.
 *
 * Partial matches use the FTS5 trigram index `user_search` (migrations/0001_user_search.sql),
 * kept in step by triggers. Terms of 3+ characters are FTS phrases; shorter terms cannot use
 * trigrams and fall back to a substring test (instr) on `user_search_documents`, either over the
 * rows FTS already matched (when another term is long) or over at most SHORT_TERM_SCAN_ROWS
 * documents of the newest users (when every term is short).
 *
 * Rows read (what D1 bills): a search reads about the rows of its page, not its matches:
 * - in created_at order (the default), FTS rowids follow created_at
 *   (migrations/0002_search_created_at_order.sql) and the query reads only the matches up to the
 *   page's last bucket (createdAtWindow);
 * - in any other order, FTS5 sorts the matches itself by a sort key stored with each document
 *   (migrations/0007_search_sort_keys.sql, userRowsRankedQuery) and the query reads only the
 *   rows it consumes; a broad search first tries walking the order's index instead, which is
 *   faster when most users match (userRowsWalkQuery);
 * - a search made only of 1–2 character terms sorts what the bounded substring scan found.
 */
import { and, eq, getTableColumns, sql, type SQL } from "drizzle-orm";
import type { Db } from "./client";
import { emailAddresses, externalAccounts, organizationMemberships, phoneNumbers, userTotals, users, web3Wallets, type UserRow } from "./schema";
import { isMissingSearchDocument } from "./constraint-errors";
import { inJsonList } from "./users";

/** How many of the newest users' search documents a search made only of 1–2 character terms looks at. */
export const SHORT_TERM_SCAN_ROWS = 1000;

/** The searchable columns of user_search / user_search_documents. */
export type SearchField = "user_id" | "name" | "username" | "emails" | "phones" | "wallets";

/**
 * One whitespace-free search term and where it may match. `variants` are the forms to try as FTS
 * phrases (NFC and NFD; the trigram tokenizer folds case itself). A term too short for trigrams
 * is matched by substring instead, against every case spelling of every variant (`spellings`).
 */
export interface SearchTerm {
  fields: readonly SearchField[];
  variants: string[];
  short: boolean;
  spellings: string[];
}

export interface IncludeExclude {
  include: string[];
  exclude: string[];
}

export interface TimeRange {
  /** Strictly before. */
  before?: number;
  /** Strictly after. */
  after?: number;
  /** At or after (the deprecated last_active_at_since). */
  since?: number;
}

/** Every filter GET /users and /users/count accept, already parsed and normalised. */
export interface UserFilter {
  emailAddresses: string[];
  phoneNumbers: string[];
  usernames: string[];
  web3Wallets: string[];
  externalIds: IncludeExclude;
  userIds: IncludeExclude;
  organizationIds: IncludeExclude;
  provider?: { provider: string; providerUserIds: string[] };
  banned?: boolean;
  createdAt: TimeRange;
  lastActiveAt: TimeRange;
  lastSignInAt: TimeRange;
  search: SearchTerm[];
}

/** The sortable columns, by order_by field name. */
const ORDER_COLUMNS = {
  created_at: users.createdAt,
  updated_at: users.updatedAt,
  email_address: users.primaryEmailAddressSort,
  web3wallet: users.primaryWeb3WalletSort,
  first_name: users.firstName,
  last_name: users.lastName,
  phone_number: users.primaryPhoneNumberSort,
  username: users.usernameNormalized,
  last_active_at: users.lastActiveAt,
  last_sign_in_at: users.lastSignInAt,
} as const;

export type OrderField = keyof typeof ORDER_COLUMNS;
export const ORDER_FIELDS = Object.keys(ORDER_COLUMNS) as OrderField[];

export interface UserOrder {
  field: OrderField;
  descending: boolean;
}

export interface UserPage {
  limit: number;
  offset: number;
  /** Keyset cursor for created_at order: the (created_at, id) of the last user already seen. */
  after?: { createdAt: number; id: string };
}

/** `{a b} : (p1 OR p2)` — a phrase per variant, with inner quotes doubled so no input is FTS syntax. */
function ftsTermExpression(term: SearchTerm): string {
  const phrases = term.variants.map((v) => `"${v.replaceAll('"', '""')}"`).join(" OR ");
  return `{${term.fields.join(" ")}} : (${phrases})`;
}

/**
 * Above this many short-term spellings in one request, pass them as JSON lists instead of bound
 * parameters; half as many when a statement repeats the search (the created_at window) or nests
 * it deeper (the walk) — REPEATED_SEARCH_INLINE — so that with every filter a statement stays
 * under D1's 100 bound parameters and SQLite's expression depth of 100.
 */
const MAX_INLINE_SPELLINGS = 40;
const REPEATED_SEARCH_INLINE = MAX_INLINE_SPELLINGS / 2;

/** lower() of the term's fields of the document in `table`, joined with a space, which no term contains. */
function documentText(fields: readonly SearchField[], table: string): SQL {
  return sql.raw(`lower(${fields.map((f) => `${table}.${f}`).join(" || ' ' || ")})`);
}

/**
 * The short terms occur in their fields of document `d` (the short-term fallback). instr() rather
 * than LIKE: no pattern characters to escape. lower() folds ASCII; `spellings` already lists
 * every case spelling of the non-ASCII characters. The fields are joined with a space, which no
 * term contains, so a term never matches across two fields.
 *
 * Few spellings are bound one parameter each. More travel as one JSON list of spelling lists
 * per set of fields (at most one per search parameter), "no term lacks a matching spelling", so
 * a search of a hundred 1-character terms stays far below D1's 100 bound parameters.
 */
function substringConditions(short: SearchTerm[], maxInline = MAX_INLINE_SPELLINGS, table = "d"): SQL[] {
  if (short.reduce((n, t) => n + t.spellings.length, 0) <= maxInline) {
    return short.map((term) => {
      const text = documentText(term.fields, table);
      return sql`(${sql.join(term.spellings.map((s) => sql`instr(${text}, ${s}) > 0`), sql` or `)})`;
    });
  }
  const groups = new Map<string, SearchTerm[]>();
  for (const term of short) {
    const key = term.fields.join(" ");
    groups.set(key, [...(groups.get(key) ?? []), term]);
  }
  return [...groups.values()].map((terms) => {
    const text = documentText(terms[0].fields, table);
    const lists = JSON.stringify(terms.map((t) => t.spellings));
    return sql`not exists (select 1 from json_each(${lists}) t where not exists (select 1 from json_each(t.value) p where instr(${text}, p.value) > 0))`;
  });
}

/** The FTS5 query for terms of 3+ characters: every term must match. */
function ftsMatchExpression(terms: SearchTerm[]): string {
  return terms.map(ftsTermExpression).join(" AND ");
}

/**
 * doc_id buckets (migrations/0002_search_created_at_order.sql): the documents of the users created
 * in one millisecond share the bits above DOC_BUCKET_BITS, and buckets follow created_at.
 */
const DOC_BUCKET_BITS = 20;
const DOC_BUCKET_MASK = sql.raw(String(2 ** DOC_BUCKET_BITS - 1));
/** created_at clamp of the bucket key (2^43 - 1), so every doc_id fits a signed 64-bit integer. */
const MAX_BUCKET_KEY = sql.raw(String(2 ** 43 - 1));

/** First doc_id of the bucket of the users created at `createdAt` (same clamp as the triggers). */
function bucketStart(createdAt: number): SQL {
  return sql`(max(0, min(${createdAt}, ${MAX_BUCKET_KEY})) << ${sql.raw(String(DOC_BUCKET_BITS))})`;
}

/** Inclusive bounds on FTS rowids (= doc_id); SQL expressions, since doc_ids exceed 2^53. */
interface RowidRange {
  min?: SQL;
  max?: SQL;
}

function rowidConditions(column: SQL, range: RowidRange): SQL[] {
  const out: SQL[] = [];
  if (range.min) out.push(sql`${column} >= ${range.min}`);
  if (range.max) out.push(sql`${column} <= ${range.max}`);
  return out;
}

/**
 * The users every search term matches, as a FROM-clause subquery `m(user_id, doc_id)`, or
 * undefined when there are no terms. The outer query starts from it and looks users up by
 * primary key, so a search costs about four rows read per match (FTS, document, users index and
 * row) instead of a walk over the users table. `rowids` restricts the FTS rowids (= doc_id) to a
 * range, which FTS5 answers without reading the matches outside it.
 */
function searchMatches(terms: SearchTerm[], rowids: RowidRange = {}, maxInline = MAX_INLINE_SPELLINGS): SQL | undefined {
  if (terms.length === 0) return undefined;
  const long = terms.filter((t) => !t.short);
  const short = terms.filter((t) => t.short);
  const shortConditions = substringConditions(short, maxInline);
  if (long.length > 0) {
    return sql`(select d.user_id as user_id, user_search.rowid as doc_id from user_search cross join user_search_documents d on d.doc_id = user_search.rowid where ${and(
      sql`user_search match ${ftsMatchExpression(long)}`,
      ...rowidConditions(sql`user_search.rowid`, rowids),
      ...shortConditions,
    )}) m`;
  }
  // Bounded scan: only the SHORT_TERM_SCAN_ROWS highest doc_ids (doc_id follows created_at, so
  // these are the newest users' documents), read as one primary-key range.
  return sql`(select d.user_id as user_id, d.doc_id as doc_id from (select * from user_search_documents order by doc_id desc limit ${SHORT_TERM_SCAN_ROWS}) d where ${and(
    ...rowidConditions(sql`d.doc_id`, rowids),
    ...shortConditions,
  )}) m`;
}

function includeExclude(column: SQL | unknown, list: IncludeExclude, childSelect?: (values: string[]) => SQL): SQL[] {
  const out: SQL[] = [];
  const lookup = (values: string[]) => (childSelect ? sql`${users.id} in ${childSelect(values)}` : inJsonList(column, values));
  if (list.include.length) out.push(lookup(list.include));
  if (list.exclude.length) {
    // NOT IN over a nullable column is never true for NULL: a user without the value is kept.
    out.push(childSelect ? sql`${users.id} not in ${childSelect(list.exclude)}` : sql`(${column} is null or not ${inJsonList(column, list.exclude)})`);
  }
  return out;
}

function timeConditions(column: unknown, range: TimeRange): SQL[] {
  const out: SQL[] = [];
  // Comparisons with NULL are never true, so users without the timestamp never match.
  if (range.before !== undefined) out.push(sql`${column} < ${range.before}`);
  if (range.after !== undefined) out.push(sql`${column} > ${range.after}`);
  if (range.since !== undefined) out.push(sql`${column} >= ${range.since}`);
  return out;
}

function childUserIds(table: typeof emailAddresses | typeof phoneNumbers | typeof web3Wallets, column: unknown, values: string[]): SQL {
  return sql`${users.id} in (select ${table.userId} from ${table} where ${inJsonList(column, values)})`;
}

/** The WHERE clause for a filter (undefined = every user). */
function whereOf(filter: UserFilter): SQL | undefined {
  const conditions: (SQL | undefined)[] = [];
  if (filter.emailAddresses.length) conditions.push(childUserIds(emailAddresses, emailAddresses.emailAddressNormalized, filter.emailAddresses));
  if (filter.phoneNumbers.length) conditions.push(childUserIds(phoneNumbers, phoneNumbers.phoneNumber, filter.phoneNumbers));
  if (filter.web3Wallets.length) conditions.push(childUserIds(web3Wallets, web3Wallets.web3Wallet, filter.web3Wallets));
  if (filter.usernames.length) conditions.push(inJsonList(users.usernameNormalized, filter.usernames));
  conditions.push(...includeExclude(users.externalId, filter.externalIds));
  conditions.push(...includeExclude(users.id, filter.userIds));
  conditions.push(
    ...includeExclude(
      undefined,
      filter.organizationIds,
      (values) =>
        sql`(select ${organizationMemberships.userId} from ${organizationMemberships} where ${inJsonList(organizationMemberships.organizationId, values)})`,
    ),
  );
  if (filter.provider) {
    conditions.push(
      sql`${users.id} in (select ${externalAccounts.userId} from ${externalAccounts} where ${and(
        eq(externalAccounts.provider, filter.provider.provider),
        inJsonList(externalAccounts.providerUserId, filter.provider.providerUserIds),
      )})`,
    );
  }
  if (filter.banned !== undefined) conditions.push(eq(users.banned, filter.banned));
  conditions.push(...timeConditions(users.createdAt, filter.createdAt));
  conditions.push(...timeConditions(users.lastActiveAt, filter.lastActiveAt));
  conditions.push(...timeConditions(users.lastSignInAt, filter.lastSignInAt));
  return and(...conditions);
}

/**
 * The query for one page of users matching `filter`, in `order` (not yet run; tests read its
 * rows_read). NULLs sort last in both directions and ties break by id in the same direction, so
 * (value, id) is a total order and pages never overlap. Without a search, each order is served by
 * the (column, id) index of users. With a search, the matches are sorted; in created_at order only
 * the matches of the buckets the page can reach are (see createdAtWindow). findUserRowsMatching
 * answers searches in other orders with userRowsRankedQuery instead (this sort reads about four
 * rows per match; it stays the fallback when FTS5 cannot rank, see findUserRowsMatching).
 */
export function userRowsQuery(db: Db, filter: UserFilter, order: UserOrder, page: UserPage) {
  const column = ORDER_COLUMNS[order.field];
  const direction = sql.raw(order.descending ? "desc" : "asc");
  let where = whereOf(filter);
  let rowids: RowidRange = {};
  if (page.after) {
    // Keyset over the (created_at, id) index; only reachable with created_at order.
    const cmp = sql.raw(order.descending ? "<" : ">");
    where = and(where, sql`(${users.createdAt}, ${users.id}) ${cmp} (${page.after.createdAt}, ${page.after.id})`);
    // A search skips the buckets before the cursor's without reading their matches.
    const start = bucketStart(page.after.createdAt);
    rowids = order.descending ? { max: sql`(${start} | ${DOC_BUCKET_MASK})` } : { min: start };
  }
  // Only FTS yields matches in rowid order; the short-term scan is bounded on its own.
  const windowed = order.field === "created_at" && filter.search.some((t) => !t.short);
  // The window repeats the search and the filters.
  const maxInline = windowed ? REPEATED_SEARCH_INLINE : MAX_INLINE_SPELLINGS;
  if (windowed) rowids = { ...rowids, ...createdAtWindow(filter.search, where, order.descending, page, rowids, maxInline) };
  const matches = searchMatches(filter.search, rowids, maxInline);
  // With a search, the matched users are sorted rather than found by walking the order index:
  // unary + hides the index from ORDER BY, so SQLite keeps starting from the matches.
  const sortKey = (col: unknown) => (matches ? sql`+${col}` : sql`${col}`);
  const orderBy = sql`${sortKey(column)} ${direction} nulls last, ${sortKey(users.id)} ${direction}`;
  const base = matches
    ? db.select(getTableColumns(users)).from(matches).innerJoin(users, sql`${users.id} = m.user_id`)
    : db.select().from(users);
  return base.where(where).orderBy(orderBy).limit(page.limit).offset(page.offset);
}

/**
 * The FTS rowid bound that lets a search in created_at order stop early. FTS5 yields matches in
 * rowid order, and buckets of rowids follow created_at, so the page cannot reach past the bucket
 * of the (offset + limit)-th match in rowid order (filters applied): a scalar subquery finds that
 * match reading about three rows per match up to it, and the page query then reads and sorts only
 * the matches up to the end of its bucket, where (created_at, id) order is settled exactly. With
 * fewer matches than offset + limit there is no bound (all of them are needed anyway).
 */
function createdAtWindow(terms: SearchTerm[], where: SQL | undefined, descending: boolean, page: UserPage, rowids: RowidRange, maxInline: number): RowidRange {
  const direction = sql.raw(descending ? "desc" : "asc");
  const last = sql`(select m.doc_id from ${searchMatches(terms, rowids, maxInline)} cross join ${users} on ${users.id} = m.user_id ${
    where ? sql`where ${where}` : sql``
  } order by m.doc_id ${direction} limit 1 offset ${page.offset + page.limit - 1})`;
  return descending
    ? { min: sql`coalesce(${last} & ~${DOC_BUCKET_MASK}, ${sql.raw("-9223372036854775808")})` }
    : { max: sql`coalesce(${last} | ${DOC_BUCKET_MASK}, ${sql.raw("9223372036854775807")})` };
}

/**
 * The orders whose sort keys the search documents carry (migrations/0007_search_sort_keys.sql),
 * in the column order of user_search: the i-th order's ascending key is FTS column
 * FIRST_SORT_COLUMN + 2·i, its descending key the next one. (created_at needs no key: FTS rowids
 * follow it.)
 */
const SEARCH_SORT_ORDERS = [
  "updated_at",
  "email_address",
  "web3wallet",
  "first_name",
  "last_name",
  "phone_number",
  "username",
  "last_active_at",
  "last_sign_in_at",
] as const satisfies readonly OrderField[];
const FIRST_SORT_COLUMN = 6;

/**
 * The FTS5 rank function that sorts matches in `order`: the text of the order's key column (no
 * marker around matches; key columns are UNINDEXED, so nothing in them ever matches).
 */
function rankFunction(order: UserOrder): string | undefined {
  const i = (SEARCH_SORT_ORDERS as readonly OrderField[]).indexOf(order.field);
  if (i < 0) return undefined;
  return `highlight(${FIRST_SORT_COLUMN + 2 * i + (order.descending ? 1 : 0)}, '', '')`;
}

/**
 * A search in an order other than created_at, sorted by FTS5 itself (not yet run; undefined when
 * it does not apply: created_at order, or no term of 3+ characters). `rank MATCH` makes FTS5 rank
 * every match by its sort key (migrations/0007_search_sort_keys.sql) and `ORDER BY rank` hands
 * the matches over in that order, so the query reads only what it consumes: one FTS row and the
 * user's row per match until offset + limit users pass the filters. Ranking every match is
 * work inside FTS5 (about 7 µs per match at 100k users), not rows read. CROSS JOIN keeps FTS the
 * outer loop; short terms are tested on the FTS row's own columns.
 */
export function userRowsRankedQuery(db: Db, filter: UserFilter, order: UserOrder, page: UserPage) {
  const rank = rankFunction(order);
  const long = filter.search.filter((t) => !t.short);
  if (!rank || long.length === 0) return undefined;
  return db
    .select(getTableColumns(users))
    .from(sql`user_search`)
    .crossJoin(users)
    .where(
      and(
        sql`user_search match ${ftsMatchExpression(long)}`,
        sql`user_search.rank match ${rank}`,
        sql`${users.id} = user_search.user_id`,
        ...substringConditions(
          filter.search.filter((t) => t.short),
          MAX_INLINE_SPELLINGS,
          "user_search",
        ),
        whereOf(filter),
      ),
    )
    .orderBy(sql.raw(`user_search.rank ${order.descending ? "desc" : "asc"}`))
    .limit(page.limit)
    .offset(page.offset);
}

/**
 * The walk for a broad search in an order other than created_at (not yet run). The ranked query
 * reads few rows whatever the search, but FTS5 ranks every match, which takes time when most
 * users match (about 0.7 s for 100k matches). When the search is broad, the first users of the
 * order already hold the page: they are taken through the order's (column, id) index, each
 * tested against the search by FTS rowid and against the filters, and CROSS JOIN keeps that walk
 * the outer loop, so the page comes out in order and the walk stops once offset + limit users
 * qualify. It is tried only when an FTS probe finds at least P matches, and walks at most S users
 * (searchWalkSample); a short page means "not broad enough" and the caller uses the ranked
 * query. Undefined when the walk does not apply: no term of 3+ characters, created_at order, or
 * a keyset cursor.
 */
export function userRowsWalkQuery(db: Db, filter: UserFilter, order: UserOrder, page: UserPage) {
  const long = filter.search.filter((t) => !t.short);
  if (order.field === "created_at" || page.after || long.length === 0) return undefined;
  const column = ORDER_COLUMNS[order.field];
  const direction = sql.raw(order.descending ? "desc" : "asc");
  const { probe, sample } = searchWalkSample(page);
  // The integers are ours and inlined, not bound: D1 allows only 100 bound parameters.
  const int = (n: number) => sql.raw(String(n));
  const probed = sql`(select count(*) from (select 1 from user_search where user_search match ${ftsMatchExpression(long)} limit ${int(probe)}))`;
  const walkLimit = sql`(case when ${probed} < ${int(probe)} then 0 else ${int(sample)} end)`;
  const walk = sql`(select ${users.id} as id from ${users} order by ${column} ${direction} nulls last, ${users.id} ${direction} limit ${walkLimit}) w`;
  return db
    .select(getTableColumns(users))
    .from(walk)
    .crossJoin(users)
    .where(and(sql`${users.id} = w.id`, userMatchesSearch(filter.search, sql`w.id`), whereOf(filter)))
    .limit(page.limit)
    .offset(page.offset);
}

/**
 * The user whose id is `userId` matches every search term: the user's document is found by its
 * user_id index and tested by FTS rowid, which FTS5 answers by seeking in the terms' doclists,
 * so the test costs about one row read however many users match.
 */
function userMatchesSearch(terms: SearchTerm[], userId: SQL): SQL {
  const long = terms.filter((t) => !t.short);
  return sql`exists (select 1 from user_search_documents d cross join user_search on user_search.rowid = d.doc_id where ${and(
    sql`d.user_id = ${userId}`,
    sql`user_search match ${ftsMatchExpression(long)}`,
    // Nested in the walk's conditions: fewer spellings inline keep the expression tree within
    // SQLite's depth limit of 100 (test/routes/user-list-scale.test.ts, "100 bound parameters").
    ...substringConditions(
      terms.filter((t) => t.short),
      REPEATED_SEARCH_INLINE,
    ),
  )})`;
}

/**
 * How far the walk goes (see userRowsWalkQuery): it is tried once the search has at least
 * `probe` FTS matches, and walks at most `sample` users, so at limit 10 a search matching more
 * than one user in five is answered by it. A walk that fails still leaves the request well
 * within 10 × (offset + limit) + 200 rows read: the probe, about three rows per user walked
 * (5·wanted + 100 at most) and the ranked query's two rows per row it consumes
 * (test/routes/user-list-scale.test.ts checks the worst cases).
 */
export function searchWalkSample(page: Pick<UserPage, "limit" | "offset">): { probe: number; sample: number } {
  const wanted = page.offset + page.limit;
  return { probe: wanted + 10, sample: Math.floor((5 * wanted + 100) / 3) };
}

/**
 * One page of users matching `filter`. A search in an order other than created_at tries the
 * walk when it is broad (userRowsWalkQuery), and otherwise lets FTS5 sort its matches
 * (userRowsRankedQuery).
 */
export async function findUserRowsMatching(db: Db, filter: UserFilter, order: UserOrder, page: UserPage): Promise<UserRow[]> {
  const walk = userRowsWalkQuery(db, filter, order, page);
  if (walk) {
    const rows = await walk.all();
    if (rows.length === page.limit) return rows;
  }
  const ranked = userRowsRankedQuery(db, filter, order, page);
  if (ranked) {
    try {
      return await ranked.all();
    } catch (error) {
      if (!isMissingSearchDocument(error)) throw error;
      // FTS5 cannot rank a match whose document it cannot read; the SQL sort skips such an
      // entry, so the request still succeeds (more slowly) until the index is rebuilt.
      console.warn("user search: FTS5 could not rank the matches (is the index damaged? scripts/rebuild-derived-data.sql rebuilds it); sorted them in SQL instead");
    }
  }
  return userRowsQuery(db, filter, order, page).all();
}

/** The query counting users that match `filter` (not yet run). */
export function userCountQuery(db: Db, filter: UserFilter) {
  const count = { count: sql<number>`count(*)` };
  const where = whereOf(filter);
  if (!where && filter.search.length === 0) {
    // Every user: the trigger-maintained total (migration 0005) is one row instead of all of them.
    return db.select({ count: userTotals.users }).from(userTotals).where(eq(userTotals.id, 1));
  }
  if (!where && filter.search.length > 0 && filter.search.every((t) => !t.short)) {
    // Only FTS terms: every user has exactly one document (triggers), so counting the FTS
    // matches counts the users, at one row read per match instead of three.
    return db.select(count).from(sql`user_search`).where(sql`user_search match ${ftsMatchExpression(filter.search)}`);
  }
  const matches = searchMatches(filter.search);
  // Every user has exactly one document, so without filters the matches are the users.
  if (matches && !where) return db.select(count).from(matches);
  const base = matches ? db.select(count).from(matches).innerJoin(users, sql`${users.id} = m.user_id`) : db.select(count).from(users);
  return base.where(where);
}

/** The ids of the users matching `filter`, as a subquery (organization membership lists filter their members with it). */
export function userIdsQuery(db: Db, filter: UserFilter) {
  const matches = searchMatches(filter.search);
  const id = { id: users.id };
  const base = matches ? db.select(id).from(matches).innerJoin(users, sql`${users.id} = m.user_id`) : db.select(id).from(users);
  return base.where(whereOf(filter));
}

/** How many users match `filter`. */
export async function countUsersMatching(db: Db, filter: UserFilter): Promise<number> {
  const row = await userCountQuery(db, filter).get();
  return Number(row?.count ?? 0);
}

/** The created_at of a user, for a starting_after cursor (undefined if there is no such user). */
export async function findUserCreatedAt(db: Db, id: string): Promise<number | undefined> {
  const row = await db.select({ createdAt: users.createdAt }).from(users).where(eq(users.id, id)).get();
  return row?.createdAt;
}
