/**
 * SQL for the user aggregate: the user row and everything it owns. Routes and services call
 * these verb-named functions; nothing else in the Worker writes SQL for users.
 *
 * Lists of values are passed as one JSON parameter read with json_each(?), because D1 allows at
 * most 100 bound parameters per statement. The aggregate (user + child rows) is read from the
 * user row alone, through its children_json copy (see aggregateOf).
 */
import { and, eq, getTableColumns, sql, type Column, type SQL, type Table } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { SQLiteAsyncDialect, type SQLiteTable, type SQLiteUpdateSetSource } from "drizzle-orm/sqlite-core";
import type { Db } from "./client";
import {
  backupCodes,
  emailAddresses,
  externalAccounts,
  type images,
  passkeys,
  phoneNumbers,
  users,
  web3Wallets,
  type EmailAddressRow,
  type ExternalAccountRow,
  type PasskeyRow,
  type PhoneNumberRow,
  type UserRow,
  type Web3WalletRow,
} from "./schema";
import { CHILD_COLUMNS } from "./derived/constants";

export type Statement = BatchItem<"sqlite">;

/**
 * Runs a write's statements as one batch (one transaction) and returns their results in order:
 * `db.batch`, or the outbox's `batchWithEvents` when the write emits webhook events. Writes that
 * read their own results take one, so the caller decides which events go with the write.
 */
export type BatchRunner = (statements: [Statement, ...Statement[]]) => Promise<unknown[]>;

/** BatchRunner for hand-written SQL: runSqlBatch, or the outbox's sqlBatchWithEvents. */
export type SqlBatchRunner = (statements: SQL[]) => Promise<D1Result[]>;

export type EmailAddressView = Pick<EmailAddressRow, (typeof CHILD_COLUMNS.e)[number]>;
export type PhoneNumberView = Pick<PhoneNumberRow, (typeof CHILD_COLUMNS.p)[number]>;
export type Web3WalletView = Pick<Web3WalletRow, (typeof CHILD_COLUMNS.w)[number]>;
export type PasskeyView = Pick<PasskeyRow, (typeof CHILD_COLUMNS.k)[number]>;
export type ExternalAccountView = Pick<ExternalAccountRow, (typeof CHILD_COLUMNS.x)[number]>;

/** A user with everything the User JSON is built from. */
export interface UserAggregate {
  user: UserRow;
  emailAddresses: EmailAddressView[];
  phoneNumbers: PhoneNumberView[];
  web3Wallets: Web3WalletView[];
  passkeys: PasskeyView[];
  externalAccounts: ExternalAccountView[];
  backupCodeCount: number;
}

/** `column IN (json_each(?))` over a list passed as a single JSON parameter. */
export function inJsonList(column: SQL | SQL.Aliased | unknown, values: readonly string[]): SQL {
  return sql`${column} in (select value from json_each(${JSON.stringify(values)}))`;
}

export async function findUserRowById(db: Db, id: string): Promise<UserRow | undefined> {
  return db.select().from(users).where(eq(users.id, id)).get();
}

/** Children first by creation, then by id: the order the User JSON lists them in. */
function byCreation(a: { createdAt: number; id: string }, b: { createdAt: number; id: string }): number {
  return a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** `element` (keyed by SQL column name, values as SQLite stores them) keyed like drizzle's rows, with its column mapping (0/1 → boolean). */
function decodeFields(fields: readonly (readonly [string, Column])[], element: Record<string, unknown>): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const [key, column] of fields) {
    const value = element[column.name];
    row[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
  }
  return row;
}

/**
 * A row that hand-written SQL returned (e.g. `insert … select … returning *`), as drizzle would
 * have returned it; undefined for none.
 */
export function rowFromSql<T extends Table>(table: T, element: Record<string, unknown> | undefined): T["$inferSelect"] | undefined {
  if (!element) return undefined;
  return decodeFields(Object.entries(getTableColumns(table) as Record<string, Column>), element) as T["$inferSelect"];
}

/**
 * A decoder from children_json elements (keyed by SQL column name, values as SQLite stores
 * them) to rows keyed like drizzle's, with drizzle's own column mapping (0/1 → boolean).
 */
function childDecoder<T extends Table, K extends keyof T["$inferSelect"] & string>(table: T, keys: readonly K[]) {
  const columns = getTableColumns(table) as Record<string, Column>;
  const fields = keys.map((key) => [key, columns[key]!] as const);
  return (list: unknown): Pick<T["$inferSelect"], K>[] => {
    if (!Array.isArray(list)) return [];
    const rows = list.map((element: Record<string, unknown>) => decodeFields(fields, element) as Pick<T["$inferSelect"], K>);
    return (rows as unknown as { createdAt: number; id: string }[]).sort(byCreation) as unknown as Pick<T["$inferSelect"], K>[];
  };
}

const decodeEmails = childDecoder(emailAddresses, CHILD_COLUMNS.e);
const decodePhones = childDecoder(phoneNumbers, CHILD_COLUMNS.p);
const decodeWallets = childDecoder(web3Wallets, CHILD_COLUMNS.w);
const decodePasskeys = childDecoder(passkeys, CHILD_COLUMNS.k);
const decodeAccounts = childDecoder(externalAccounts, CHILD_COLUMNS.x);

