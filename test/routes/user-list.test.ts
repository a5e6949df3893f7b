import { beforeAll, describe, expect, it } from "vitest";
import { call, expectError } from "../helpers";
import { countOf, listIds, oracleOrder, ORDER_FIELDS, seedFixture, T0, type Fixture } from "./user-list-fixture";

let fx: Fixture;
const id = (key: string) => fx.get(key)!.id;
const ids = (...keys: string[]) => keys.map(id).sort();
const sorted = (list: string[]) => [...list].sort();

beforeAll(async () => {
  fx = await seedFixture();
});

describe("GET /v1/users ordering", () => {
  it("defaults to newest first and returns a bare array of User", async () => {
    expect(await listIds([["limit", "500"]])).toEqual(["eve", "chen", "dee", "amelie", "bob", "ada", "meta"].map(id));
  });

  it("gives a different order for every order_by field (fixture sanity check)", () => {
    const all = [...fx.values()];
    const orders = ORDER_FIELDS.map((f) => oracleOrder(all, f, false).join());
    expect(new Set(orders).size).toBe(ORDER_FIELDS.length);
  });

  for (const field of ORDER_FIELDS) {
    for (const [prefix, descending] of [
      ["", false],
      ["+", false],
      ["-", true],
    ] as const) {
      it(`orders by ${prefix}${field} with NULLs last and ties by id`, async () => {
        expect(
          await listIds([
            ["order_by", `${prefix}${field}`],
            ["limit", "500"],
          ]),
        ).toEqual(oracleOrder([...fx.values()], field, descending));
      });
    }
  }

  it("puts users without the value last in both directions (explicit case)", async () => {
    // last_sign_in_at: meta 50, amelie 100, dee 200, ada 400, chen 600; bob and eve have none.
    const nullsById = ids("bob", "eve");
    expect(
      await listIds([
        ["order_by", "last_sign_in_at"],
        ["limit", "500"],
      ]),
    ).toEqual([...["meta", "amelie", "dee", "ada", "chen"].map(id), ...nullsById]);
    expect(
      await listIds([
        ["order_by", "-last_sign_in_at"],
        ["limit", "500"],
      ]),
    ).toEqual([...["chen", "ada", "dee", "amelie", "meta"].map(id), ...nullsById.reverse()]);
  });

  it("uses only the first order_by", async () => {
    expect(
      await listIds([
        ["order_by", "first_name"],
        ["order_by", "-created_at"],
        ["limit", "500"],
      ]),
    ).toEqual(oracleOrder([...fx.values()], "first_name", false));
  });

  it("rejects an unknown order_by field with form_param_value_invalid", async () => {
    for (const bad of ["name", "-password_digest", "created_at desc", "--created_at", "web3_wallet"]) {
      expectError(await call("GET", `/v1/users?order_by=${encodeURIComponent(bad)}`), 422, "form_param_value_invalid", "order_by");
    }
  });

  it("treats an unencoded + (decoded as a space) as ascending", async () => {
    const result = await call("GET", "/v1/users?order_by=+first_name&limit=500", undefined, { schema: ["User"] });
    expect(result.body.map((u: { id: string }) => u.id)).toEqual(oracleOrder([...fx.values()], "first_name", false));
  });
});

