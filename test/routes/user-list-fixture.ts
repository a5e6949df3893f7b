/**
 * A fixture of users for the list/count/search tests, designed so that every order_by gives a
 * different order and every filter a different subset, plus a JS oracle of the filters and the
 * orders to compare the API with. Users are created through the API; what the API cannot set
 * (updated_at, last_active_at, last_sign_in_at — written by sessions, which do not exist here —
 * and organization memberships, owned by another area) is written with SQL.
 */
import { env } from "cloudflare:test";
import { expect } from "vitest";
import { call, createUser } from "../helpers";

export const T0 = Date.UTC(2024, 0, 1);
const DAY = 86_400_000;

export interface FixtureUser {
  key: string;
  createdAt: number;
  updatedAt: number;
  emails: string[];
  phones: string[];
  wallets: string[];
  username: string | null;
  first: string | null;
  last: string | null;
  externalId: string | null;
  banned: boolean;
  lastActiveAt: number | null;
  lastSignInAt: number | null;
  orgs: string[];
  accounts: { provider: string; providerUserId: string }[];
}

const wallet = (hex: string) => `0x${hex.repeat(40 / hex.length)}`;

export const FIXTURE: Omit<FixtureUser, never>[] = [
  {
    key: "ada",
    createdAt: T0 + 1 * DAY,
    updatedAt: T0 + 50,
    emails: ["Ada.Lovelace@Example.com"],
    phones: ["+15550001111"],
    wallets: [],
    username: "AdaL",
    first: "Ada",
    last: "Lovelace",
    externalId: "ext-1",
    banned: false,
    lastActiveAt: T0 + 500,
    lastSignInAt: T0 + 400,
    orgs: ["org_a"],
    accounts: [{ provider: "oauth_google", providerUserId: "g-ada" }],
  },
  {
    key: "amelie",
    createdAt: T0 + 3 * DAY,
    updatedAt: T0 + 10,
    emails: ["amelie@exemple.fr"],
    phones: [],
    wallets: [wallet("1a")],
    username: "Amélie.P",
    first: "Amélie",
    last: "Poulain",
    externalId: null,
    banned: true,
    lastActiveAt: null,
    lastSignInAt: T0 + 100,
    orgs: ["org_a", "org_b"],
    accounts: [],
  },
  {
    key: "bob",
    createdAt: T0 + 2 * DAY,
    updatedAt: T0 + 40,
    emails: ["bob@builder.io", "robert@work.io"],
    phones: ["+447700900123"],
    wallets: [],
    username: "bobby",
    first: "Bob",
    last: "Zimmer",
    externalId: "ext-3",
    banned: false,
    lastActiveAt: T0 + 100,
    lastSignInAt: null,
    orgs: ["org_b"],
    accounts: [{ provider: "oauth_google", providerUserId: "g-bob" }],
  },
  {
    key: "chen",
    createdAt: T0 + 5 * DAY,
    updatedAt: T0 + 30,
    emails: [],
    phones: ["+8613800138000"],
    wallets: [wallet("beef")],
    username: null,
    first: "Chen",
    last: "Li",
    externalId: "ext-4",
    banned: false,
    lastActiveAt: T0 + 300,
    lastSignInAt: T0 + 600,
    orgs: [],
    accounts: [],
  },
  {
    key: "dee",
    createdAt: T0 + 4 * DAY,
    // Same updated_at as chen: the tie breaks by id.
    updatedAt: T0 + 30,
    emails: ["dee@example.com"],
    phones: [],
    wallets: [],
    username: "zed_",
    first: null,
    last: null,
    externalId: null,
    banned: true,
    lastActiveAt: T0 + 200,
    lastSignInAt: T0 + 200,
    orgs: ["org_a"],
    accounts: [{ provider: "oauth_github", providerUserId: "gh-5" }],
  },
  {
    key: "eve",
    createdAt: T0 + 6 * DAY,
    updatedAt: T0 + 60,
    emails: ["EVE@Example.org"],
    phones: ["+15550002222"],
    wallets: [wallet("ca"), wallet("0f")],
    username: "eve-99",
    first: "Ève",
    last: "Adams",
    externalId: "ext-6",
    banned: false,
    lastActiveAt: null,
    lastSignInAt: null,
    orgs: [],
    accounts: [],
  },
  {
    key: "meta",
    createdAt: T0,
    updatedAt: T0 + 70,
    emails: ["o'brien%_*+near@example.com"],
    phones: [],
    wallets: [wallet("dd")],
    username: "and_or.near",
    first: `O'Brien "Q" (x)`,
    last: "100%_* NEAR AND",
    externalId: "ext-'%_",
    banned: false,
    lastActiveAt: T0 + 50,
    lastSignInAt: T0 + 50,
    orgs: ["org_b"],
    accounts: [],
  },
];

export type Fixture = Map<string, FixtureUser & { id: string }>;

