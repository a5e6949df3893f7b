/**
 * GET /users and /users/count: parse every filter, search, order and page parameter into a
 * UserFilter (malformed known parameters → 422 naming them; unknown parameters are ignored
 * because the SDK adds its own), then run the index-backed queries in db/user-search/.
 */
import type { AppContext } from "../context";
import { normalizeEmail, normalizeUsername } from "../db/normalize";
import {
  countUsersMatching,
  findUserCreatedAt,
  findUserRowsMatching,
  ORDER_FIELDS,
  type IncludeExclude,
  type OrderField,
  type SearchField,
  type SearchTerm,
  type TimeRange,
  type UserFilter,
  type UserOrder,
} from "../db/user-search";
import { aggregateOf, type UserAggregate } from "../db/users";
import { errors } from "../http/errors";
import { firstValue, includeExcludeParam, listParam, pagination, type Query } from "../http/query";
import { normalizeProvider } from "./identities";

/** Longest search string accepted, so a request cannot build an arbitrarily large FTS query. */
export const MAX_SEARCH_LENGTH = 256;

/** Trigrams need three characters; shorter terms are found by substring. */
const TRIGRAM = 3;

/**
 * Distinct search terms accepted in one request (after case-insensitive de-duplication, across
 * every search parameter). Each term is one more condition FTS5 evaluates on every document a
 * statement looks at, so the number is bounded rather than the time (D1 runs one statement at a
 * time: docs/search.md).
 */
export const MAX_SEARCH_TERMS = 10;

const ALL_FIELDS: readonly SearchField[] = ["user_id", "name", "username", "emails", "phones", "wallets"];

/** Each search parameter and the document fields it matches. */
const SEARCH_PARAMS: readonly [string, readonly SearchField[]][] = [
  ["query", ALL_FIELDS],
  ["email_address_query", ["emails"]],
  ["phone_number_query", ["phones"]],
  ["username_query", ["username"]],
  ["name_query", ["name"]],
];

/** An optional epoch-milliseconds parameter; anything but a non-negative integer → 422. */
function timeParam(query: Query, name: string): number | undefined {
  const raw = firstValue(query[name]);
  if (raw === undefined || raw === "") return undefined;
  if (!/^\d{1,16}$/.test(raw)) throw errors.paramValueInvalid(name, `${name} must be a time in milliseconds since the Unix epoch.`);
  return Number(raw);
}

function timeRange(query: Query, prefix: string, withSince = false): TimeRange {
  return {
    before: timeParam(query, `${prefix}_before`),
    after: timeParam(query, `${prefix}_after`),
    since: withSince ? timeParam(query, `${prefix}_since`) : undefined,
  };
}

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

function searchParam(query: Query): SearchTerm[] {
  const terms: SearchTerm[] = [];
  // Matching ignores case, so `use USE Use` is one term: the same fields and the same lower case.
  const seen = new Set<string>();
  for (const [name, fields] of SEARCH_PARAMS) {
    const raw = firstValue(query[name]);
    if (raw === undefined) continue;
    if (raw.length > MAX_SEARCH_LENGTH) throw errors.paramMaxLengthExceeded(name, MAX_SEARCH_LENGTH);
    // SQLite's FTS query parser stops at U+0000, which would leave a broken phrase; no stored
    // identifier contains it, so refuse it rather than guess.
    if (raw.includes("\u0000")) throw errors.paramValueInvalid(name, `${name} must not contain NUL characters.`);
    for (const term of searchTerms(raw, fields)) {
      const key = `${fields.join(" ")}\u0000${term.variants[0].toLowerCase()}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (terms.length === MAX_SEARCH_TERMS) {
        throw errors.paramValueInvalid(name, `A search can have at most ${MAX_SEARCH_TERMS} different terms (words), across all search parameters.`);
      }
      terms.push(term);
    }
  }
  return terms;
}

function bannedParam(query: Query): boolean | undefined {
  const raw = firstValue(query.banned);
  if (raw === undefined || raw === "") return undefined;
  if (raw === "true") return true;
  if (raw === "false") return false;
  throw errors.paramValueInvalid("banned", "banned must be true or false.");
}

/** Parses every filter shared by the list and the count. */
export function parseUserFilter(query: Query): UserFilter {
  const providerValue = firstValue(query.provider) || undefined;
  const providerUserIds = listParam(query, "provider_user_id");
  if (providerValue && providerUserIds.length === 0) throw errors.paramMissing("provider_user_id");
  if (!providerValue && providerUserIds.length > 0) throw errors.paramMissing("provider");
  return {
    emailAddresses: listParam(query, "email_address").map(normalizeEmail),
    phoneNumbers: listParam(query, "phone_number"),
    usernames: listParam(query, "username").map(normalizeUsername),
    web3Wallets: listParam(query, "web3_wallet"),
    externalIds: includeExcludeParam(query, "external_id"),
    userIds: includeExcludeParam(query, "user_id"),
    organizationIds: includeExcludeParam(query, "organization_id"),
    provider: providerValue ? { provider: normalizeProvider(providerValue), providerUserIds } : undefined,
    banned: bannedParam(query),
    createdAt: timeRange(query, "created_at"),
    lastActiveAt: timeRange(query, "last_active_at", true),
    lastSignInAt: timeRange(query, "last_sign_in_at"),
    search: searchParam(query),
  };
}

/** `order_by`: ±field (no sign = ascending), only the first value counts; default -created_at. */
export function parseUserOrder(query: Query): UserOrder {
  const raw = firstValue(query.order_by);
  if (raw === undefined || raw === "") return { field: "created_at", descending: true };
  // An unencoded "+" arrives as a space.
  const sign = raw[0] === "-" || raw[0] === "+" || raw[0] === " " ? raw[0] : "";
  const field = raw.slice(sign.length);
  if (!(ORDER_FIELDS as string[]).includes(field)) {
    throw errors.paramValueInvalid("order_by", `order_by must be one of ${ORDER_FIELDS.join(", ")}, optionally prefixed with + or -.`);
  }
  return { field: field as OrderField, descending: sign === "-" };
}

/**
 * GET /users: a page of users matching every filter. `starting_after` pages by created_at
 * with a keyset cursor, so it refuses any other order and a non-zero offset.
 */
export async function listUsers(ctx: AppContext, query: Query): Promise<UserAggregate[]> {
  const filter = parseUserFilter(query);
  const order = parseUserOrder(query);
  const { limit, offset } = pagination(query);
  const startingAfter = firstValue(query.starting_after) || undefined;
  let after: { createdAt: number; id: string } | undefined;
  if (startingAfter) {
    if (order.field !== "created_at") {
      throw errors.paramValueInvalid("starting_after", "starting_after can only be used when ordering by created_at.");
    }
    if (offset !== 0) throw errors.paramValueInvalid("offset", "offset cannot be combined with starting_after.");
    const createdAt = await findUserCreatedAt(ctx.db, startingAfter);
    if (createdAt === undefined) throw errors.paramValueInvalid("starting_after", `No user was found with id ${startingAfter}.`);
    after = { createdAt, id: startingAfter };
  }
  const rows = await findUserRowsMatching(ctx.db, filter, order, { limit, offset, after });
  return rows.map(aggregateOf);
}

/** GET /users/count: accepts every filter and ignores limit, offset, order_by and starting_after (the SDK sends them). */
export async function countUsers(ctx: AppContext, query: Query): Promise<number> {
  return countUsersMatching(ctx.db, parseUserFilter(query));
}
