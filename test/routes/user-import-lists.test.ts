/**
 * Imported users in every list, order, page and search, with ids that are not KSUIDs (ids of
 * other lengths and alphabets, whose order has nothing to do with created_at): the triggers keep
 * their search documents, sort keys, spans, children_json and the user count, and nothing sorts
 * or pages by the shape of an id. The fixture and its oracle are the list tests' own
 * (user-list-fixture.ts), imported instead of created.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { call } from "../helpers";
import { importUsers } from "../import-helpers";
import { FIXTURE, type FixtureUser, ORDER_FIELDS, oracleOrder } from "./user-list-fixture";

// Ids unrelated to creation order, of several lengths; two users share a created_at (ties by id).
const IDS: Record<string, string> = {
  ada: "user_zz",
  amelie: "user_a",
  bob: "user_B2",
  chen: "user_0",
  dee: "user_abc",
  eve: "user_M",
  meta: "user_100000000000000000000000000000000000000000000000000000000000000Z",
  twin1: "user_b",
  twin2: "user_aa",
};

type Imported = FixtureUser & { id: string };
const users: Imported[] = [];

const ids = (body: { id: string }[]) => body.map((u) => u.id);

async function list(params: Record<string, string | string[]>): Promise<string[]> {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) for (const v of [value].flat()) query.append(key, v);
  const result = await call("GET", `/v1/users?${query}`, undefined, { schema: ["User"] });
  expect(result.status, JSON.stringify(result.body)).toBe(200);
  return ids(result.body);
}

beforeAll(async () => {
  // Storage is per test file: the users listed here are exactly the imported ones.
  const twins = [
    { ...FIXTURE[0], key: "twin1", emails: ["twin1@example.net"], phones: [], wallets: [], username: "twin_one", externalId: "tw-1" },
    { ...FIXTURE[0], key: "twin2", emails: ["twin2@example.net"], phones: [], wallets: [], username: "twin_two", externalId: "tw-2" },
  ].map((u) => ({ ...u, createdAt: FIXTURE[2].createdAt, first: "Twin", last: u.key }));
  const fixture = [...FIXTURE, ...twins];
  const results = await importUsers(
    fixture.map((f) => ({
      id: IDS[f.key],
      email_address: f.emails,
      phone_number: f.phones,
      web3_wallet: f.wallets,
      username: f.username,
      first_name: f.first,
      last_name: f.last,
      external_id: f.externalId,
      banned: f.banned,
      created_at: new Date(f.createdAt).toISOString(),
      last_active_at: f.lastActiveAt,
      last_sign_in_at: f.lastSignInAt,
    })),
  );
  expect(results.map((r) => r.status)).toEqual(fixture.map(() => "created"));
  for (const f of fixture) {
    const got = await call("GET", `/v1/users/${IDS[f.key]}`, undefined, { schema: "User" });
    // updated_at is the import's now, the same for all: ties break by id.
    users.push({ ...f, orgs: [], accounts: [], id: IDS[f.key], updatedAt: got.body.updated_at });
  }
});

describe("imported users with non-KSUID ids", () => {
  it("are listed in every order_by, both directions, with and without a search", async () => {
    const all = users.map((u) => u.id);
    for (const field of ORDER_FIELDS) {
      for (const descending of [false, true]) {
        const order_by = `${descending ? "-" : "+"}${field}`;
        const expected = oracleOrder(users, field, descending);
        // No search: the users table's indexes.
        expect(await list({ order_by, limit: "100" }), order_by).toEqual(expected);
        expect(await list({ order_by, user_id: all, limit: "100" }), `${order_by} user_id`).toEqual(expected);
        // A search every user matches (their ids): the search documents and their sort keys.
        expect(await list({ order_by, query: "user_", limit: "100" }), `${order_by} query`).toEqual(expected);
      }
    }
  });

  it("page with starting_after and offset in created_at order, both directions", async () => {
    for (const order_by of ["created_at", "-created_at"]) {
      const expected = oracleOrder(users, "created_at", order_by.startsWith("-"));
      for (const search of [{}, { query: "user_" }] as Record<string, string>[]) {
        const seen: string[] = [];
        for (;;) {
          const page = await list({ order_by, limit: "2", ...search, ...(seen.length ? { starting_after: seen[seen.length - 1] } : {}) });
          seen.push(...page);
          if (page.length < 2) break;
        }
        expect(seen, `${order_by} ${JSON.stringify(search)}`).toEqual(expected);
        const byOffset: string[] = [];
        for (let offset = 0; offset < users.length; offset += 3)
          byOffset.push(...(await list({ order_by, limit: "3", offset: String(offset), ...search })));
        expect(byOffset).toEqual(expected);
      }
    }
  });

  it("are found by every search field and by exact filters, and counted", async () => {
    const byKey = new Map(users.map((u) => [u.key, u.id]));
    expect(await list({ query: "lovelace" })).toEqual([byKey.get("ada")]);
    expect(await list({ query: "user_abc" })).toEqual([byKey.get("dee")]);
    expect(await list({ email_address_query: "builder" })).toEqual([byKey.get("bob")]);
    expect(await list({ phone_number_query: "13800138" })).toEqual([byKey.get("chen")]);
    expect(await list({ username_query: "twin", order_by: "username" })).toEqual([byKey.get("twin1"), byKey.get("twin2")]);
    expect(await list({ name_query: "Twin", order_by: "-created_at" })).toEqual(
      oracleOrder(
        users.filter((u) => u.key.startsWith("twin")),
        "created_at",
        true,
      ),
    );
    expect(await list({ query: "beef" })).toEqual([byKey.get("chen")]);
    expect(await list({ email_address: "ada.lovelace@example.com" })).toEqual([byKey.get("ada")]);
    expect(await list({ external_id: "ext-3" })).toEqual([byKey.get("bob")]);
    expect(await list({ banned: "true", order_by: "created_at" })).toEqual(
      oracleOrder(
        users.filter((u) => u.banned),
        "created_at",
        false,
      ),
    );
    const count = async (params: Record<string, string>) =>
      (await call("GET", `/v1/users/count?${new URLSearchParams(params)}`, undefined, { schema: "TotalCount" })).body.total_count;
    expect(await count({})).toBe(users.length);
    expect(await count({ query: "user_" })).toBe(users.length);
    expect(await count({ query: "twin" })).toBe(2);
  });

  it("carry their children_json and search documents exactly as triggers compute them", async () => {
    const body = (await call("GET", `/v1/users/${IDS.bob}`, undefined, { schema: "User" })).body;
    expect(body.email_addresses.map((e: { email_address: string }) => e.email_address)).toEqual(["bob@builder.io", "robert@work.io"]);
    expect(body.phone_numbers.map((p: { phone_number: string }) => p.phone_number)).toEqual(["+447700900123"]);
    // children_json equals a recomputation from the child tables, for every imported user.
    const stale = await env.DB.prepare(
      "select count(*) as n from users u join user_children_documents d on d.user_id = u.id where u.children_json is not d.doc",
    ).first<{ n: number }>();
    expect(stale?.n).toBe(0);
    const docs = await env.DB.prepare("select user_id, emails, phones, wallets, name, username from user_search_documents where user_id = ?")
      .bind(IDS.bob)
      .first();
    expect(docs).toEqual({
      user_id: IDS.bob,
      emails: "bob@builder.io robert@work.io",
      phones: "+447700900123",
      wallets: "",
      name: "Bob Zimmer",
      username: "bobby",
    });
    const spans = await env.DB.prepare("select sum(docs) as n from search_spans").first<{ n: number }>();
    expect(spans?.n).toBe(users.length);
    const total = await env.DB.prepare("select users from user_totals").first<{ users: number }>();
    expect(total?.users).toBe(users.length);
  });
});