describe("GET /v1/users pagination", () => {
  it("pages with limit/offset without overlap or gaps, in every order", async () => {
    for (const field of ORDER_FIELDS) {
      const full = oracleOrder([...fx.values()], field, true);
      const pages: string[] = [];
      for (let offset = 0; offset < full.length; offset += 3) {
        pages.push(
          ...(await listIds([
            ["order_by", `-${field}`],
            ["limit", "3"],
            ["offset", String(offset)],
          ])),
        );
      }
      expect(pages).toEqual(full);
    }
  });

  it("walks created_at with starting_after in both directions", async () => {
    for (const [orderBy, descending] of [
      ["-created_at", true],
      ["created_at", false],
      [undefined, true],
    ] as const) {
      const full = oracleOrder([...fx.values()], "created_at", descending);
      const seen: string[] = [];
      let page: string[] = [];
      do {
        const pairs: [string, string][] = [["limit", "2"]];
        if (orderBy) pairs.push(["order_by", orderBy]);
        if (seen.length) pairs.push(["starting_after", seen[seen.length - 1]]);
        page = await listIds(pairs);
        seen.push(...page);
      } while (page.length === 2);
      expect(seen).toEqual(full);
    }
  });

  it("combines starting_after with filters", async () => {
    const page = await listIds([
      ["banned", "false"],
      ["starting_after", id("chen")],
      ["limit", "2"],
    ]);
    expect(page).toEqual(["bob", "ada"].map(id));
  });

  it("refuses starting_after with another order, with an offset, or naming no user", async () => {
    expectError(await call("GET", `/v1/users?starting_after=${id("ada")}&order_by=first_name`), 422, "form_param_value_invalid", "starting_after");
    expectError(await call("GET", `/v1/users?starting_after=${id("ada")}&offset=2`), 422, "form_param_value_invalid", "offset");
    expectError(await call("GET", "/v1/users?starting_after=user_missing"), 422, "form_param_value_invalid", "starting_after");
    // offset=0 is what the SDK never sends but a client may: allowed.
    expect(
      await listIds([
        ["starting_after", id("eve")],
        ["offset", "0"],
        ["limit", "1"],
      ]),
    ).toEqual([id("chen")]);
  });

  it("rejects limit and offset outside their bounds instead of clamping", async () => {
    for (const [name, value] of [
      ["limit", "0"],
      ["limit", "501"],
      ["limit", "-1"],
      ["limit", "ten"],
      ["limit", "1.5"],
      ["offset", "-1"],
      ["offset", "x"],
    ]) {
      expectError(await call("GET", `/v1/users?${name}=${value}`), 422, "form_param_value_invalid", name);
    }
    expect(
      await listIds([
        ["limit", "500"],
        ["offset", "0"],
      ]),
    ).toHaveLength(fx.size);
    expect(await listIds([["limit", "1"]])).toHaveLength(1);
    expect(await listIds([["offset", "100"]])).toEqual([]);
  });

  it("defaults to 10 users per page", async () => {
    // Seven fixture users plus eight throwaway ones created in this test.
    for (let i = 0; i < 8; i++) {
      const r = await call("POST", "/v1/users", { first_name: `Temp${i}`, created_at: new Date(T0 - (i + 1) * 1000).toISOString() });
      expect(r.status).toBe(200);
    }
    const page = await listIds([]);
    expect(page).toHaveLength(10);
    const all = await listIds([["limit", "500"]]);
    expect(all).toHaveLength(15);
    expect(page).toEqual(all.slice(0, 10));
    for (const user of all.slice(fx.size)) {
      expect((await call("DELETE", `/v1/users/${user}`)).status).toBe(200);
    }
    expect(await countOf([])).toBe(fx.size);
  });
});

