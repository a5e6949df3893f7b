/**
 * SQL of the bulk user import (POST /v1/users/import): one read for a whole batch (which ids
 * and identifiers are taken), and the batch's rows written with multi-row INSERTs.
 *
 * Rows travel as one JSON parameter per statement, read with `json_each(?)`: D1 allows at most
 * 100 bound parameters per statement, which drizzle's multi-row VALUES reaches after two user
 * rows (the users table has 45 columns); one parameter carries hundreds. Measured on local D1
 * for 500 users with 750 emails and 250 phones: 6 INSERTs in about 170–270 ms, where drizzle's
 * VALUES needed 319 statements and 720–1,150 ms.
 */
import { Column, getTableColumns, getTableName, is, SQL, sql } from "drizzle-orm";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Db } from "./client";
import { backupCodes, emailAddresses, phoneNumbers, users, web3Wallets } from "./schema";
import { inJsonList, type NewUserRows } from "./users";

/** The values one import batch would take, each list without repeats. */
export interface ImportLookup {
  userIds: string[];
  emails: string[];
  phones: string[];
  wallets: string[];
  usernames: string[];
  externalIds: string[];
  identificationIds: string[];
}

/** Which of an ImportLookup's values are already stored. */
export interface ImportConflicts {
  userIds: Set<string>;
  emails: Set<string>;
  phones: Set<string>;
  wallets: Set<string>;
  usernames: Set<string>;
  externalIds: Set<string>;
  identificationIds: Set<string>;
}

/**
 * Which ids and identifiers of a batch are taken, in one D1 call (one batch of index lookups,
 * each list passed as one JSON parameter): emails by their folded form, usernames by theirs,
 * identification ids across the three identification tables.
 */
export async function findImportConflicts(db: Db, lookup: ImportLookup): Promise<ImportConflicts> {
  const [userIds, emails, phones, wallets, usernames, externalIds, emailIds, phoneIds, walletIds] = await db.batch([
    db.select({ value: users.id }).from(users).where(inJsonList(users.id, lookup.userIds)),
    db
      .select({ value: emailAddresses.emailAddressNormalized })
      .from(emailAddresses)
      .where(inJsonList(emailAddresses.emailAddressNormalized, lookup.emails)),
    db.select({ value: phoneNumbers.phoneNumber }).from(phoneNumbers).where(inJsonList(phoneNumbers.phoneNumber, lookup.phones)),
    db.select({ value: web3Wallets.web3Wallet }).from(web3Wallets).where(inJsonList(web3Wallets.web3Wallet, lookup.wallets)),
    db.select({ value: users.usernameNormalized }).from(users).where(inJsonList(users.usernameNormalized, lookup.usernames)),
    db.select({ value: users.externalId }).from(users).where(inJsonList(users.externalId, lookup.externalIds)),
    db.select({ value: emailAddresses.id }).from(emailAddresses).where(inJsonList(emailAddresses.id, lookup.identificationIds)),
    db.select({ value: phoneNumbers.id }).from(phoneNumbers).where(inJsonList(phoneNumbers.id, lookup.identificationIds)),
    db.select({ value: web3Wallets.id }).from(web3Wallets).where(inJsonList(web3Wallets.id, lookup.identificationIds)),
  ]);
  const set = (rows: { value: string | null }[]) => new Set(rows.map((r) => r.value).filter((v): v is string => v !== null));
  return {
    userIds: set(userIds),
    emails: set(emails),
    phones: set(phones),
    wallets: set(wallets),
    usernames: set(usernames),
    externalIds: set(externalIds),
    identificationIds: new Set([...set(emailIds), ...set(phoneIds), ...set(walletIds)]),
  };
}

/**
 * How many rows one INSERT takes at most, per table. A user row fires the search triggers
 * (document, FTS5 entry, span) and each identification row re-indexes its user's document and
 * rebuilds its children_json, so the bounds keep each statement short (D1 runs one statement at
 * a time); measured in README, Import.
 */
const ROWS_PER_STATEMENT = 250;

/** A statement's JSON parameter stays well under D1's 2 MB limit on a string value. */
const MAX_JSON_CHARS = 1_000_000;