/**
 * The aggregate of a user row, from its children_json alone: no further query, so a page of N
 * users costs N rows read however many identifiers they have.
 */
export function aggregateOf(user: UserRow): UserAggregate {
  const doc = user.childrenJson ? (JSON.parse(user.childrenJson) as Record<string, unknown>) : {};
  return {
    user,
    emailAddresses: decodeEmails(doc.e),
    phoneNumbers: decodePhones(doc.p),
    web3Wallets: decodeWallets(doc.w),
    passkeys: decodePasskeys(doc.k),
    externalAccounts: decodeAccounts(doc.x),
    backupCodeCount: Number(doc.b ?? 0),
  };
}

export async function findUserAggregateById(db: Db, id: string): Promise<UserAggregate | undefined> {
  const row = await findUserRowById(db, id);
  return row ? aggregateOf(row) : undefined;
}

/** Rows that must be inserted together for a new user (one all-or-nothing batch). */
export interface NewUserRows {
  user: typeof users.$inferInsert;
  emailAddresses: (typeof emailAddresses.$inferInsert)[];
  phoneNumbers: (typeof phoneNumbers.$inferInsert)[];
  web3Wallets: (typeof web3Wallets.$inferInsert)[];
  backupCodes: (typeof backupCodes.$inferInsert)[];
}

/** D1 refuses a statement with more than this many bound parameters. */
const D1_MAX_BOUND_PARAMETERS = 100;

/**
 * INSERTs of `rows` into `table`, as few as D1 allows: drizzle binds every column of every row,
 * so each statement takes at most 100 ÷ (the table's column count) rows (11 email addresses, 20
 * backup codes). Run them in one batch with the rest of the write, so they land all or nothing.
 */
export function insertRowsStatements<T extends SQLiteTable>(db: Db, table: T, rows: T["$inferInsert"][]): Statement[] {
  const perStatement = Math.max(1, Math.floor(D1_MAX_BOUND_PARAMETERS / Object.keys(getTableColumns(table)).length));
  const statements: Statement[] = [];
  for (let i = 0; i < rows.length; i += perStatement) statements.push(db.insert(table).values(rows.slice(i, i + perStatement)));
  return statements;
}

export function insertUserStatements(db: Db, rows: NewUserRows): Statement[] {
  return [
    db.insert(users).values(rows.user),
    ...insertRowsStatements(db, emailAddresses, rows.emailAddresses),
    ...insertRowsStatements(db, phoneNumbers, rows.phoneNumbers),
    ...insertRowsStatements(db, web3Wallets, rows.web3Wallets),
    ...insertRowsStatements(db, backupCodes, rows.backupCodes),
  ];
}

/** Updates the user row and returns it as written, or undefined when there is no such user. */
export async function updateUserReturning(db: Db, id: string, values: Partial<typeof users.$inferInsert>): Promise<UserRow | undefined> {
  return updateUserReturningStatement(db, id, values).get();
}

/** updateUserReturning as a statement for a batch; its result is the rows written (none or one). */
export function updateUserReturningStatement(db: Db, id: string, values: Partial<typeof users.$inferInsert>) {
  return db.update(users).set(values).where(eq(users.id, id)).returning();
}

const dialect = new SQLiteAsyncDialect();

/**
 * Runs hand-written statements as one D1 batch (one transaction), returning D1's results.
 * drizzle's db.batch cannot take a parameterised db.run(sql``), so these go to D1 directly
 * (the request's metered binding: createDb builds Db with drizzle(), which keeps it as $client).
 */
export async function runSqlBatch(db: Db, statements: SQL[]): Promise<D1Result[]> {
  const d1 = (db as Db & { $client: D1Database }).$client;
  return d1.batch(
    statements.map((statement) => {
      const query = dialect.sqlToQuery(statement);
      return d1.prepare(query.sql).bind(...query.params);
    }),
  );
}

/** Runs statements as one transaction (D1 has no interactive transactions). */
export async function runBatch(db: Db, statements: Statement[]): Promise<void> {
  if (statements.length === 0) return;
  await db.batch(statements as [Statement, ...Statement[]]);
}

/** `values` may hold SQL evaluated against the row as the UPDATE runs (the metadata assignments of db/metadata.ts). */
export function updateUserStatement(db: Db, id: string, values: SQLiteUpdateSetSource<typeof users>): Statement {
  return db.update(users).set(values).where(eq(users.id, id));
}

/** The tables whose rows each belong to one user (their user_id). */
export type UserOwnedTable =
  | typeof emailAddresses
  | typeof phoneNumbers
  | typeof web3Wallets
  | typeof passkeys
  | typeof externalAccounts
  | typeof images;

/** The row `id` of `table` exists and belongs to `userId` (evaluated when the statement runs). */
export function ownedRowExists(table: UserOwnedTable, id: string, userId: string): BatchCondition {
  return sql`exists (select 1 from ${table} where ${table.id} = ${id} and ${table.userId} = ${userId})`;
}

