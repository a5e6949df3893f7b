/**
 * What an outbox row keeps of the changed object: its row as the writing batch left it, built
 * by SQL inside that batch (`json_object` over the table's columns, generated from the drizzle
 * table so a new column is carried without editing this file), with every secret column left
 * out. The consumer turns it back into a row (rowFromSql) and serialises it with the API's own
 * serializer, so the event's `data` is exactly what the API answered for that change.
 *
 * Secrets: a column listed in SECRET_COLUMNS never enters the outbox. Those the serializer only
 * tests for presence (a password digest → `password_enabled`) are replaced by a marker: ''
 * when the column holds a value, NULL when it does not.
 */
import { getTableColumns, getTableName, sql, type Column, type SQL } from "drizzle-orm";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import { organizationInvitations, organizationMemberships, organizations, users } from "../db/schema";

type Redaction = "presence" | "omit";

/** Per table (SQL name), the columns that must never be copied, and how each is replaced. */
export const SECRET_COLUMNS: Record<string, Record<string, Redaction>> = {
  users: {
    password_digest: "presence",
    totp_secret_encrypted: "presence",
    backup_code_salt: "omit",
    // Not secrets, but the count of failed guesses is nobody's business outside the API.
    password_hasher: "omit",
  },
};

/** SQLite's default limit on a function's arguments is 127; json_object takes two per column. */
const PAIRS_PER_CALL = 50;

/**
 * `json_object(...)` of `table`'s row (qualified by `alias`), keyed by SQL column name, secrets
 * redacted. Split into json_patch'ed parts when the table has more columns than one call takes
 * (json_patch drops the NULL members of later parts, which rowFromSql reads as NULL anyway).
 */
export function rowSnapshotSql(table: SQLiteTable, alias: string): SQL {
  // The text depends only on the schema and the alias, and a write batch (an import: one per
  // ~100 rows) embeds it every time, so it is rendered once and reused as raw SQL.
  let byAlias = renderedSnapshots.get(table);
  if (byAlias === undefined) {
    byAlias = new Map();
    renderedSnapshots.set(table, byAlias);
  }
  let text = byAlias.get(alias);
  if (text === undefined) {
    text = renderSnapshot(table, alias);
    byAlias.set(alias, text);
  }
  return sql.raw(text);
}

/** rowSnapshotSql's text per table, then per alias. */
const renderedSnapshots = new WeakMap<SQLiteTable, Map<string, string>>();

function renderSnapshot(table: SQLiteTable, alias: string): string {
  const secret = SECRET_COLUMNS[getTableName(table)] ?? {};
  const pairs: string[] = [];
  for (const column of Object.values(getTableColumns(table)) as Column[]) {
    const redaction = secret[column.name];
    if (redaction === "omit") continue;
    const ref = `${alias}."${column.name}"`;
    pairs.push(`'${column.name}', ${redaction === "presence" ? `case when ${ref} is null then null else '' end` : ref}`);
  }
  const calls: string[] = [];
  for (let i = 0; i < pairs.length; i += PAIRS_PER_CALL) calls.push(`json_object(${pairs.slice(i, i + PAIRS_PER_CALL).join(", ")})`);
  return calls.reduce((acc, call) => `json_patch(${acc}, ${call})`);
}

/** The user row snapshot (alias `u`). */
export const userSnapshotSql = () => rowSnapshotSql(users, "u");

/** Snapshots of the organization tables' rows (no secret columns). */
export const organizationSnapshotSql = (alias: string) => rowSnapshotSql(organizations, alias);
export const membershipSnapshotSql = (alias: string) => rowSnapshotSql(organizationMemberships, alias);
export const invitationSnapshotSql = (alias: string) => rowSnapshotSql(organizationInvitations, alias);

/**
 * The joins that give `publicUserSnapshotSql` a user's primary identifiers: `user` (an alias of
 * users, possibly left-joined) with its primary email (`${user}_e`), phone and wallet.
 */
export function publicUserJoins(user: string): SQL {
  const u = sql.raw(user);
  const [e, p, w] = ["e", "p", "w"].map((suffix) => sql.raw(`${user}_${suffix}`));
  return sql`left join email_addresses ${e} on ${e}.id = ${u}.primary_email_address_id
    left join phone_numbers ${p} on ${p}.id = ${u}.primary_phone_number_id
    left join web3_wallets ${w} on ${w}.id = ${u}.primary_web3_wallet_id`;
}

/**
 * A member's or inviter's public data (db/public-users.ts PublicUserRow, keyed by its field
 * names) from `user` and publicUserJoins(user); every field NULL when there is no such user.
 */
export function publicUserSnapshotSql(user: string): SQL {
  const u = sql.raw(user);
  const [e, p, w] = ["e", "p", "w"].map((suffix) => sql.raw(`${user}_${suffix}`));
  return sql`json_object('id', ${u}.id, 'firstName', ${u}.first_name, 'lastName', ${u}.last_name, 'imageId', ${u}.image_id,
    'username', ${u}.username, 'banned', ${u}.banned, 'email', ${e}.email_address, 'phone', ${p}.phone_number, 'wallet', ${w}.web3_wallet)`;
}
