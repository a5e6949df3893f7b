/**
 * Query strings of GET /users, /users/count and the OAuth token list, declared once, and the
 * user filter they share with an organization's membership list. Each parses into the typed
 * value the service takes: a UserFilter (db/user-search/filter.ts) with its identifiers folded
 * and its search strings split into SearchTerms, an order and a page.
 */
import { z } from "zod";
import { normalizeEmail, normalizeProvider, normalizeUsername } from "../db/normalize";
import { NEWEST_FIRST } from "../db/order";
import { ORDER_FIELDS, SEARCH_FIELDS, type OrderField, type SearchField, type SearchTerm, type UserFilter, type UserOrder } from "../db/user-search";
import { errors } from "../http/errors";
import { firstValue } from "../http/query";
import {
  fail,
  pageFields,
  pageOf,
  paramOf,
  queryBoolean,
  queryIncludeExclude,
  queryInt,
  queryList,
  queryOrderBy,
  queryString,
  queryTime,
  queryValue,
  type Page,
} from "./query";

/** Longest search string accepted, so a request cannot build an arbitrarily large FTS query. */
export const MAX_SEARCH_LENGTH = 256;

/** Trigrams need three characters; shorter terms are found by substring. */
const TRIGRAM = 3;

/**
 * Distinct search terms accepted in one request (after case-insensitive de-duplication, across
 * every search parameter). Each term is one more condition FTS5 evaluates on every document a
 * statement looks at, so the number is bounded rather than the time (D1 runs one statement at a
 * time, issue 13).
 */
export const MAX_SEARCH_TERMS = 10;

const ALL_FIELDS: readonly SearchField[] = SEARCH_FIELDS;

/** Each search parameter and the document fields it matches. */
const SEARCH_PARAMS = {
  query: ALL_FIELDS,
  email_address_query: ["emails"],
  phone_number_query: ["phones"],
  username_query: ["username"],
  name_query: ["name"],
} as const satisfies Record<string, readonly SearchField[]>;

type SearchParam = keyof typeof SEARCH_PARAMS;

/** A search string (first value): at most MAX_SEARCH_LENGTH characters, no NUL. */
const searchText = queryValue.transform((value, ctx) => {
  const raw = firstValue(value);
  if (raw === undefined) return undefined;
  const name = paramOf(ctx);
  if (raw.length > MAX_SEARCH_LENGTH) return fail(ctx, errors.paramMaxLengthExceeded(name, MAX_SEARCH_LENGTH));
  // SQLite's FTS query parser stops at U+0000, which would leave a broken phrase; no stored
  // identifier contains it, so refuse it rather than guess.
  if (raw.includes("\u0000")) return fail(ctx, errors.paramValueInvalid(name, `${name} must not contain NUL characters.`));
  return raw;
});

/**
 * Every spelling of a short term that instr() over lower(text) must try: SQLite's lower() folds
 * ASCII only, so ASCII letters are lower-cased here and each non-ASCII character is tried in its
 * original, lower and upper case (a term has at most 2 characters, so at most 9 spellings).
 */
function caseSpellings(term: string): string[] {
  let out = [""];
  for (const ch of term) {
    const forms = ch.charCodeAt(0) < 128 ? [ch.toLowerCase()] : [...new Set([ch, ch.toLowerCase(), ch.toUpperCase()])];
    out = out.flatMap((prefix) => forms.map((f) => prefix + f));
  }
  return out;
}

/**
 * Splits a search string on whitespace into terms; every term must match one of `fields`.
 * Each term is tried in NFC and NFD, since stored names keep the form they were sent in.
 */
function searchTerms(raw: string, fields: readonly SearchField[]): SearchTerm[] {
  return raw
    .normalize("NFC")
    .split(/\s+/u)
    .filter((t) => t !== "")
    .map((term) => {
      // NFKC too: usernames are stored folded by it (db/normalize.ts), so `ｅｘａ` finds `example`.
      const variants = [...new Set([term, term.normalize("NFD"), term.normalize("NFKC")])];
      const short = [...term].length < TRIGRAM;
      const spellings = short ? [...new Set(variants.flatMap(caseSpellings))] : [];
      return { fields, variants, short, spellings };
    });
}