/** Whether row `id` of `table` exists and belongs to `userId`, read now. */
export async function rowBelongsTo(db: Db, table: UserOwnedTable, userId: string, id: string): Promise<boolean> {
  const row = await db
    .select({ id: table.id })
    .from(table)
    .where(and(eq(table.id, id), eq(table.userId, userId)))
    .get();
  return row !== undefined;
}

/** The error text of a batch stopped by `abortBatchUnless`. */
export const BATCH_GUARD_FAILED = "NOT NULL constraint failed: users.id";

/** A condition on the database that a write batch re-checks when it runs (see abortBatchUnless). */
export type BatchCondition = SQL;

/**
 * A statement that aborts its whole batch unless every one of `conditions` holds when the batch
 * runs: it sets the user's id to NULL only when one is false, which fails with
 * BATCH_GUARD_FAILED and rolls the batch back. D1 has no interactive transactions; this lets a
 * batch re-check, at write time, something the request read earlier (a row it points at).
 */
export function abortBatchUnless(db: Db, userId: string, conditions: BatchCondition[]): Statement {
  const all = and(...conditions);
  if (!all) throw new Error("abortBatchUnless: no condition to check");
  return db
    .update(users)
    .set({ id: sql`null` })
    .where(and(eq(users.id, userId), sql`not (${all})`));
}

export function deleteUserStatement(db: Db, id: string): Statement {
  // Child rows go with it through ON DELETE CASCADE.
  return db.delete(users).where(eq(users.id, id));
}

/** Which of the given identifiers already belong to someone (for form_identifier_exists). */
export async function findTakenIdentifiers(
  db: Db,
  input: { emails: string[]; phones: string[]; wallets: string[]; username?: string | null; externalId?: string | null; exceptUserId?: string },
): Promise<{ email?: string; phone?: string; wallet?: string; username: boolean; externalId: boolean }> {
  const absent = (value: string | null | undefined): value is null | undefined => value === null || value === undefined;
  if (!input.emails.length && !input.phones.length && !input.wallets.length && absent(input.username) && absent(input.externalId)) {
    return { username: false, externalId: false };
  }
  const except = (col: unknown) => (input.exceptUserId ? sql`${col} <> ${input.exceptUserId}` : sql`1 = 1`);
  // An absent value is taken by no one (a constant false reads no rows); any string, even
  // "\u0000", may be stored and so cannot stand for "absent".
  const equalsGiven = (col: typeof users.usernameNormalized | typeof users.externalId, value: string | null | undefined) =>
    absent(value) ? sql`0` : eq(col, value);
  const [emailRow, phoneRow, walletRow, usernameRow, externalRow] = await db.batch([
    db
      .select({ value: emailAddresses.emailAddressNormalized })
      .from(emailAddresses)
      .where(and(inJsonList(emailAddresses.emailAddressNormalized, input.emails), except(emailAddresses.userId)))
      .limit(1),
    db
      .select({ value: phoneNumbers.phoneNumber })
      .from(phoneNumbers)
      .where(and(inJsonList(phoneNumbers.phoneNumber, input.phones), except(phoneNumbers.userId)))
      .limit(1),
    db
      .select({ value: web3Wallets.web3Wallet })
      .from(web3Wallets)
      .where(and(inJsonList(web3Wallets.web3Wallet, input.wallets), except(web3Wallets.userId)))
      .limit(1),
    db
      .select({ id: users.id })
      .from(users)
      .where(and(equalsGiven(users.usernameNormalized, input.username), except(users.id)))
      .limit(1),
    db
      .select({ id: users.id })
      .from(users)
      .where(and(equalsGiven(users.externalId, input.externalId), except(users.id)))
      .limit(1),
  ]);
  return {
    email: emailRow[0]?.value,
    phone: phoneRow[0]?.value,
    wallet: walletRow[0]?.value,
    username: usernameRow.length > 0,
    externalId: externalRow.length > 0,
  };
}

/** A position in (created_at, id) order: the last user already read. */
export interface CreationCursor {
  createdAt: number;
  id: string;
}

/**
 * The SELECT of up to `limit` users in (created_at, id) order, after `after` (exclusive) and
 * created strictly after `createdAfter`: a range scan of users_created_at_idx (created_at, id)
 * that starts at the cursor (keyset paging, never OFFSET), so every page reads only its own rows,
 * however deep into the table it is. Each row carries its aggregate in children_json.
 */
export function usersByCreationQuery(db: Db, { after, createdAfter, limit }: { after?: CreationCursor; createdAfter?: number; limit: number }) {
  return db
    .select()
    .from(users)
    .where(
      and(
        after ? sql`(${users.createdAt}, ${users.id}) > (${after.createdAt}, ${after.id})` : undefined,
        createdAfter === undefined ? undefined : sql`${users.createdAt} > ${createdAfter}`,
      ),
    )
    .orderBy(users.createdAt, users.id)
    .limit(limit);
}

/** Runs usersByCreationQuery: one statement. */
export async function findUsersByCreation(db: Db, page: { after?: CreationCursor; createdAfter?: number; limit: number }): Promise<UserRow[]> {
  return usersByCreationQuery(db, page).all();
}
