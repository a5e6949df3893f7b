/**
 * The numbers and lists that the derived SQL objects (rendered in this folder, see index.ts) and
 * the Worker's TypeScript both rely on. The SQL is rendered from these values, so the two cannot
 * disagree; test/routes/derived-objects.test.ts checks the database the migrations build against
 * them too. The Worker imports this module alone (no SQL text in the bundle).
 */
import type { EmailAddressRow, ExternalAccountRow, PasskeyRow, PhoneNumberRow, Web3WalletRow } from "../schema";
import type { OrderField } from "../user-search/filter";

/**
 * Search document ids follow created_at: the users created in millisecond t get doc_ids in the
 * bucket [t << BUCKET_BITS, (t + 1) << BUCKET_BITS), in insertion order (migration 0002). A bucket
 * holds 2^BUCKET_BITS users; the triggers refuse the next one rather than spill into the next
 * millisecond's bucket.
 */
export const BUCKET_BITS = 20;

/** doc_id & ~BUCKET_MASK is the first doc_id of its bucket, doc_id | BUCKET_MASK the last. */
export const BUCKET_MASK = 2 ** BUCKET_BITS - 1;

/**
 * created_at is clamped to [0, CREATED_AT_MAX] (1970 to 2248) before it becomes a bucket, so every
 * doc_id fits a signed 64-bit integer; clamping keeps bucket order a (non-strict) created_at order.
 */
export const CREATED_AT_MAX = 2 ** (63 - BUCKET_BITS) - 1;

/** The bucket of users created at `createdAt`, as the search triggers compute it. */
export function clampedCreatedAt(createdAt: number): number {
  return Math.max(0, Math.min(createdAt, CREATED_AT_MAX));
}

/** The lowest search span starts at the smallest doc_id SQLite has, so every doc_id has a span. */
export const LOWEST_SPAN = "-9223372036854775808";

/** search_settings.span_docs of a new database: spans hold span_docs to twice as many documents. */
export const DEFAULT_SPAN_DOCS = 2048;

/**
 * The searchable fields of a search document: the first columns of the FTS table user_search, in
 * this order, and the fields a search term can be limited to.
 */
export const SEARCH_FIELDS = ["user_id", "name", "username", "emails", "phones", "wallets"] as const;

/**
 * The orders whose sort keys the search documents carry, in the column order of user_search:
 * the i-th order's ascending key is FTS column FIRST_SORT_COLUMN + 2·i, its descending key the
 * next one. created_at needs no key: FTS rowids follow it.
 */
export const SEARCH_SORT_ORDERS = [
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

/** The FTS column of the first sort key: the key columns follow the searchable fields. */
export const FIRST_SORT_COLUMN = SEARCH_FIELDS.length;

/**
 * The columns of each child row that the User JSON is built from (drizzle names): exactly those
 * copied into users.children_json, under the child table's SQL column names, as
 * {"e": emails, "p": phones, "w": wallets, "k": passkeys, "x": external accounts, "b": backup
 * code count}. Never digests, keys or tokens.
 */
export const CHILD_COLUMNS = {
  e: ["id", "emailAddress", "emailAddressNormalized", "reserved", "verificationStatus", "verificationStrategy", "createdAt", "updatedAt"],
  p: [
    "id",
    "phoneNumber",
    "reserved",
    "reservedForSecondFactor",
    "defaultSecondFactor",
    "verificationStatus",
    "verificationStrategy",
    "createdAt",
    "updatedAt",
  ],
  w: ["id", "web3Wallet", "verificationStatus", "verificationStrategy", "createdAt", "updatedAt"],
  k: ["id", "name", "lastUsedAt", "createdAt", "updatedAt"],
  x: [
    "id",
    "provider",
    "identificationId",
    "providerUserId",
    "approvedScopes",
    "emailAddress",
    "firstName",
    "lastName",
    "username",
    "imageUrl",
    "phoneNumber",
    "label",
    "publicMetadata",
    "tokenExpiresAt",
    "createdAt",
    "updatedAt",
  ],
} as const satisfies {
  e: readonly (keyof EmailAddressRow)[];
  p: readonly (keyof PhoneNumberRow)[];
  w: readonly (keyof Web3WalletRow)[];
  k: readonly (keyof PasskeyRow)[];
  x: readonly (keyof ExternalAccountRow)[];
};
