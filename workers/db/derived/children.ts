/**
 * users.children_json: a JSON copy, on the user row, of exactly the child columns the User JSON is
 * built from (constants.ts, CHILD_COLUMNS), so a page of N users reads N rows (issue 8).
 *
 * The document is defined once, by the view user_children_documents; every trigger recomputes it
 * whole for the user(s) whose child rows changed, inside the same statement, so it can never
 * disagree with the child tables. Element order is not guaranteed here: the reader sorts
 * (created_at, id). When a user is deleted, the cascaded child deletes update no row.
 */
import { getTableColumns } from "drizzle-orm";
import { getTableConfig, type SQLiteTable } from "drizzle-orm/sqlite-core";
import { backupCodes, emailAddresses, externalAccounts, passkeys, phoneNumbers, web3Wallets } from "../schema";
import { CHILD_COLUMNS } from "./constants";
import { trigger, view, type DerivedGroup } from "./model";

const LIST_TABLES = { e: emailAddresses, p: phoneNumbers, w: web3Wallets, k: passkeys, x: externalAccounts } as const;
type ListKey = keyof typeof LIST_TABLES;
const LIST_KEYS = Object.keys(LIST_TABLES) as ListKey[];

const tableName = (table: SQLiteTable) => getTableConfig(table).name;

/** The SQL names of the columns copied from the child table under `key`. */
export function childColumnNames(key: ListKey): string[] {
  const columns: Record<string, { name: string }> = getTableColumns(LIST_TABLES[key]);
  return CHILD_COLUMNS[key].map((field) => columns[field]!.name);
}

/** The statement every trigger runs: the document of the users of `where`, recomputed. */
const refresh = (where: string) =>
  `UPDATE users SET children_json = (SELECT doc FROM user_children_documents d WHERE d.user_id = users.id) WHERE ${where};`;

/** Insert, update (of a copied column or the owner) and delete triggers on one child table. */
function childTriggers(table: string, copied: string[]) {
  return [
    trigger(`${table}_children_ai`, `CREATE TRIGGER ${table}_children_ai AFTER INSERT ON ${table} BEGIN\n\t${refresh("id = new.user_id")}\nEND`),
    trigger(
      `${table}_children_au`,
      `CREATE TRIGGER ${table}_children_au AFTER UPDATE OF ${["user_id", ...copied].join(", ")} ON ${table} BEGIN\n\t${refresh("id IN (old.user_id, new.user_id)")}\nEND`,
    ),
    trigger(`${table}_children_ad`, `CREATE TRIGGER ${table}_children_ad AFTER DELETE ON ${table} BEGIN\n\t${refresh("id = old.user_id")}\nEND`),
  ];
}

const listDocument = (key: ListKey) => {
  const pairs = childColumnNames(key).map((column) => `'${column}', ${column}`);
  return `json((SELECT json_group_array(json_object(${pairs.join(", ")})) FROM ${tableName(LIST_TABLES[key])} WHERE user_id = u.id))`;
};

export const children: DerivedGroup = {
  name: "children",
  title: "users.children_json, the copy of each user's child rows",
  objects: [
    view(
      "user_children_documents",
      `CREATE VIEW user_children_documents AS SELECT
	u.id AS user_id,
	json_object(
${LIST_KEYS.map((key) => `\t\t'${key}', ${listDocument(key)},\n`).join("")}		'b', (SELECT count(*) FROM ${tableName(backupCodes)} WHERE user_id = u.id)
	) AS doc
FROM users u`,
    ),
    ...LIST_KEYS.flatMap((key) =>
      childTriggers(
        tableName(LIST_TABLES[key]),
        childColumnNames(key).filter((column) => column !== "id"),
      ),
    ),
    // Only the count is copied: a code's owner is all that can change it.
    ...childTriggers(tableName(backupCodes), []),
  ],
  refill: ["UPDATE users SET children_json = (SELECT doc FROM user_children_documents d WHERE d.user_id = users.id)"],
};
