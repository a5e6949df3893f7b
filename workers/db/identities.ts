/**
 * SQL for a user's identities beyond email and phone: passkeys, web3 wallets, external accounts.
 */
import { and, eq, sql, type SQL } from "drizzle-orm";
import type { SQLiteUpdateSetSource } from "drizzle-orm/sqlite-core";
import type { Db } from "./client";
import { type BatchRunner, ownedRowExists } from "./users";
import { emailAddresses, externalAccounts, passkeys, phoneNumbers, users, web3Wallets, type ExternalAccountRow, type PasskeyRow } from "./schema";

export async function insertPasskey(db: Db, run: BatchRunner, row: typeof passkeys.$inferInsert): Promise<PasskeyRow> {
  const [rows] = (await run([db.insert(passkeys).values(row).returning()])) as [PasskeyRow[]];
  return rows[0];
}

export async function insertExternalAccount(db: Db, run: BatchRunner, row: typeof externalAccounts.$inferInsert): Promise<ExternalAccountRow> {
  const [rows] = (await run([db.insert(externalAccounts).values(row).returning()])) as [ExternalAccountRow[]];
  return rows[0];
}

/** The identity tables whose rows the removal endpoints delete. */
export type RemovableIdentityTable = typeof passkeys | typeof web3Wallets | typeof externalAccounts;

/**
 * SQL: how many ways the user can identify themselves — email addresses, phone numbers, web3
 * wallets, passkeys, external accounts and a username (Clerk models a username as an
 * identification too). Evaluated inside the deleting statements, so the check cannot race.
 */
function identificationCount(userId: string): SQL {
  const countOf = (table: RemovableIdentityTable | typeof emailAddresses | typeof phoneNumbers) =>
    sql`(select count(*) from ${table} where ${table.userId} = ${userId})`;
  return sql`(${countOf(emailAddresses)} + ${countOf(phoneNumbers)} + ${countOf(web3Wallets)} + ${countOf(passkeys)} + ${countOf(externalAccounts)} + (select count(*) from ${users} where ${users.id} = ${userId} and ${users.username} is not null))`;
}

/** SQL: the user has another identification besides the one being removed. */
function notLastIdentification(userId: string): SQL {
  return sql`${identificationCount(userId)} > 1`;
}

/**
 * SQL, for a statement that clears `users.username`: true unless that removes the user's last
 * identification (the rule of the identity removal endpoints). A user without a username loses
 * nothing. Evaluated by the writing batch itself (see abortBatchUnless), so of two concurrent
 * removals of the last two identifications only one can pass.
 */
export function usernameRemovable(userId: string): SQL {
  return sql`(${users.username} is null or ${notLastIdentification(userId)})`;
}

/** Whether clearing the user's username now would keep them an identification (see usernameRemovable). */
export async function canRemoveUsername(db: Db, userId: string): Promise<boolean> {
  const row = await db
    .select({ removable: sql<number>`${usernameRemovable(userId)}` })
    .from(users)
    .where(eq(users.id, userId))
    .get();
  return Boolean(row?.removable);
}

/**
 * Deletes one of the user's identity rows unless it is their last identification, as one
 * batch: the user row is touched (updated_at, plus `userValues`) and the identity deleted only
 * when it exists, belongs to the user and is not the last. Returns whether it was deleted.
 */
export async function deleteIdentityUnlessLast(
  db: Db,
  run: BatchRunner,
  table: RemovableIdentityTable,
  userId: string,
  id: string,
  now: number,
  userValues: SQLiteUpdateSetSource<typeof users> = {},
): Promise<boolean> {
  const notLast = notLastIdentification(userId);
  const owned = ownedRowExists(table, id, userId);
  const [, deleted] = (await run([
    db
      .update(users)
      .set({ ...userValues, updatedAt: now })
      .where(and(eq(users.id, userId), owned, notLast)),
    db.delete(table).where(and(eq(table.id, id), eq(table.userId, userId), notLast)),
  ])) as [unknown, D1Result];
  return (deleted.meta.changes ?? 0) > 0;
}

/**
 * Columns that move the user's primary web3 wallet to the next remaining one (oldest first) when
 * `walletId` is the primary, or to null when none remains; otherwise they keep it.
 */
export function primaryWalletAfterRemoving(userId: string, walletId: string) {
  const next = (column: typeof web3Wallets.id | typeof web3Wallets.web3Wallet) =>
    sql`(select ${column} from ${web3Wallets} where ${web3Wallets.userId} = ${userId} and ${web3Wallets.id} <> ${walletId} order by ${web3Wallets.createdAt}, ${web3Wallets.id} limit 1)`;
  const isPrimary = sql`${users.primaryWeb3WalletId} = ${walletId}`;
  return {
    primaryWeb3WalletId: sql`case when ${isPrimary} then ${next(web3Wallets.id)} else ${users.primaryWeb3WalletId} end`,
    primaryWeb3WalletSort: sql`case when ${isPrimary} then ${next(web3Wallets.web3Wallet)} else ${users.primaryWeb3WalletSort} end`,
  };
}
