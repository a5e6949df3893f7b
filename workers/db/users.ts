/**
 * SQL for the user aggregate: the user row and everything it owns. Routes and services call
 * these verb-named functions; nothing else in the Worker writes SQL for users.
 *
 * Lists of values are passed as one JSON parameter read with json_each(?), because D1 allows at
 * most 100 bound parameters per statement; the aggregate loader, which D1 bills on every list
 * request, uses cheaper VALUES lists in chunks instead (see valuesOf).
 */
import { and, eq, getTableColumns, sql, type SQL } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "./client";
import {
  backupCodes,
  emailAddresses,
  externalAccounts,
  images,
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

export type Statement = BatchItem<"sqlite">;

/** A user with every row the User JSON is built from. */
export interface UserAggregate {
  user: UserRow;
  emailAddresses: EmailAddressRow[];
  phoneNumbers: PhoneNumberRow[];
  web3Wallets: Web3WalletRow[];
  passkeys: PasskeyRow[];
  externalAccounts: ExternalAccountRow[];
  backupCodeCount: number;
}

/** `column IN (json_each(?))` over a list passed as a single JSON parameter. */
export function inJsonList(column: SQL | SQL.Aliased | unknown, values: readonly string[]): SQL {
  return sql`${column} in (select value from json_each(${JSON.stringify(values)}))`;
}

export async function findUserRowById(db: Db, id: string): Promise<UserRow | undefined> {
  return db.select().from(users).where(eq(users.id, id)).get();
}

/** D1's limit on bound parameters per statement. */
const MAX_BOUND_PARAMS = 100;

/**
 * `(VALUES (?), (?), …) AS v` over up to MAX_BOUND_PARAMS ids, one column `v.column1`.
 * Joined as the outer loop, SQLite runs a VALUES list as a co-routine: unlike json_each(?) (one
 * row read per element, plus one per element again when an IN list materialises it) or an
 * explicit IN list (one per element), it costs no rows read at all.
 */
function valuesOf(ids: readonly string[]): SQL {
  return sql`(values ${sql.join(
    ids.map((id) => sql`(${id})`),
    sql`, `,
  )}) as v`;
}

function chunked<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/** Children first by creation, then by id: the order the User JSON lists them in. */
function byCreation(a: { createdAt: number; id: string }, b: { createdAt: number; id: string }): number {
  return a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * Loads the aggregates of the given users in one round trip (one batch of per-table queries),
 * preserving the order of `rows`.
 *
 * Cost, as D1 counts rows read: each child table is probed once per user through its user_id
 * index, driven by a VALUES list (see valuesOf). A probe that finds nothing reads no row, one
 * that finds k rows reads k + 1 (the index step that ends the range lands on the next user's
 * entry). No ORDER BY: sorting in SQL would read every row once more from the sorter, so the
 * rows are ordered here instead.
 */
/** The per-table child queries for the given user ids (one statement per table and id chunk). */
function childStatements(db: Db, userIds: readonly string[]): Statement[] {
  const chunks = chunked(userIds, MAX_BOUND_PARAMS);
  const childrenOf = <T extends typeof emailAddresses | typeof phoneNumbers | typeof web3Wallets | typeof passkeys | typeof externalAccounts>(
    table: T,
  ) => chunks.map((ids) => db.select(getTableColumns(table) as T["_"]["columns"]).from(valuesOf(ids)).innerJoin(table, sql`${table.userId} = v.column1`));
  const codeCounts = chunks.map((ids) =>
    db
      .select({ userId: sql<string>`v.column1`, count: sql<number>`(select count(*) from ${backupCodes} where ${backupCodes.userId} = v.column1)` })
      .from(valuesOf(ids)),
  );
  return [
    ...childrenOf(emailAddresses),
    ...childrenOf(phoneNumbers),
    ...childrenOf(web3Wallets),
    ...childrenOf(passkeys),
    ...childrenOf(externalAccounts),
    ...codeCounts,
  ] as unknown as Statement[];
}

/** Builds aggregates from user rows and the results of `childStatements` for the same ids. */
function assembleAggregates(rows: UserRow[], results: unknown[][]): UserAggregate[] {
  const n = results.length / 6;
  const part = <T>(index: number) => results.slice(index * n, (index + 1) * n).flat() as T[];
  const byUser = <T extends { userId: string; createdAt: number; id: string }>(list: T[]) => {
    const map = new Map<string, T[]>();
    for (const item of list.sort(byCreation)) {
      const bucket = map.get(item.userId);
      if (bucket) bucket.push(item);
      else map.set(item.userId, [item]);
    }
    return map;
  };
  const emailMap = byUser(part<EmailAddressRow>(0));
  const phoneMap = byUser(part<PhoneNumberRow>(1));
  const walletMap = byUser(part<Web3WalletRow>(2));
  const passkeyMap = byUser(part<PasskeyRow>(3));
  const accountMap = byUser(part<ExternalAccountRow>(4));
  const countMap = new Map(part<{ userId: string; count: number }>(5).map((c) => [c.userId, Number(c.count)]));
  return rows.map((user) => ({
    user,
    emailAddresses: emailMap.get(user.id) ?? [],
    phoneNumbers: phoneMap.get(user.id) ?? [],
    web3Wallets: walletMap.get(user.id) ?? [],
    passkeys: passkeyMap.get(user.id) ?? [],
    externalAccounts: accountMap.get(user.id) ?? [],
    backupCodeCount: countMap.get(user.id) ?? 0,
  }));
}

/**
 * Loads the aggregates of the given users in one round trip (one batch of per-table queries),
 * preserving the order of `rows`.
 */
export async function loadAggregates(db: Db, rows: UserRow[]): Promise<UserAggregate[]> {
  if (rows.length === 0) return [];
  const statements = childStatements(
    db,
    rows.map((r) => r.id),
  );
  const results = (await db.batch(statements as [Statement, ...Statement[]])) as unknown[][];
  return assembleAggregates(rows, results);
}

/**
 * One user's aggregate in a single round trip: the user row and its child queries go in one
 * batch (on local D1 each round trip dominates a get's latency). Child queries for an unknown
 * id find nothing and read no rows.
 */
export async function findUserAggregateById(db: Db, id: string): Promise<UserAggregate | undefined> {
  const [userRows, ...children] = (await db.batch([
    db.select().from(users).where(eq(users.id, id)),
    ...childStatements(db, [id]),
  ] as unknown as [Statement, ...Statement[]])) as unknown[][];
  const row = (userRows as UserRow[])[0];
  if (!row) return undefined;
  return assembleAggregates([row], children)[0];
}

/** Rows that must be inserted together for a new user (one all-or-nothing batch). */
export interface NewUserRows {
  user: typeof users.$inferInsert;
  emailAddresses: (typeof emailAddresses.$inferInsert)[];
  phoneNumbers: (typeof phoneNumbers.$inferInsert)[];
  web3Wallets: (typeof web3Wallets.$inferInsert)[];
  backupCodes: (typeof backupCodes.$inferInsert)[];
}

export function insertUserStatements(db: Db, rows: NewUserRows): Statement[] {
  const statements: Statement[] = [db.insert(users).values(rows.user)];
  if (rows.emailAddresses.length) statements.push(db.insert(emailAddresses).values(rows.emailAddresses));
  if (rows.phoneNumbers.length) statements.push(db.insert(phoneNumbers).values(rows.phoneNumbers));
  if (rows.web3Wallets.length) statements.push(db.insert(web3Wallets).values(rows.web3Wallets));
  if (rows.backupCodes.length) statements.push(db.insert(backupCodes).values(rows.backupCodes));
  return statements;
}

/** Runs statements as one transaction (D1 has no interactive transactions). */
export async function runBatch(db: Db, statements: Statement[]): Promise<void> {
  if (statements.length === 0) return;
  await db.batch(statements as [Statement, ...Statement[]]);
}

export function updateUserStatement(db: Db, id: string, values: Partial<typeof users.$inferInsert>): Statement {
  return db.update(users).set(values).where(eq(users.id, id));
}

/** The row `id` of `table` exists and belongs to `userId` (evaluated when the statement runs). */
export function ownedRowExists(table: typeof emailAddresses | typeof phoneNumbers | typeof web3Wallets | typeof images, id: string, userId: string): SQL {
  return sql`exists (select 1 from ${table} where ${table.id} = ${id} and ${table.userId} = ${userId})`;
}

/** The error text of a batch stopped by `abortBatchUnless`. */
export const BATCH_GUARD_FAILED = "NOT NULL constraint failed: users.id";

/**
 * A statement that aborts its whole batch unless `condition` holds when the batch runs: it
 * sets the user's id to NULL only when the condition is false, which fails with
 * BATCH_GUARD_FAILED and rolls the batch back. D1 has no interactive transactions; this lets a
 * batch re-check, at write time, something the request read earlier (a row it points at).
 */
export function abortBatchUnless(db: Db, userId: string, condition: SQL): Statement {
  return db
    .update(users)
    .set({ id: sql`null` })
    .where(and(eq(users.id, userId), sql`not (${condition})`));
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
  const except = (col: unknown) => (input.exceptUserId ? sql`${col} <> ${input.exceptUserId}` : sql`1 = 1`);
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
      .where(and(eq(users.usernameNormalized, input.username ?? "\u0000"), except(users.id)))
      .limit(1),
    db
      .select({ id: users.id })
      .from(users)
      .where(and(eq(users.externalId, input.externalId ?? "\u0000"), except(users.id)))
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
