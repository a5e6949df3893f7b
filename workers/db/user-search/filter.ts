/**
 * What GET /users and /users/count filter and order by, already parsed and normalised, and the
 * SQL WHERE clause of the filters (every search plan applies it the same way).
 *
 * Every exact filter is an index lookup: value lists travel as ONE JSON parameter read with
 * json_each(?) (D1 allows 100 bound parameters per statement), and child-table filters become
 * `users.id IN (SELECT user_id FROM <child> WHERE <indexed column> IN json_each(?))`, which SQLite
 * answers with the child's index and then the users primary key.
 */
import { and, eq, sql, type SQL } from "drizzle-orm";
import type { OrderBy } from "../order";
import { emailAddresses, externalAccounts, organizationMemberships, phoneNumbers, users, web3Wallets } from "../schema";
import type { SEARCH_FIELDS } from "../derived/constants";
import { inJsonList } from "../users";

/** The searchable columns of user_search / user_search_documents. */
export type SearchField = (typeof SEARCH_FIELDS)[number];

/**
 * One whitespace-free search term and where it may match. `variants` are the forms to try as FTS
 * phrases (NFC and NFD; the trigram tokenizer folds case itself). A term too short for trigrams
 * is matched by substring instead, against every case spelling of every variant (`spellings`).
 */
export interface SearchTerm {
  fields: readonly SearchField[];
  variants: string[];
  short: boolean;
  spellings: string[];
}

export interface IncludeExclude {
  include: string[];
  exclude: string[];
}

export interface TimeRange {
  /** Strictly before. */
  before?: number;
  /** Strictly after. */
  after?: number;
  /** At or after (the deprecated last_active_at_since). */
  since?: number;
}

/** Every filter GET /users and /users/count accept, already parsed and normalised. */
export interface UserFilter {
  emailAddresses: string[];
  phoneNumbers: string[];
  usernames: string[];
  web3Wallets: string[];
  externalIds: IncludeExclude;
  userIds: IncludeExclude;
  organizationIds: IncludeExclude;
  provider?: { provider: string; providerUserIds: string[] };
  banned?: boolean;
  createdAt: TimeRange;
  lastActiveAt: TimeRange;
  lastSignInAt: TimeRange;
  search: SearchTerm[];
}

/** The sortable columns, by order_by field name. */
export const ORDER_COLUMNS = {
  created_at: users.createdAt,
  updated_at: users.updatedAt,
  email_address: users.primaryEmailAddressSort,
  web3wallet: users.primaryWeb3WalletSort,
  first_name: users.firstName,
  last_name: users.lastName,
  phone_number: users.primaryPhoneNumberSort,
  username: users.usernameNormalized,
  last_active_at: users.lastActiveAt,
  last_sign_in_at: users.lastSignInAt,
} as const;

export type OrderField = keyof typeof ORDER_COLUMNS;
export const ORDER_FIELDS = Object.keys(ORDER_COLUMNS) as OrderField[];

export type UserOrder = OrderBy<OrderField>;

export interface UserPage {
  limit: number;
  offset: number;
  /** Keyset cursor for created_at order: the (created_at, id) of the last user already seen. */
  after?: { createdAt: number; id: string };
}

function includeExclude(column: SQL | unknown, list: IncludeExclude, childSelect?: (values: string[]) => SQL): SQL[] {
  const out: SQL[] = [];
  const lookup = (values: string[]) => (childSelect ? sql`${users.id} in ${childSelect(values)}` : inJsonList(column, values));
  if (list.include.length) out.push(lookup(list.include));
  if (list.exclude.length) {
    // NOT IN over a nullable column is never true for NULL: a user without the value is kept.
    out.push(
      childSelect ? sql`${users.id} not in ${childSelect(list.exclude)}` : sql`(${column} is null or not ${inJsonList(column, list.exclude)})`,
    );
  }
  return out;
}

function timeConditions(column: unknown, range: TimeRange): SQL[] {
  const out: SQL[] = [];
  // Comparisons with NULL are never true, so users without the timestamp never match.
  if (range.before !== undefined) out.push(sql`${column} < ${range.before}`);
  if (range.after !== undefined) out.push(sql`${column} > ${range.after}`);
  if (range.since !== undefined) out.push(sql`${column} >= ${range.since}`);
  return out;
}

function childUserIds(table: typeof emailAddresses | typeof phoneNumbers | typeof web3Wallets, column: unknown, values: string[]): SQL {
  return sql`${users.id} in (select ${table.userId} from ${table} where ${inJsonList(column, values)})`;
}

/** The WHERE clause on `users` for a filter's non-search conditions (undefined = every user). */
export function whereOf(filter: UserFilter): SQL | undefined {
  const conditions: (SQL | undefined)[] = [];
  if (filter.emailAddresses.length) conditions.push(childUserIds(emailAddresses, emailAddresses.emailAddressNormalized, filter.emailAddresses));
  if (filter.phoneNumbers.length) conditions.push(childUserIds(phoneNumbers, phoneNumbers.phoneNumber, filter.phoneNumbers));
  if (filter.web3Wallets.length) conditions.push(childUserIds(web3Wallets, web3Wallets.web3Wallet, filter.web3Wallets));
  if (filter.usernames.length) conditions.push(inJsonList(users.usernameNormalized, filter.usernames));
  conditions.push(...includeExclude(users.externalId, filter.externalIds));
  conditions.push(...includeExclude(users.id, filter.userIds));
  conditions.push(
    ...includeExclude(
      undefined,
      filter.organizationIds,
      (values) =>
        sql`(select ${organizationMemberships.userId} from ${organizationMemberships} where ${inJsonList(organizationMemberships.organizationId, values)})`,
    ),
  );
  if (filter.provider) {
    conditions.push(
      sql`${users.id} in (select ${externalAccounts.userId} from ${externalAccounts} where ${and(
        eq(externalAccounts.provider, filter.provider.provider),
        inJsonList(externalAccounts.providerUserId, filter.provider.providerUserIds),
      )})`,
    );
  }
  if (filter.banned !== undefined) conditions.push(eq(users.banned, filter.banned));
  conditions.push(...timeConditions(users.createdAt, filter.createdAt));
  conditions.push(...timeConditions(users.lastActiveAt, filter.lastActiveAt));
  conditions.push(...timeConditions(users.lastSignInAt, filter.lastSignInAt));
  return and(...conditions);
}
