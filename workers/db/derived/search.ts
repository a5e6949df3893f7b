/**
 * The user search index (GET /v1/users?query=…, *_query and their orders).
 *
 * user_search_documents holds one row per user with the text that can be searched, folded where
 * the app already folds it (email_address_normalized, username_normalized); multi-valued fields
 * are joined with a space (terms never contain whitespace, so no term matches across two values).
 * The FTS5 table user_search indexes them through the view user_search_source (external content,
 * content_rowid = doc_id) with the trigram tokenizer (case-insensitive; a quoted phrase of 3+
 * characters is a substring match).
 *
 * doc_ids follow created_at in buckets of one millisecond (constants.ts, BUCKET_BITS): FTS5 hands
 * out matches in rowid order, so searches in created_at order stop after their page. For every
 * other order each document carries a sort key (user_sort_keys) whose bytes sort like the API's
 * `value nulls last, id`, in UNINDEXED FTS columns that FTS5 can rank by:
 * - text: '1', hex() of the value's UTF-8 bytes (hex digits sort like the bytes they spell, and the
 *   value may hold U+0000, where SQLite's text functions stop), a space (below every hex digit, so
 *   a value sorts before the values it is a prefix of), the user id;
 * - integer timestamps: '1', then '0' and the 19 digits of value + 2^63 for negative values or '1'
 *   and the 19 digits of the value otherwise, a space, the user id;
 * - NULL values have NULL keys, which user_search_source puts last in both directions: '2' || id
 *   in the ascending column, '0' || id in the descending one (every other key starts with '1').
 *
 * Triggers keep documents and index in step with every write to users, email_addresses,
 * phone_numbers and web3_wallets. A user delete removes its document through users_search_ad.
 */
import { ORDER_COLUMNS } from "../user-search/filter";
import { BUCKET_BITS, BUCKET_MASK, CREATED_AT_MAX, SEARCH_FIELDS, SEARCH_SORT_ORDERS } from "./constants";
import { trigger, view, type DerivedGroup } from "./model";

const FULL_BUCKET = "user_search_documents: too many users created in the same millisecond";

/** The millisecond bucket of a created_at: clamped (constants.ts, CREATED_AT_MAX). */
const bucketOf = (createdAt: string) => `max(0, min(${createdAt}, ${CREATED_AT_MAX}))`;
const bucketStart = (createdAt: string) => `(${bucketOf(createdAt)} << ${BUCKET_BITS})`;
const inBucket = (createdAt: string) => `doc_id BETWEEN ${bucketStart(createdAt)} AND ${bucketStart(createdAt)} + ${BUCKET_MASK}`;

/** Aborts the trigger's statement when the bucket has no free doc_id left. */
const refuseFullBucket = (createdAt: string) => `SELECT raise(ABORT, '${FULL_BUCKET}')
	WHERE (SELECT max(doc_id) FROM user_search_documents WHERE ${inBucket(createdAt)}) = ${bucketStart(createdAt)} + ${BUCKET_MASK};`;

/**
 * The next free doc_id of the bucket: one past its highest (a backwards seek on the primary key,
 * so placing a user costs one extra row read).
 */
const nextDocId = (createdAt: string) =>
  `coalesce((SELECT max(doc_id) + 1 FROM user_search_documents WHERE ${inBucket(createdAt)}), ${bucketStart(createdAt)})`;

const nameOf = (user: string) => `trim(coalesce(${user}.first_name, '') || ' ' || coalesce(${user}.last_name, ''))`;
const usernameOf = (user: string) => `coalesce(${user}.username_normalized, '')`;

/** The multi-valued fields: each is the values of one child table's column. */
const LISTS = [
  { field: "emails", table: "email_addresses", column: "email_address_normalized" },
  { field: "phones", table: "phone_numbers", column: "phone_number" },
  { field: "wallets", table: "web3_wallets", column: "web3_wallet" },
] as const satisfies readonly { field: (typeof SEARCH_FIELDS)[number]; table: string; column: string }[];

const listOf = (list: (typeof LISTS)[number], userId: string) =>
  `coalesce((SELECT group_concat(${list.column}, ' ') FROM ${list.table} WHERE user_id = ${userId}), '')`;

const SORT_COLUMNS = SEARCH_SORT_ORDERS.map((order) => `sort_${order}`).join(", ");
const FTS_COLUMNS = SEARCH_FIELDS.join(", ");
const OLD_FTS_VALUES = SEARCH_FIELDS.map((field) => `old.${field}`).join(", ");
const NEW_FTS_VALUES = SEARCH_FIELDS.map((field) => `new.${field}`).join(", ");

