/**
 * SQL for a user's identities beyond email and phone: passkeys, web3 wallets, external accounts.
 */
import { and, eq } from "drizzle-orm";
import type { Db } from "./client";
import { externalAccounts, passkeys, type ExternalAccountRow, type PasskeyRow } from "./schema";

export async function insertPasskey(db: Db, row: typeof passkeys.$inferInsert): Promise<PasskeyRow> {
  await db.insert(passkeys).values(row);
  return (await db.select().from(passkeys).where(eq(passkeys.id, row.id)).get())!;
}

export async function insertExternalAccount(db: Db, row: typeof externalAccounts.$inferInsert): Promise<ExternalAccountRow> {
  await db.insert(externalAccounts).values(row);
  return (await db.select().from(externalAccounts).where(eq(externalAccounts.id, row.id)).get())!;
}

export async function findExternalAccountsByProvider(db: Db, userId: string, provider: string): Promise<ExternalAccountRow[]> {
  return db
    .select()
    .from(externalAccounts)
    .where(and(eq(externalAccounts.userId, userId), eq(externalAccounts.provider, provider)))
    .orderBy(externalAccounts.createdAt, externalAccounts.id)
    .all();
}
