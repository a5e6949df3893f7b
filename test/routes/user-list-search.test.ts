import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { call, createUser, expectError } from "../helpers";
import { countOf, listIds, matchesSearch, seedFixture, type Fixture } from "./user-list-fixture";

let fx: Fixture;
const id = (key: string) => fx.get(key)!.id;
const _ids = (...keys: string[]) => keys.map(id).sort();

/** The fixture users the oracle says match, sorted. */
const expected = (param: string, value: string) =>
  [...fx.values()]
    .filter((u) => matchesSearch(u, param, value))
    .map((u) => u.id)
    .sort();

async function search(param: string, value: string): Promise<string[]> {
  return (
    await listIds([
      [param, value],
      ["limit", "500"],
    ])
  ).sort();
}

/** Asserts list and count agree with the oracle, and that the oracle includes `mustInclude` (so the case is not vacuous). */
async function expectSearch(param: string, value: string, mustInclude: string[]) {
  const want = expected(param, value);
  expect(want).toEqual(expect.arrayContaining(mustInclude.map(id)));
  expect(await search(param, value), `${param}=${value}`).toEqual(want);
  expect(await countOf([[param, value]])).toBe(want.length);
}

beforeAll(async () => {
  fx = await seedFixture();
});

describe("GET /v1/users partial-match search", () => {
  it("query matches names, emails, phones, usernames, wallets and user ids", async () => {
    await expectSearch("query", "lovelace", ["ada"]);
    await expectSearch("query", "ZIMMER", ["bob"]);
    await expectSearch("query", "exampl", ["ada", "dee", "eve", "meta"]);
    await expectSearch("query", "@work.i", ["bob"]);
    await expectSearch("query", "55500022", ["eve"]);
    await expectSearch("query", "+861380", ["chen"]);
    await expectSearch("query", "beefbeefbe", ["chen"]);
    await expectSearch("query", "0X0F0F0F", ["eve"]);
    await expectSearch("query", "obby", ["bob"]);
    await expectSearch("query", id("bob").slice(7, 20), ["bob"]);
    await expectSearch("query", id("bob").slice(7, 20).toLowerCase(), ["bob"]);
    expect(await search("query", "nothing-like-this")).toEqual([]);
  });

  it("query splits on whitespace and needs every term to match some field", async () => {
    await expectSearch("query", "Ada Lovelace", ["ada"]);
    await expectSearch("query", "  lovelace\t ada  ", ["ada"]);
    await expectSearch("query", "lovelace 1111", ["ada"]);
    await expectSearch("query", "bobby work.io", ["bob"]);
    expect(await search("query", "lovelace zimmer")).toEqual([]);
    // Whitespace only: no term, no filter.
    expect(await search("query", "   ")).toHaveLength(fx.size);
  });

  it("folds case and non-ASCII case (É/é), in NFC and NFD spellings", async () => {
    await expectSearch("query", "amélie", ["amelie"]);
    await expectSearch("query", "AMÉLIE", ["amelie"]);
    await expectSearch("query", "AME\u0301LIE", ["amelie"]);
    await expectSearch("name_query", "ève", ["eve"]);
    await expectSearch("name_query", "ÈVE ADAMS", ["eve"]);
    await expectSearch("username_query", "ÉLIE.p", ["amelie"]);
    // Short (fallback) terms fold non-ASCII case too.
    await expectSearch("name_query", "È", ["eve"]);
    await expectSearch("name_query", "é", ["amelie"]);
    // Accents are not removed: "amelie" is a different word from "amélie".
    expect(await search("name_query", "amelie")).toEqual([]);
  });

  it("finds names stored in NFD with an NFC query", async () => {
    const user = await createUser({ first_name: "Zoe\u0301", last_name: "Decomposed" });
    expect(await search("name_query", "zoé")).toEqual([user.id]);
    expect(await search("name_query", "oé")).toEqual([user.id]);
    expect((await call("DELETE", `/v1/users/${user.id}`)).status).toBe(200);
  });

  it("email_address_query, phone_number_query, username_query and name_query match only their field", async () => {
    await expectSearch("email_address_query", "ELLO", []);
    await expectSearch("email_address_query", "EXAMPLE.", ["ada", "dee", "eve", "meta"]);
    await expectSearch("email_address_query", "robert@", ["bob"]);
    expect(await search("email_address_query", "lovelace zimmer")).toEqual([]);
    await expectSearch("phone_number_query", "555", ["ada", "eve"]);
    await expectSearch("phone_number_query", "+44770", ["bob"]);
    await expectSearch("username_query", "OBB", ["bob"]);
    await expectSearch("username_query", "eve-9", ["eve"]);
    expect(await search("username_query", "lovelace")).toEqual([]);
    await expectSearch("name_query", "ada lovelace", ["ada"]);
    await expectSearch("name_query", "Lovelace", ["ada"]);
    await expectSearch("name_query", "adams", ["eve"]);
    await expectSearch("name_query", "chen li", ["chen"]);
    expect(await search("name_query", "example")).toEqual([]);
    expect(await search("name_query", "bobby")).toEqual([]);
  });

  it("serves terms shorter than three characters with the substring fallback", async () => {
    await expectSearch("name_query", "li", ["chen", "amelie"]);
    await expectSearch("name_query", "LI", ["chen", "amelie"]);
    await expectSearch("username_query", "l", ["ada"]);
    await expectSearch("phone_number_query", "44", ["bob"]);
    // A short term together with a long one: the long term narrows through FTS, the short one filters.
    await expectSearch("name_query", "li chen", ["chen"]);
    await expectSearch("query", "lovelace a", ["ada"]);
    await expectSearch("query", "x", ["meta"]);
  });

  it("combines search parameters with each other and with exact filters", async () => {
    const both = await listIds([
      ["query", "example"],
      ["name_query", "lovelace"],
      ["limit", "500"],
    ]);
    expect(both).toEqual([id("ada")]);
    const banned = await listIds([
      ["query", "example"],
      ["banned", "true"],
      ["limit", "500"],
    ]);
    expect(banned).toEqual([id("dee")]);
    const ordered = await listIds([
      ["email_address_query", "example"],
      ["order_by", "email_address"],
      ["limit", "500"],
    ]);
    expect(ordered).toEqual(["ada", "dee", "eve", "meta"].map(id));
    expect(
      await countOf([
        ["query", "example"],
        ["organization_id", "org_a"],
      ]),
    ).toBe(2);
  });

  it("pages through search results without overlap", async () => {
    const all = await listIds([
      ["query", "e"],
      ["order_by", "first_name"],
      ["limit", "500"],
    ]);
    expect(all.length).toBeGreaterThan(4);
    const paged: string[] = [];
    for (let offset = 0; offset < all.length; offset += 2) {
      paged.push(
        ...(await listIds([
          ["query", "e"],
          ["order_by", "first_name"],
          ["limit", "2"],
          ["offset", String(offset)],
        ])),
      );
    }
    expect(paged).toEqual(all);
  });

  const METACHARACTERS = [
    "'",
    '"',
    "%",
    "_",
    "*",
    "NEAR",
    "AND",
    "OR",
    "NOT",
    "(",
    ")",
    "()",
    "\\",
    "^",
    ":",
    "{",
    "}",
    "-",
    "+",
    '""',
    '"Q"',
    "O'Brien",
    "o'brien%_*",
    "100%_*",
    "%_*",
    "NEAR(a b)",
    "a AND b",
    "(x)",
    "a OR b",
    "* NEAR AND",
    "'; drop table users; --",
    '"unterminated',
    "%%",
    "___",
    "near*",
    "{name}: x",
    "name:ada",
    "user_search",
    "ß",
    "ǅ",
  ];

  for (const param of ["query", "email_address_query", "phone_number_query", "username_query", "name_query"]) {
    it(`treats SQL and FTS metacharacters in ${param} as plain text`, async () => {
      for (const value of METACHARACTERS) {
        const result = await call(
          "GET",
          `/v1/users?${new URLSearchParams([
            [param, value],
            ["limit", "500"],
          ])}`,
          undefined,
          { schema: ["User"] },
        );
        expect(result.status, `${param}=${value}: ${JSON.stringify(result.body)}`).toBe(200);
        expect(result.body.map((u: { id: string }) => u.id).sort(), `${param}=${JSON.stringify(value)}`).toEqual(expected(param, value));
        expect(await countOf([[param, value]])).toBe(expected(param, value).length);
      }
      // The metacharacter user is really findable through its punctuation.
      if (param !== "phone_number_query") {
        const hit = { query: "o'brien", email_address_query: "%_*+near", username_query: "and_or", name_query: '"q" (x)' }[param]!;
        expect(await search(param, hit)).toEqual([id("meta")]);
      }
    }, 120_000);
  }

  it("refuses a NUL character in a search string (SQLite's FTS parser would stop at it)", async () => {
    for (const value of ["\u0000", "ada\u0000lovelace"]) {
      expectError(await call("GET", `/v1/users?${new URLSearchParams({ query: value })}`), 422, "form_param_value_invalid", "query");
      expectError(await call("GET", `/v1/users/count?${new URLSearchParams({ name_query: value })}`), 422, "form_param_value_invalid", "name_query");
    }
  });

  it("counts a term once whatever its case, and refuses more than 10 different terms naming the parameter", async () => {
    const user = await createUser({ first_name: "Casefold", last_name: "Variant" });
    // 28 repeats and 28 case spellings of one term (as many as 256 characters hold) are one term.
    const variants = Array.from({ length: 40 }, (_, i) => [..."casefold"].map((c, j) => ((i >> j) & 1 ? c.toUpperCase() : c)).join(""));
    for (const query of [Array(28).fill("casefold").join(" "), variants.slice(0, 28).join(" ")]) {
      const got = await call("GET", `/v1/users?${new URLSearchParams({ name_query: query, user_id: user.id })}`, undefined, { schema: ["User"] });
      expect(got.status, JSON.stringify(got.body)).toBe(200);
      expect(got.body.map((u: { id: string }) => u.id)).toEqual([user.id]);
    }
    // Ten different terms across parameters are accepted; an eleventh is refused, naming the
    // parameter it is in (the same term in two parameters searches two fields: two terms).
    const ten = { query: "aa bb cc dd ee", email_address_query: "ff gg hh", username_query: "ii aa" };
    expect((await call("GET", `/v1/users?${new URLSearchParams(ten)}`, undefined, { schema: ["User"] })).status).toBe(200);
    expectError(await call("GET", `/v1/users?${new URLSearchParams({ ...ten, name_query: "jj" })}`), 422, "form_param_value_invalid", "name_query");
    expectError(
      await call("GET", `/v1/users/count?${new URLSearchParams({ query: "a b c d e f g h i j k" })}`),
      422,
      "form_param_value_invalid",
      "query",
    );
  });

  it("refuses an overlong search string", async () => {
    expectError(await call("GET", `/v1/users?query=${"a".repeat(257)}`), 422, "form_param_max_length_exceeded", "query");
    expectError(await call("GET", `/v1/users/count?name_query=${"a".repeat(257)}`), 422, "form_param_max_length_exceeded", "name_query");
  });
});

