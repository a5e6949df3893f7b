/**
 * A user's public data (a member's or an inviter's `public_user_data`): names, image, username
 * and primary identifiers, joined from the users table and its primary identifier rows. No
 * credentials are read.
 */
import { eq } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import type { Db } from "./client";
import { emailAddresses, phoneNumbers, users, web3Wallets } from "./schema";
import { inJsonList } from "./users";

/** What a member's public data is built from. */
export interface PublicUserRow {
  id: string;
  firstName: string | null;
  lastName: string | null;
  imageId: string | null;
  username: string | null;
  banned: boolean;
  email: string | null;
  phone: string | null;
  wallet: string | null;
}

/** The primary identifier rows, joined under these names wherever public data is selected. */
export const primaryEmail = alias(emailAddresses, "primary_email");
export const primaryPhone = alias(phoneNumbers, "primary_phone");
export const primaryWallet = alias(web3Wallets, "primary_wallet");

/** The selected columns of a PublicUserRow (from `users` left-joined with the primary identifiers). */
export const publicUserColumns = {
  id: users.id,
  firstName: users.firstName,
  lastName: users.lastName,
  imageId: users.imageId,
  username: users.username,
  banned: users.banned,
  email: primaryEmail.emailAddress,
  phone: primaryPhone.phoneNumber,
  wallet: primaryWallet.web3Wallet,
};

/** Public data of the given users (members, inviters), keyed by id. */
export async function findPublicUsers(db: Db, ids: string[]): Promise<Map<string, PublicUserRow>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .select(publicUserColumns)
    .from(users)
    .leftJoin(primaryEmail, eq(primaryEmail.id, users.primaryEmailAddressId))
    .leftJoin(primaryPhone, eq(primaryPhone.id, users.primaryPhoneNumberId))
    .leftJoin(primaryWallet, eq(primaryWallet.id, users.primaryWeb3WalletId))
    .where(inJsonList(users.id, [...new Set(ids)]))
    .all();
  return new Map(rows.map((r) => [r.id, r]));
}
