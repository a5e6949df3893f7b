/**
 * Bad input never reaches a 500: property tests throw random JSON bodies and query strings at
 * every users route (the helper checks the exact Content-Type and the spec schema of every
 * body), plus the specific inputs that once did reach a 500.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { call, createUser, expectError, unique, type ApiResult } from "../helpers";

let userId: string;

beforeAll(async () => {
  const user = await createUser({ first_name: "Probe", last_name: "Person", email_address: [`${unique()}@example.com`] });
  userId = user.id;
});

/** Not a 500, and a Clerk error when it is an error. */
function expectHandled(result: ApiResult, what: string) {
  expect(result.status, `${what} → ${JSON.stringify(result.body).slice(0, 300)}`).not.toBe(500);
  expect(result.status, what).toBeLessThan(500);
  if (result.status >= 400) expect(Array.isArray(result.body.errors), what).toBe(true);
}

const CREATE_KEYS = [
  "external_id",
  "first_name",
  "last_name",
  "locale",
  "email_address",
  "email_address_identification_status",
  "phone_number",
  "phone_number_identification_status",
  "web3_wallet",
  "username",
  "password",
  "skip_password_checks",
  "skip_password_requirement",
  "public_metadata",
  "private_metadata",
  "unsafe_metadata",
  "delete_self_enabled",
  "create_organization_enabled",
  "create_organizations_limit",
  "legal_accepted_at",
  "skip_legal_checks",
  "skip_user_requirement",
  "bypass_client_trust",
  "created_at",
  "banned",
  "locked",
];
const UPDATE_KEYS = [
  "external_id",
  "first_name",
  "last_name",
  "locale",
  "primary_email_address_id",
  "primary_phone_number_id",
  "primary_web3_wallet_id",
  "notify_primary_email_address_changed",
  "username",
  "profile_image_id",
  "password",
  "skip_password_checks",
  "sign_out_of_other_sessions",
  "public_metadata",
  "private_metadata",
  "unsafe_metadata",
  "delete_self_enabled",
  "create_organization_enabled",
  "legal_accepted_at",
  "skip_legal_checks",
  "create_organizations_limit",
  "created_at",
  "bypass_client_trust",
];
const LIST_KEYS = [
  "email_address",
  "email_address[]",
  "phone_number",
  "external_id",
  "username",
  "web3_wallet",
  "user_id",
  "organization_id",
  "provider",
  "provider_user_id",
  "query",
  "email_address_query",
  "phone_number_query",
  "username_query",
  "name_query",
  "banned",
  "created_at_before",
  "created_at_after",
  "last_active_at_before",
  "last_active_at_after",
  "last_active_at_since",
  "last_sign_in_at_before",
  "last_sign_in_at_after",
  "order_by",
  "limit",
  "offset",
  "starting_after",
  "paginated",
];

const nastyString = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.constantFrom(
    "",
    " ",
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
    "{",
    "}",
    "\\",
    "\u0000",
    "+",
    "-",
    "-created_at",
    "1e309",
    "-1",
    "9".repeat(30),
    "user_",
    "é",
    "ÉLODIE",
    "😀",
    "\ud800",
    "null",
    "true",
    "[]",
  ),
  fc.integer({ min: 1, max: 3000 }).map((n) => "x".repeat(n)),
);
const anyValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  nastyString,
  fc.array(nastyString, { maxLength: 4 }),
  fc.constantFrom(1e300, -1, 2 ** 63, 0.5),
);
const bodyOf = (keys: string[]) =>
  fc.dictionary(fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...keys) }, { weight: 1, arbitrary: nastyString }), anyValue, { maxKeys: 5 });
const queryOf = fc.array(
  fc.tuple(fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...LIST_KEYS) }, { weight: 1, arbitrary: nastyString }), nastyString),
  {
    maxLength: 6,
  },
);

/** `s` with lone surrogates replaced by U+FFFD, as the WHATWG URL encoder does. */
const wellFormed = (s: string) => s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd");