/**
 * The terms of every search parameter given, de-duplicated; more than MAX_SEARCH_TERMS → 422
 * naming the parameter the first term too many is in.
 */
function searchOf(given: Partial<Record<SearchParam, string | undefined>>, ctx: z.RefinementCtx): SearchTerm[] {
  const terms: SearchTerm[] = [];
  // Matching ignores case, so `use USE Use` is one term: the same fields and the same lower case.
  const seen = new Set<string>();
  for (const [name, fields] of Object.entries(SEARCH_PARAMS) as [SearchParam, readonly SearchField[]][]) {
    const raw = given[name];
    if (raw === undefined) continue;
    for (const term of searchTerms(raw, fields)) {
      const key = `${fields.join(" ")}\u0000${term.variants[0].toLowerCase()}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (terms.length === MAX_SEARCH_TERMS) {
        return fail(
          ctx,
          errors.paramValueInvalid(name, `A search can have at most ${MAX_SEARCH_TERMS} different terms (words), across all search parameters.`),
        );
      }
      terms.push(term);
    }
  }
  return terms;
}

/**
 * Every filter of GET /users and /users/count (the member filters of a membership list are a
 * subset). In the order the parameters are checked, so the first malformed one is reported.
 */
const userFilterFields = {
  provider: queryString,
  provider_user_id: queryList,
  email_address: queryList,
  phone_number: queryList,
  username: queryList,
  web3_wallet: queryList,
  external_id: queryIncludeExclude,
  user_id: queryIncludeExclude,
  organization_id: queryIncludeExclude,
  banned: queryBoolean,
  created_at_before: queryTime,
  created_at_after: queryTime,
  last_active_at_before: queryTime,
  last_active_at_after: queryTime,
  last_active_at_since: queryTime,
  last_sign_in_at_before: queryTime,
  last_sign_in_at_after: queryTime,
  query: searchText,
  email_address_query: searchText,
  phone_number_query: searchText,
  username_query: searchText,
  name_query: searchText,
};

type UserFilterFields = z.output<z.ZodObject<typeof userFilterFields>>;

const NO_IDS = { include: [], exclude: [] };

/**
 * The UserFilter of the filter parameters given (a parameter a schema does not take is absent):
 * identifiers folded as they are stored, provider and provider_user_id only together (one
 * without the other → 422 form_param_missing naming the missing one), search strings as terms.
 */
function toUserFilter(f: Partial<UserFilterFields>, ctx: z.RefinementCtx): UserFilter {
  const providerUserIds = f.provider_user_id ?? [];
  if (f.provider && providerUserIds.length === 0) return fail(ctx, errors.paramMissing("provider_user_id"));
  if (!f.provider && providerUserIds.length > 0) return fail(ctx, errors.paramMissing("provider"));
  return {
    emailAddresses: (f.email_address ?? []).map(normalizeEmail),
    phoneNumbers: f.phone_number ?? [],
    usernames: (f.username ?? []).map(normalizeUsername),
    web3Wallets: f.web3_wallet ?? [],
    externalIds: f.external_id ?? NO_IDS,
    userIds: f.user_id ?? NO_IDS,
    organizationIds: f.organization_id ?? NO_IDS,
    provider: f.provider ? { provider: normalizeProvider(f.provider), providerUserIds } : undefined,
    banned: f.banned,
    createdAt: { before: f.created_at_before, after: f.created_at_after },
    lastActiveAt: { before: f.last_active_at_before, after: f.last_active_at_after, since: f.last_active_at_since },
    lastSignInAt: { before: f.last_sign_in_at_before, after: f.last_sign_in_at_after },
    search: searchOf(f, ctx),
  };
}

/** GET /users/count: every filter; limit, offset, order_by and starting_after are ignored (the SDK sends them). */
export const countUsersQuery = z.object(userFilterFields).transform(toUserFilter);

/**
 * The member filters of GET /organizations/{id}/memberships (spec ListOrganizationMemberships),
 * which mean what they mean on GET /users. (Its `user_id` filters the memberships themselves.)
 */
const MEMBER_FILTER_PARAMS = [
  "email_address",
  "phone_number",
  "username",
  "web3_wallet",
  "created_at_before",
  "created_at_after",
  "last_active_at_before",
  "last_active_at_after",
  "query",
  "email_address_query",
  "phone_number_query",
  "username_query",
  "name_query",
] as const satisfies readonly (keyof typeof userFilterFields)[];

type MemberFilterParam = (typeof MEMBER_FILTER_PARAMS)[number];

/** The fields of the member filters, for a membership list's schema to spread. */
export const memberFilterFields = Object.fromEntries(MEMBER_FILTER_PARAMS.map((name) => [name, userFilterFields[name]])) as Pick<
  typeof userFilterFields,
  MemberFilterParam
>;

/** The UserFilter of the member filters in a parsed membership-list query (its other parameters left out). */
export function memberFilterOf(parsed: Pick<UserFilterFields, MemberFilterParam>, ctx: z.RefinementCtx): UserFilter {
  return toUserFilter(Object.fromEntries(MEMBER_FILTER_PARAMS.map((name) => [name, parsed[name]])), ctx);
}

export interface ListUsersQuery {
  filter: UserFilter;
  order: UserOrder;
  page: Page;
  /** Keyset cursor: the id of the last user already seen (created_at order only, offset 0). */
  startingAfter?: string;
}

/**
 * GET /users: every filter, `order_by` (±field, default -created_at), limit/offset, and
 * `starting_after`, which pages by created_at with a keyset cursor, so it refuses any other
 * order and a non-zero offset.
 */
export const listUsersQuery = z
  .object({
    ...userFilterFields,
    order_by: queryOrderBy<OrderField>(ORDER_FIELDS, NEWEST_FIRST),
    ...pageFields,
    starting_after: queryString,
  })
  .transform((q, ctx): ListUsersQuery => {
    const filter = toUserFilter(q, ctx);
    if (q.starting_after !== undefined) {
      if (q.order_by.field !== "created_at") {
        return fail(ctx, errors.paramValueInvalid("starting_after", "starting_after can only be used when ordering by created_at."));
      }
      if (q.offset !== 0) return fail(ctx, errors.paramValueInvalid("offset", "offset cannot be combined with starting_after."));
    }
    return { filter, order: q.order_by, page: pageOf(q), startingAfter: q.starting_after };
  });

/** GET /users/{id}/oauth_access_tokens/{provider}: `paginated` (the official client always sends true), limit/offset. */
export const oauthAccessTokensQuery = z.object({ paginated: queryBoolean, ...pageFields }).transform((q) => ({
  paginated: q.paginated ?? false,
  page: pageOf(q),
}));

export interface ExportUsersQuery {
  /** Only users created strictly after this time (epoch ms), as on GET /users. */
  createdAfter?: number;
  /** At most this many users; undefined = all of them. */
  limit?: number;
  includeCredentials: boolean;
}

/**
 * GET /users/export: `created_at_after` as on GET /users, `limit` ≥ 1 with no upper bound but
 * a safe integer (absent = every user), `include_credentials` a boolean like the others.
 */
export const exportUsersQuery = z
  .object({
    created_at_after: queryTime,
    limit: queryInt(Number.POSITIVE_INFINITY, 1),
    include_credentials: queryBoolean,
  })
  .transform(
    (q): ExportUsersQuery => ({
      createdAfter: q.created_at_after,
      limit: Number.isFinite(q.limit) ? q.limit : undefined,
      includeCredentials: q.include_credentials ?? false,
    }),
  );