/** Creates the fixture users and their memberships; returns them by key with their ids. */
export async function seedFixture(): Promise<Fixture> {
  const out: Fixture = new Map();
  const now = Date.now();
  for (const org of ["org_a", "org_b"]) {
    await env.DB.prepare("insert into organizations (id, name, slug, created_at, updated_at) values (?, ?, ?, ?, ?)")
      .bind(org, org, org, now, now)
      .run();
  }
  for (const f of FIXTURE) {
    const user = await createUser({
      email_address: f.emails,
      phone_number: f.phones,
      web3_wallet: f.wallets,
      username: f.username,
      first_name: f.first,
      last_name: f.last,
      external_id: f.externalId,
      banned: f.banned,
      created_at: new Date(f.createdAt).toISOString(),
    });
    for (const account of f.accounts) {
      const result = await call("POST", `/v1/users/${user.id}/external_accounts`, {
        provider: account.provider,
        provider_user_id: account.providerUserId,
      });
      expect(result.status, JSON.stringify(result.body)).toBe(200);
    }
    await env.DB.prepare("update users set updated_at = ?, last_active_at = ?, last_sign_in_at = ? where id = ?")
      .bind(f.updatedAt, f.lastActiveAt, f.lastSignInAt, user.id)
      .run();
    for (const org of f.orgs) {
      await env.DB.prepare(
        "insert into organization_memberships (id, organization_id, user_id, role, created_at, updated_at) values (?, ?, ?, 'org:member', ?, ?)",
      )
        .bind(`orgmem_${org}_${f.key}`, org, user.id, now, now)
        .run();
    }
    out.set(f.key, { ...f, id: user.id });
  }
  return out;
}

/** The value each order_by field sorts by, as the API defines it (primary identifier, folded where stored folded). */
export function sortValue(u: FixtureUser, field: string): string | number | null {
  const fold = (v: string | undefined | null) => (v == null ? null : v.normalize("NFC").toLowerCase());
  switch (field) {
    case "created_at":
      return u.createdAt;
    case "updated_at":
      return u.updatedAt;
    case "email_address":
      return fold(u.emails[0]);
    case "web3wallet":
      return u.wallets[0] ?? null;
    case "first_name":
      return u.first;
    case "last_name":
      return u.last;
    case "phone_number":
      return u.phones[0] ?? null;
    case "username":
      return fold(u.username);
    case "last_active_at":
      return u.lastActiveAt;
    case "last_sign_in_at":
      return u.lastSignInAt;
  }
  throw new Error(field);
}

/** Byte-wise comparison as SQLite's BINARY collation does (UTF-16 order equals UTF-8 order in the BMP). */
const compare = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);

/** Oracle ordering: NULLs last in both directions, ties by id in the same direction. */
export function oracleOrder(users: (FixtureUser & { id: string })[], field: string, descending: boolean): string[] {
  const sign = descending ? -1 : 1;
  return [...users]
    .sort((a, b) => {
      const va = sortValue(a, field);
      const vb = sortValue(b, field);
      if (va === null && vb !== null) return 1;
      if (vb === null && va !== null) return -1;
      const byValue = va === null || vb === null ? 0 : compare(va, vb);
      return byValue !== 0 ? sign * byValue : sign * compare(a.id, b.id);
    })
    .map((u) => u.id);
}

export const ORDER_FIELDS = [
  "created_at",
  "updated_at",
  "email_address",
  "web3wallet",
  "first_name",
  "last_name",
  "phone_number",
  "username",
  "last_active_at",
  "last_sign_in_at",
] as const;

/** GET /v1/users with the given query pairs; asserts 200 and returns the ids in order. */
export async function listIds(pairs: [string, string][]): Promise<string[]> {
  const result = await call("GET", `/v1/users?${new URLSearchParams(pairs)}`, undefined, { schema: ["User"] });
  expect(result.status, JSON.stringify(result.body)).toBe(200);
  return result.body.map((u: { id: string }) => u.id);
}

/** GET /v1/users/count with the given query pairs; asserts 200 and returns the number. */
export async function countOf(pairs: [string, string][]): Promise<number> {
  const result = await call("GET", `/v1/users/count?${new URLSearchParams(pairs)}`, undefined, { schema: "TotalCount" });
  expect(result.status, JSON.stringify(result.body)).toBe(200);
  expect(result.body.object).toBe("total_count");
  return result.body.total_count;
}

/** The searchable text of a fixture user, per search field (as the search index defines it). */
function searchFields(u: FixtureUser & { id: string }): Record<string, string[]> {
  return {
    user_id: [u.id],
    name: [[u.first, u.last].filter((v) => v !== null).join(" ")],
    username: u.username ? [u.username] : [],
    emails: u.emails,
    phones: u.phones,
    wallets: u.wallets,
  };
}

const SEARCH_PARAM_FIELDS: Record<string, string[]> = {
  query: ["user_id", "name", "username", "emails", "phones", "wallets"],
  email_address_query: ["emails"],
  phone_number_query: ["phones"],
  username_query: ["username"],
  name_query: ["name"],
};

const fold = (v: string) => v.normalize("NFC").toLowerCase();

/** Oracle: does the user match search parameter `param` = `value` (every whitespace-separated term in some field)? */
export function matchesSearch(u: FixtureUser & { id: string }, param: string, value: string): boolean {
  const fields = searchFields(u);
  const terms = fold(value).split(/\s+/u).filter(Boolean);
  return terms.every((term) => SEARCH_PARAM_FIELDS[param].some((f) => fields[f].some((v) => fold(v).includes(term))));
}