describe("GET /v1/users exact filters", () => {
  const cases: [string, [string, string][], string[]][] = [
    [
      "email_address, case-insensitively",
      [
        ["email_address", "ADA.LOVELACE@example.COM"],
        ["email_address", "robert@work.io"],
      ],
      ["ada", "bob"],
    ],
    ["email_address with Unicode case folding", [["email_address", "EVE@EXAMPLE.ORG"]], ["eve"]],
    [
      "phone_number",
      [
        ["phone_number", "+15550001111"],
        ["phone_number", "+8613800138000"],
      ],
      ["ada", "chen"],
    ],
    [
      "username, case-insensitively incl. non-ASCII",
      [
        ["username", "AMÉLIE.P"],
        ["username", "BOBBY"],
      ],
      ["amelie", "bob"],
    ],
    [
      "web3_wallet (any of a user's wallets)",
      [
        ["web3_wallet", `0x${"0f".repeat(20)}`],
        ["web3_wallet", `0x${"beef".repeat(10)}`],
      ],
      ["eve", "chen"],
    ],
    [
      "external_id",
      [
        ["external_id", "ext-1"],
        ["external_id", "+ext-4"],
      ],
      ["ada", "chen"],
    ],
    [
      "external_id exclusion keeps users without one",
      [
        ["external_id", "-ext-1"],
        ["external_id", "-ext-3"],
      ],
      ["amelie", "chen", "dee", "eve", "meta"],
    ],
    [
      "external_id include and exclude",
      [
        ["external_id", "ext-1"],
        ["external_id", "ext-3"],
        ["external_id", "-ext-3"],
      ],
      ["ada"],
    ],
    [
      "user_id include",
      [
        ["user_id", "#ada"],
        ["user_id", "+#dee"],
      ],
      ["ada", "dee"],
    ],
    [
      "user_id exclude",
      [
        ["user_id", "-#ada"],
        ["user_id", "-#dee"],
      ],
      ["amelie", "bob", "chen", "eve", "meta"],
    ],
    ["organization_id include", [["organization_id", "org_a"]], ["ada", "amelie", "dee"]],
    [
      "organization_id include two (OR)",
      [
        ["organization_id", "org_a"],
        ["organization_id", "+org_b"],
      ],
      ["ada", "amelie", "dee", "bob", "meta"],
    ],
    ["organization_id exclude", [["organization_id", "-org_a"]], ["bob", "chen", "eve", "meta"]],
    [
      "organization_id include and exclude",
      [
        ["organization_id", "org_b"],
        ["organization_id", "-org_a"],
      ],
      ["bob", "meta"],
    ],
    [
      "provider + provider_user_id",
      [
        ["provider", "oauth_google"],
        ["provider_user_id", "g-ada"],
        ["provider_user_id", "g-bob"],
      ],
      ["ada", "bob"],
    ],
    [
      "provider without the oauth_ prefix",
      [
        ["provider", "github"],
        ["provider_user_id", "gh-5"],
      ],
      ["dee"],
    ],
    [
      "provider mismatch finds nobody",
      [
        ["provider", "oauth_github"],
        ["provider_user_id", "g-ada"],
      ],
      [],
    ],
    ["banned=true", [["banned", "true"]], ["amelie", "dee"]],
    ["banned=false", [["banned", "false"]], ["ada", "bob", "chen", "eve", "meta"]],
    ["created_at_after (strict)", [["created_at_after", String(T0 + 4 * 86_400_000)]], ["chen", "eve"]],
    ["created_at_before (strict)", [["created_at_before", String(T0 + 2 * 86_400_000)]], ["meta", "ada"]],
    [
      "created_at window",
      [
        ["created_at_after", String(T0)],
        ["created_at_before", String(T0 + 3 * 86_400_000)],
      ],
      ["ada", "bob"],
    ],
    ["last_active_at_before (nulls never match)", [["last_active_at_before", String(T0 + 300)]], ["bob", "dee", "meta"]],
    ["last_active_at_after (nulls never match)", [["last_active_at_after", String(T0 + 200)]], ["ada", "chen"]],
    ["last_active_at_since (inclusive)", [["last_active_at_since", String(T0 + 200)]], ["ada", "chen", "dee"]],
    ["last_sign_in_at_before", [["last_sign_in_at_before", String(T0 + 200)]], ["amelie", "meta"]],
    ["last_sign_in_at_after", [["last_sign_in_at_after", String(T0 + 100)]], ["ada", "chen", "dee"]],
    [
      "values not found are ignored",
      [
        ["email_address", "nobody@nowhere.test"],
        ["email_address", "dee@example.com"],
      ],
      ["dee"],
    ],
    ["nothing found", [["username", "nobody"]], []],
    // Combinations: different keys are AND-ed.
    [
      "org + banned",
      [
        ["organization_id", "org_a"],
        ["banned", "true"],
      ],
      ["amelie", "dee"],
    ],
    [
      "org + banned + time",
      [
        ["organization_id", "org_a"],
        ["banned", "true"],
        ["last_sign_in_at_after", String(T0 + 150)],
      ],
      ["dee"],
    ],
    [
      "email + phone (AND)",
      [
        ["email_address", "ada.lovelace@example.com"],
        ["phone_number", "+447700900123"],
      ],
      [],
    ],
    [
      "external exclusion + banned + org exclusion",
      [
        ["external_id", "-ext-6"],
        ["banned", "false"],
        ["organization_id", "-org_b"],
      ],
      ["ada", "chen"],
    ],
    [
      "user_id + username",
      [
        ["user_id", "#ada"],
        ["user_id", "#bob"],
        ["username", "bobby"],
      ],
      ["bob"],
    ],
    [
      "provider + created window",
      [
        ["provider", "oauth_google"],
        ["provider_user_id", "g-ada"],
        ["provider_user_id", "g-bob"],
        ["created_at_after", String(T0 + 86_400_000)],
      ],
      ["bob"],
    ],
  ];

  for (const [name, pairs, expected] of cases) {
    it(`filters by ${name}; count agrees`, async () => {
      const resolved = pairs.map(([k, v]) => [k, v.replace(/#(\w+)/, (_, key) => id(key))] as [string, string]);
      const list = await listIds([...resolved, ["limit", "500"]]);
      expect(sorted(list)).toEqual(ids(...expected));
      expect(await countOf(resolved)).toBe(expected.length);
    });
  }

  it("accepts the bracketed key spelling", async () => {
    expect(
      sorted(
        await listIds([
          ["email_address[]", "dee@example.com"],
          ["email_address[]", "bob@builder.io"],
        ]),
      ),
    ).toEqual(ids("dee", "bob"));
  });

  it("accepts 100 values in a filter together with other filters", async () => {
    const emails = Array.from({ length: 98 }, (_, i) => `nobody${i}@example.test`);
    emails.push("ada.lovelace@example.com", "dee@example.com");
    const userIds = Array.from({ length: 99 }, (_, i) => `user_fake${i}`);
    userIds.push(id("dee"));
    const pairs: [string, string][] = [
      ...emails.map((e) => ["email_address", e] as [string, string]),
      ...userIds.map((u) => ["user_id", u] as [string, string]),
      ["banned", "true"],
      ["organization_id", "org_a"],
      ["query", "dee"],
    ];
    expect(await listIds(pairs)).toEqual([id("dee")]);
    expect(await countOf(pairs)).toBe(1);
  });

  it("refuses 101 values in one filter with form_param_array_size_exceeded naming it", async () => {
    for (const name of [
      "email_address",
      "phone_number",
      "external_id",
      "username",
      "web3_wallet",
      "user_id",
      "organization_id",
      "provider_user_id",
    ]) {
      const qs = new URLSearchParams(Array.from({ length: 101 }, (_, i) => [name, `v${i}`] as [string, string]));
      if (name === "provider_user_id") qs.append("provider", "oauth_google");
      expectError(await call("GET", `/v1/users?${qs}`), 422, "form_param_array_size_exceeded", name);
      expectError(await call("GET", `/v1/users/count?${qs}`), 422, "form_param_array_size_exceeded", name);
    }
  });

  it("requires provider and provider_user_id together", async () => {
    expectError(await call("GET", "/v1/users?provider=oauth_google"), 422, "form_param_missing", "provider_user_id");
    expectError(await call("GET", "/v1/users?provider_user_id=g-ada"), 422, "form_param_missing", "provider");
    expectError(await call("GET", "/v1/users/count?provider=oauth_google"), 422, "form_param_missing", "provider_user_id");
  });

  it("rejects malformed values of known parameters, naming them", async () => {
    for (const [name, value] of [
      ["banned", "yes"],
      ["created_at_before", "2024-01-01"],
      ["created_at_after", "-5"],
      ["last_active_at_before", "1e12"],
      ["last_active_at_after", "soon"],
      ["last_active_at_since", "1.5"],
      ["last_sign_in_at_before", "abc"],
      ["last_sign_in_at_after", "99999999999999999999"],
    ]) {
      expectError(await call("GET", `/v1/users?${name}=${value}`), 422, "form_param_value_invalid", name);
      expectError(await call("GET", `/v1/users/count?${name}=${value}`), 422, "form_param_value_invalid", name);
    }
  });

  it("ignores unknown query parameters", async () => {
    expect(
      await listIds([
        ["paginated", "true"],
        ["foo", "bar"],
        ["limit", "500"],
      ]),
    ).toHaveLength(fx.size);
    expect(
      await countOf([
        ["paginated", "true"],
        ["foo", "bar"],
      ]),
    ).toBe(fx.size);
  });
});

describe("GET /v1/users/count", () => {
  it("returns the total_count object and ignores limit, offset, order_by and starting_after", async () => {
    expect(await countOf([])).toBe(fx.size);
    expect(
      await countOf([
        ["limit", "1"],
        ["offset", "3"],
        ["order_by", "-created_at"],
        ["starting_after", id("ada")],
        ["banned", "true"],
      ]),
    ).toBe(2);
    // Even values the list refuses: count does not read them.
    expect(
      await countOf([
        ["limit", "0"],
        ["offset", "-1"],
        ["order_by", "nonsense"],
        ["starting_after", "user_missing"],
      ]),
    ).toBe(fx.size);
  });
});