describe("the search index follows every write", () => {
  const integrityCheck = () => env.DB.prepare("insert into user_search(user_search, rank) values ('integrity-check', 1)").run();

  it("reindexes renamed users and changed usernames", async () => {
    const user = await createUser({ first_name: "Quentin", last_name: "Oldname", username: "oldhandle" });
    expect(await search("name_query", "oldname")).toEqual([user.id]);
    const patched = await call("PATCH", `/v1/users/${user.id}`, { last_name: "Newname", username: "newhandle" });
    expect(patched.status).toBe(200);
    expect(await search("name_query", "oldname")).toEqual([]);
    expect(await search("query", "oldhandle")).toEqual([]);
    expect(await search("name_query", "quentin newname")).toEqual([user.id]);
    expect(await search("username_query", "NEWHAND")).toEqual([user.id]);
    await integrityCheck();
  });

  it("reindexes when identifiers are added or removed", async () => {
    const user = await createUser({ email_address: ["first-mail@index.test"] });
    const now = Date.now();
    await env.DB.batch([
      env.DB.prepare(
        "insert into email_addresses (id, user_id, email_address, email_address_normalized, created_at, updated_at) values ('idn_second', ?, 'Second@Index.test', 'second@index.test', ?, ?)",
      ).bind(user.id, now, now),
      env.DB.prepare(
        "insert into phone_numbers (id, user_id, phone_number, created_at, updated_at) values ('idn_phone', ?, '+19998887777', ?, ?)",
      ).bind(user.id, now, now),
      env.DB.prepare("insert into web3_wallets (id, user_id, web3_wallet, created_at, updated_at) values ('idn_wallet', ?, ?, ?, ?)").bind(
        user.id,
        `0x${"ab".repeat(20)}`,
        now,
        now,
      ),
    ]);
    expect(await search("email_address_query", "second@")).toEqual([user.id]);
    expect(await search("phone_number_query", "9998887")).toEqual([user.id]);
    expect(await search("query", "abababab")).toEqual([user.id]);
    await env.DB.prepare(
      "update email_addresses set email_address = 'Third@Index.test', email_address_normalized = 'third@index.test' where id = 'idn_second'",
    ).run();
    expect(await search("email_address_query", "second@")).toEqual([]);
    expect(await search("email_address_query", "third@")).toEqual([user.id]);
    await env.DB.batch([
      env.DB.prepare("delete from email_addresses where id = 'idn_second'"),
      env.DB.prepare("delete from phone_numbers where id = 'idn_phone'"),
      env.DB.prepare("delete from web3_wallets where id = 'idn_wallet'"),
    ]);
    expect(await search("email_address_query", "third@")).toEqual([]);
    expect(await search("phone_number_query", "9998887")).toEqual([]);
    expect(await search("query", "abababab")).toEqual([]);
    expect(await search("email_address_query", "first-mail")).toEqual([user.id]);
    await integrityCheck();
  });

  it("drops a deleted user and its cascaded identifiers from the index", async () => {
    const user = await createUser({ first_name: "Doomed", email_address: ["doomed@index.test"], phone_number: ["+19995550000"] });
    expect(await search("query", "doomed")).toEqual([user.id]);
    expect((await call("DELETE", `/v1/users/${user.id}`)).status).toBe(200);
    expect(await search("query", "doomed")).toEqual([]);
    expect(await search("phone_number_query", "9995550")).toEqual([]);
    const docs = await env.DB.prepare("select count(*) as n from user_search_documents where user_id = ?").bind(user.id).first<{ n: number }>();
    expect(docs?.n).toBe(0);
    // An FTS match that found a stale row would be caught here even if the join hid it.
    const raw = await env.DB.prepare("select count(*) as n from user_search where user_search match '\"doomed\"'").first<{ n: number }>();
    expect(raw?.n).toBe(0);
    await integrityCheck();
  });

  it("fires child-table delete triggers for ON DELETE CASCADE rows (the SQLite behaviour the design relies on not needing)", async () => {
    // Answers the design question directly: cascaded child deletes DO fire the child's triggers in
    // D1 (foreign-key actions run as statements, which fire triggers). users_search_ad deletes the
    // document itself anyway, so the index is right either way.
    await env.DB.batch([
      env.DB.prepare("create table if not exists t_parent (id text primary key)"),
      env.DB.prepare("create table if not exists t_child (id text primary key, parent_id text references t_parent(id) on delete cascade)"),
      env.DB.prepare("create table if not exists t_log (what text)"),
      env.DB.prepare("create trigger if not exists t_child_ad after delete on t_child begin insert into t_log values (old.id); end"),
      env.DB.prepare("insert into t_parent values ('p')"),
      env.DB.prepare("insert into t_child values ('c1', 'p'), ('c2', 'p')"),
    ]);
    await env.DB.prepare("delete from t_parent where id = 'p'").run();
    const log = await env.DB.prepare("select what from t_log order by what").all<{ what: string }>();
    expect(log.results.map((r) => r.what)).toEqual(["c1", "c2"]);
  });
});