/** The sort key of one order for the user `u`, in the layout the header describes. */
function sortKey(order: (typeof SEARCH_SORT_ORDERS)[number]): string {
  const column = ORDER_COLUMNS[order];
  const value = `u.${column.name}`;
  if (column.getSQLType() === "integer") {
    return `CASE WHEN ${value} < 0 THEN '10' || printf('%019d', ${value} + 9223372036854775807 + 1) WHEN ${value} >= 0 THEN '11' || printf('%019d', ${value}) END || ' ' || u.id`;
  }
  return `CASE WHEN ${value} IS NOT NULL THEN '1' || hex(${value}) || ' ' || u.id END`;
}

/** The statement a list trigger runs: the list of the documents of `where`, recomputed. */
const updateList = (list: (typeof LISTS)[number], userId: string, where: string) =>
  `UPDATE user_search_documents SET ${list.field} = ${listOf(list, userId)} WHERE ${where};`;

export const search: DerivedGroup = {
  name: "search",
  title: "the user search index: user_search_documents, its sort keys and the FTS5 table user_search",
  objects: [
    {
      kind: "table",
      name: "user_search_documents",
      sql: `CREATE TABLE user_search_documents (
	doc_id integer PRIMARY KEY,
	user_id text NOT NULL,
${SEARCH_FIELDS.filter((field) => field !== "user_id")
  .map((field) => `\t${field} text DEFAULT '' NOT NULL,\n`)
  .join("")}${SEARCH_SORT_ORDERS.map((order) => `\tsort_${order} text`).join(",\n")}
)`,
    },
    {
      kind: "index",
      name: "user_search_documents_user_id_unique",
      sql: "CREATE UNIQUE INDEX user_search_documents_user_id_unique ON user_search_documents (user_id)",
    },
    // The one definition of the sort keys: the refill and the triggers read it.
    view(
      "user_sort_keys",
      `CREATE VIEW user_sort_keys AS
SELECT
	u.id AS user_id,
${SEARCH_SORT_ORDERS.map((order) => `\t${sortKey(order)} AS sort_${order}`).join(",\n")}
FROM users u`,
    ),
    view(
      "user_search_source",
      `CREATE VIEW user_search_source AS
SELECT
	doc_id, ${FTS_COLUMNS},
${SEARCH_SORT_ORDERS.map((order) => `\tcoalesce(sort_${order}, '2' || user_id) AS ${order}_asc, coalesce(sort_${order}, '0' || user_id) AS ${order}_desc`).join(",\n")}
FROM user_search_documents`,
    ),
    {
      kind: "virtual table",
      name: "user_search",
      // Column order matters: plan-ranked.ts addresses the key columns by index (constants.ts).
      sql: `CREATE VIRTUAL TABLE user_search USING fts5(
	${FTS_COLUMNS},
${SEARCH_SORT_ORDERS.map((order) => `\t${order}_asc UNINDEXED, ${order}_desc UNINDEXED,\n`).join("")}	content='user_search_source', content_rowid='doc_id',
	tokenize='trigram case_sensitive 0'
)`,
    },
    trigger(
      "user_search_documents_ai",
      `CREATE TRIGGER user_search_documents_ai AFTER INSERT ON user_search_documents BEGIN
	INSERT INTO user_search(rowid, ${FTS_COLUMNS}) VALUES (new.doc_id, ${NEW_FTS_VALUES});
END`,
    ),
    trigger(
      "user_search_documents_ad",
      `CREATE TRIGGER user_search_documents_ad AFTER DELETE ON user_search_documents BEGIN
	INSERT INTO user_search(user_search, rowid, ${FTS_COLUMNS}) VALUES ('delete', old.doc_id, ${OLD_FTS_VALUES});
END`,
    ),
    // Only the indexed columns and the rowid: a sort key change leaves the index alone.
    trigger(
      "user_search_documents_au",
      `CREATE TRIGGER user_search_documents_au AFTER UPDATE OF doc_id, ${FTS_COLUMNS} ON user_search_documents BEGIN
	INSERT INTO user_search(user_search, rowid, ${FTS_COLUMNS}) VALUES ('delete', old.doc_id, ${OLD_FTS_VALUES});
	INSERT INTO user_search(rowid, ${FTS_COLUMNS}) VALUES (new.doc_id, ${NEW_FTS_VALUES});
END`,
    ),
    trigger(
      "users_search_ai",
      `CREATE TRIGGER users_search_ai AFTER INSERT ON users BEGIN
	${refuseFullBucket("new.created_at")}
	INSERT INTO user_search_documents(doc_id, user_id, name, username, ${SORT_COLUMNS})
	SELECT ${nextDocId("new.created_at")}, new.id, ${nameOf("new")}, ${usernameOf("new")}, ${SEARCH_SORT_ORDERS.map((o) => `k.sort_${o}`).join(", ")}
	FROM user_sort_keys k WHERE k.user_id = new.id;
END`,
    ),
    trigger(
      "users_search_au",
      `CREATE TRIGGER users_search_au AFTER UPDATE OF first_name, last_name, username_normalized ON users BEGIN
	UPDATE user_search_documents SET name = ${nameOf("new")}, username = ${usernameOf("new")} WHERE user_id = new.id;
END`,
    ),
    trigger(
      "users_search_ad",
      `CREATE TRIGGER users_search_ad AFTER DELETE ON users BEGIN
	DELETE FROM user_search_documents WHERE user_id = old.id;
END`,
    ),
    // created_at can be changed (UpdateUser accepts it): the document moves to its new bucket,
    // and the documents' update trigger re-indexes it under its new rowid.
    trigger(
      "users_search_created_at_au",
      `CREATE TRIGGER users_search_created_at_au AFTER UPDATE OF created_at ON users
WHEN ${bucketOf("old.created_at")} <> ${bucketOf("new.created_at")} BEGIN
	${refuseFullBucket("new.created_at")}
	UPDATE user_search_documents SET doc_id = ${nextDocId("new.created_at")} WHERE user_id = new.id;
END`,
    ),
    // Every update of a column a key is made of rewrites the user's keys (updated_at changes on
    // almost every user update): one more row written per user update.
    trigger(
      "users_search_sort_au",
      `CREATE TRIGGER users_search_sort_au AFTER UPDATE OF ${SEARCH_SORT_ORDERS.map((o) => ORDER_COLUMNS[o].name).join(", ")} ON users BEGIN
	UPDATE user_search_documents SET (${SORT_COLUMNS}) = (SELECT ${SORT_COLUMNS} FROM user_sort_keys k WHERE k.user_id = new.id)
	WHERE user_id = new.id;
END`,
    ),
    ...LISTS.flatMap((list) => [
      trigger(
        `${list.table}_search_ai`,
        `CREATE TRIGGER ${list.table}_search_ai AFTER INSERT ON ${list.table} BEGIN
	${updateList(list, "new.user_id", "user_id = new.user_id")}
END`,
      ),
      trigger(
        `${list.table}_search_au`,
        `CREATE TRIGGER ${list.table}_search_au AFTER UPDATE OF ${list.column}, user_id ON ${list.table} BEGIN
	${updateList(list, "user_search_documents.user_id", "user_id IN (old.user_id, new.user_id)")}
END`,
      ),
      trigger(
        `${list.table}_search_ad`,
        `CREATE TRIGGER ${list.table}_search_ad AFTER DELETE ON ${list.table} BEGIN
	${updateList(list, "old.user_id", "user_id = old.user_id")}
END`,
      ),
    ]),
  ],
  // Every document renumbered by created_at (a window function: an INSERT … SELECT reading its own
  // target would see none of its own rows), then the index rebuilt from the documents in one
  // step: deleting documents one by one would tell FTS5 to delete their entries, which it
  // refuses ("database disk image is malformed") when a damaged index no longer holds them.
  refill: [
    "DELETE FROM user_search_documents",
    `INSERT INTO user_search_documents(doc_id, user_id, name, username, ${LISTS.map((list) => list.field).join(", ")}, ${SORT_COLUMNS})
SELECT
	${bucketStart("u.created_at")} + row_number() OVER (PARTITION BY ${bucketOf("u.created_at")} ORDER BY u.id) - 1,
	u.id,
	${nameOf("u")},
	${usernameOf("u")},
${LISTS.map((list) => `\t${listOf(list, "u.id")},\n`).join("")}	${SEARCH_SORT_ORDERS.map((o) => `k.sort_${o}`).join(", ")}
FROM users u JOIN user_sort_keys k ON k.user_id = u.id`,
    "INSERT INTO user_search(user_search) VALUES ('rebuild')",
  ],
};