/**
 * What insertManyStatements needs of a table, worked out once per table: its columns' property
 * keys, each column's default as a plain value (undefined when it has none or an SQL
 * default), its mapping to the stored value (null when drizzle stores the value as it is), and
 * the constant head of the statement. An import builds these INSERTs for every ~100 rows.
 */
interface InsertShape {
  keys: string[];
  defaults: unknown[];
  mappers: (Column | null)[];
  head: SQL;
}

const insertShapes = new WeakMap<SQLiteTable, InsertShape>();

function insertShape(table: SQLiteTable): InsertShape {
  let shape = insertShapes.get(table);
  if (shape) return shape;
  const entries = Object.entries(getTableColumns(table) as Record<string, Column>);
  const columns = entries.map(([, column]) => column);
  const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
  shape = {
    keys: entries.map(([key]) => key),
    defaults: columns.map((column) => (column.default !== undefined && !is(column.default, SQL) ? column.default : undefined)),
    // The base class's mapping is the identity; subclasses (timestamps, booleans, JSON) override it.
    mappers: columns.map((column) => (column.mapToDriverValue === Column.prototype.mapToDriverValue ? null : column)),
    head: sql.raw(
      `insert into ${quote(getTableName(table))} (${columns.map((column) => quote(column.name)).join(", ")}) ` +
        `select ${columns.map((_, i) => `value ->> ${i}`).join(", ")} from json_each(`,
    ),
  };
  insertShapes.set(table, shape);
  return shape;
}

/** `row`'s value for every column of the table, as SQLite stores it (drizzle's own mapping; the column default for an absent key). */
function driverValues(shape: InsertShape, row: Record<string, unknown>): unknown[] {
  const values = new Array<unknown>(shape.keys.length);
  for (let i = 0; i < values.length; i++) {
    const sent = row[shape.keys[i]];
    const value = sent === undefined ? shape.defaults[i] : sent;
    const mapper = shape.mappers[i];
    values[i] = value === undefined || value === null ? null : mapper ? mapper.mapToDriverValue(value) : value;
  }
  return values;
}

/**
 * INSERTs of `rows` into `table`, each `INSERT … SELECT … FROM json_each(?)` over a chunk of
 * rows passed as one JSON array of arrays (every column, in table order). Run them in one batch
 * with the rest of the write so they land all or nothing.
 */
export function insertManyStatements<T extends SQLiteTable>(table: T, rows: T["$inferInsert"][]): SQL[] {
  if (rows.length === 0) return [];
  const shape = insertShape(table);
  const statements: SQL[] = [];
  let chunk: string[] = [];
  let chars = 0;
  const flush = () => {
    if (chunk.length) statements.push(sql`${shape.head}${`[${chunk.join(",")}]`})`);
    chunk = [];
    chars = 0;
  };
  for (const row of rows) {
    const text = JSON.stringify(driverValues(shape, row as Record<string, unknown>));
    if (chunk.length >= ROWS_PER_STATEMENT || (chunk.length > 0 && chars + text.length > MAX_JSON_CHARS)) flush();
    chunk.push(text);
    chars += text.length + 1;
  }
  flush();
  return statements;
}

/**
 * The INSERTs of every row of `newUsers`, to run as one D1 batch (one transaction: all of them
 * or none): the users first, then their identifications and backup codes, each table in
 * multi-row INSERTs. A UNIQUE or FOREIGN KEY failure rolls back the whole batch (see
 * services/user-import.ts, which adds each user's user.created event to the same batch).
 */
export function insertNewUsersStatements(newUsers: readonly NewUserRows[]): SQL[] {
  return [
    ...insertManyStatements(
      users,
      newUsers.map((u) => u.user),
    ),
    ...insertManyStatements(
      emailAddresses,
      newUsers.flatMap((u) => u.emailAddresses),
    ),
    ...insertManyStatements(
      phoneNumbers,
      newUsers.flatMap((u) => u.phoneNumbers),
    ),
    ...insertManyStatements(
      web3Wallets,
      newUsers.flatMap((u) => u.web3Wallets),
    ),
    ...insertManyStatements(
      backupCodes,
      newUsers.flatMap((u) => u.backupCodes),
    ),
  ];
}