describe("property: random input never answers 500", () => {
  it("POST /v1/users with random bodies", async () => {
    await fc.assert(
      fc.asyncProperty(bodyOf(CREATE_KEYS), async (body) => {
        const result = await call("POST", "/v1/users", body, { schema: "User" });
        expectHandled(result, JSON.stringify(body).slice(0, 200));
      }),
      { numRuns: 80 },
    );
  }, 300_000);

  it("PATCH /v1/users/{id} with random bodies", async () => {
    await fc.assert(
      fc.asyncProperty(bodyOf(UPDATE_KEYS), async (body) => {
        const result = await call("PATCH", `/v1/users/${userId}`, body, { schema: "User" });
        expectHandled(result, JSON.stringify(body).slice(0, 200));
      }),
      { numRuns: 80 },
    );
  }, 300_000);

  it("PATCH and PUT /v1/users/{id}/metadata with random bodies", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom("PATCH", "PUT"), bodyOf(["public_metadata", "private_metadata", "unsafe_metadata"]), async (method, body) => {
        const result = await call(method, `/v1/users/${userId}/metadata`, body, { schema: "User" });
        expectHandled(result, `${method} ${JSON.stringify(body).slice(0, 200)}`);
      }),
      { numRuns: 60 },
    );
  }, 300_000);

  it("GET /v1/users and /v1/users/count with random query strings", async () => {
    await fc.assert(
      fc.asyncProperty(queryOf, async (pairs) => {
        const qs = new URLSearchParams(pairs).toString();
        const list = await call("GET", `/v1/users?${qs}`, undefined, { schema: ["User"] });
        expectHandled(list, qs);
        const count = await call("GET", `/v1/users/count?${qs}`, undefined, { schema: "TotalCount" });
        expectHandled(count, qs);
      }),
      { numRuns: 80 },
    );
  }, 300_000);

  it("GET, PATCH and DELETE /v1/users/{id} with random ids", async () => {
    await fc.assert(
      fc.asyncProperty(nastyString, async (id) => {
        // A URL cannot carry a lone UTF-16 surrogate: clients (like URLSearchParams for the query
        // test) send U+FFFD for it, so encode the id as they would instead of throwing here.
        const path = `/v1/users/${encodeURIComponent(wellFormed(id))}`;
        expectHandled(await call("GET", path), id);
        expectHandled(await call("PATCH", path, { first_name: "x" }), id);
        expectHandled(await call("DELETE", `${path}x`), id);
      }),
      { numRuns: 25 },
    );
  }, 300_000);

  it("random bytes as a JSON body", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: "binary", maxLength: 200 }), async (raw) => {
        expectHandled(await call("POST", "/v1/users", undefined, { rawBody: raw }), JSON.stringify(raw));
        expectHandled(await call("PATCH", `/v1/users/${userId}/metadata`, undefined, { rawBody: raw }), JSON.stringify(raw));
      }),
      { numRuns: 40 },
    );
  }, 300_000);
});

describe("inputs that once reached a 500", () => {
  // Its own user: the properties above may have renamed the shared one.
  let ownId: string;
  beforeAll(async () => {
    ownId = (await createUser({ first_name: "Probe", last_name: "Person" })).id;
  });

  const nested = (depth: number, open: string, close: string, leaf = "1") => `${open.repeat(depth)}${leaf}${close.repeat(depth)}`;

  it("answers a JSON body nested deeper than 128 levels with 400 request_body_invalid on every body route", async () => {
    const deepObject = nested(100_000, '{"a":', "}");
    const deepArray = nested(100_000, "[", "]");
    for (const [method, path, raw] of [
      ["POST", "/v1/users", `{"public_metadata":${deepObject}}`],
      ["POST", "/v1/users", `{"first_name":${deepArray}}`],
      ["PATCH", `/v1/users/${ownId}`, `{"unsafe_metadata":${deepObject}}`],
      ["PATCH", `/v1/users/${ownId}/metadata`, `{"public_metadata":${deepObject}}`],
      ["PUT", `/v1/users/${ownId}/metadata`, `{"private_metadata":${nested(129, '{"a":', "}")}}`],
    ] as const) {
      const error = expectError(await call(method, path, undefined, { rawBody: raw }), 400, "request_body_invalid");
      expect(error.long_message, `${method} ${path}`).toContain("128");
    }
    // Brackets inside strings are text, not nesting.
    const user = await createUser({ first_name: "[".repeat(200), public_metadata: { k: "{".repeat(500) } });
    expect(user.first_name).toBe("[".repeat(200));
  });

  it("accepts metadata nested exactly 128 levels deep (the body itself is one level)", async () => {
    const result = await call("PUT", `/v1/users/${ownId}/metadata`, undefined, {
      rawBody: `{"private_metadata":${nested(127, '{"a":', "}")}}`,
      schema: "User",
    });
    expect(result.status, JSON.stringify(result.body).slice(0, 300)).toBe(200);
    let level: any = result.body.private_metadata;
    let depth = 0;
    while (typeof level === "object") {
      level = level.a;
      depth += 1;
    }
    expect(depth).toBe(127);
  });

  it("serves a search of more than 100 short terms (each one a bound parameter before) with correct results", async () => {
    // 1-character terms, so 120 of them fit the 256-character limit.
    const terms = Array.from({ length: 120 }, (_, i) => "probe"[i % 5]);
    const found = await call("GET", `/v1/users?query=${encodeURIComponent(terms.join(" "))}&user_id=${ownId}`, undefined, { schema: ["User"] });
    expect(found.status, JSON.stringify(found.body).slice(0, 300)).toBe(200);
    expect(found.body.map((u: any) => u.id)).toEqual([ownId]);
    const counted = await call(
      "GET",
      `/v1/users/count?name_query=${encodeURIComponent([...terms.slice(1), "zq"].join(" "))}&user_id=${ownId}`,
      undefined,
      {
        schema: "TotalCount",
      },
    );
    expect(counted.status, JSON.stringify(counted.body).slice(0, 300)).toBe(200);
    expect(counted.body.total_count).toBe(0);
    // Non-ASCII short terms have several case spellings each.
    const accents = await call("GET", `/v1/users/count?query=${encodeURIComponent(Array.from({ length: 120 }, () => "é").join(" "))}`, undefined, {
      schema: "TotalCount",
    });
    expect(accents.status, JSON.stringify(accents.body).slice(0, 300)).toBe(200);
    // Every search parameter at once, each full of short terms (repeats count once: at most 10
    // different terms in all), plus exact filters.
    const many = (letters: string) => Array.from({ length: 60 }, (_, i) => letters[i % letters.length]).join(" ");
    const params = new URLSearchParams({
      query: many("pro"),
      name_query: many("pe"),
      email_address_query: many("ex"),
      username_query: many("ab"),
      phone_number_query: many("1"),
      email_address: "a@b.co",
      created_at_after: "1",
      last_active_at_since: "1",
    });
    const all = await call("GET", `/v1/users?${params}`, undefined, { schema: ["User"] });
    expect(all.status, JSON.stringify(all.body).slice(0, 300)).toBe(200);
    expect(all.body).toEqual([]);
  });

  it("refuses create_organizations_limit beyond a 64-bit-safe integer instead of storing a float", async () => {
    for (const value of [1e300, 2 ** 63, Number.MAX_SAFE_INTEGER + 1]) {
      expectError(
        await call("POST", "/v1/users", { create_organizations_limit: value }),
        422,
        "form_param_value_invalid",
        "create_organizations_limit",
      );
      expectError(
        await call("PATCH", `/v1/users/${ownId}`, { create_organizations_limit: value }),
        422,
        "form_param_value_invalid",
        "create_organizations_limit",
      );
    }
    const user = await createUser({ create_organizations_limit: 1_000_000 });
    expect(user.create_organizations_limit).toBe(1_000_000);
  });
});
