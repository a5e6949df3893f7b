/**
 * Property: for any combination of filters, the list (unpaginated) is exactly the set of fixture
 * users a JS oracle selects, and /count equals its length.
 */
import { env } from "cloudflare:test";
import fc from "fast-check";
import { beforeAll, expect, it } from "vitest";
import { countOf, listIds, matchesSearch, seedFixture, T0, type Fixture, type FixtureUser } from "./user-list-fixture";

let fx: Fixture;
type U = FixtureUser & { id: string };

beforeAll(async () => {
  // Spans of one to two users, so every search crosses span boundaries (user-search/spans.ts).
  await env.DB.prepare("update search_settings set span_docs = 1").run();
  fx = await seedFixture();
});

/** A filter as query pairs plus the predicate it means. */
interface Clause {
  pairs: [string, string][];
  test: (u: U) => boolean;
}

const fold = (v: string) => v.normalize("NFC").toLowerCase();
const randomCase = (v: string, upper: boolean) => (upper ? v.toUpperCase() : v);

function listClause(name: string, values: string[], has: (u: U, v: string) => boolean): Clause {
  return { pairs: values.map((v) => [name, v]), test: (u) => values.some((v) => has(u, v)) };
}

/** A +/- list over a (possibly multi-valued) attribute: include any of, exclude all of. */
function signedClause(name: string, values: [string, string][], valuesOf: (u: U) => string[]): Clause {
  const include = values.filter(([s]) => s !== "-").map(([, v]) => v);
  const exclude = values.filter(([s]) => s === "-").map(([, v]) => v);
  return {
    pairs: values.map(([s, v]) => [name, `${s}${v}`]),
    test: (u) => (include.length === 0 || include.some((v) => valuesOf(u).includes(v))) && !exclude.some((v) => valuesOf(u).includes(v)),
  };
}

function timeClause(name: string, value: number, get: (u: U) => number | null, cmp: (a: number, b: number) => boolean): Clause {
  return { pairs: [[name, String(value)]], test: (u) => get(u) !== null && cmp(get(u)!, value) };
}

const all = () => [...fx.values()];
const pick = <T>(values: () => T[]) => fc.integer({ min: 0, max: 1000 }).map((i) => values()[i % values().length]);
const subset = <T>(values: () => T[]) => fc.array(pick(values), { minLength: 1, maxLength: 3 });
const sign = fc.constantFrom("", "+", "-");
const TIMES = [T0 - 1, T0, T0 + 50, T0 + 100, T0 + 200, T0 + 400, T0 + 86_400_000 * 3, T0 + 86_400_000 * 7];
const FRAGMENTS = [
  "ada",
  "e",
  "EX",
  "example",
  "Li",
  "love",
  "555",
  "+44",
  "é",
  "ÈVE",
  "o'b",
  "%",
  "_",
  "bob",
  "obby",
  "0x",
  "cafe",
  "ext",
  "zz",
  "user_",
  "(x)",
  '"q"',
];

const clause: fc.Arbitrary<Clause> = fc.oneof(
  fc
    .tuple(
      subset(() => [...all().flatMap((u) => u.emails), "nobody@x.test"]),
      fc.boolean(),
    )
    .map(([vs, up]) =>
      listClause(
        "email_address",
        vs.map((v) => randomCase(v, up)),
        (u, v) => u.emails.some((e) => fold(e) === fold(v)),
      ),
    ),
  subset(() => [...all().flatMap((u) => u.phones), "+10000000000"]).map((vs) => listClause("phone_number", vs, (u, v) => u.phones.includes(v))),
  fc
    .tuple(
      subset(() => all().flatMap((u) => (u.username ? [u.username] : []))),
      fc.boolean(),
    )
    .map(([vs, up]) =>
      listClause(
        "username",
        vs.map((v) => randomCase(v, up)),
        (u, v) => u.username !== null && fold(u.username) === fold(v),
      ),
    ),
  subset(() => all().flatMap((u) => u.wallets)).map((vs) => listClause("web3_wallet", vs, (u, v) => u.wallets.includes(v))),
  fc
    .array(
      fc.tuple(
        sign,
        pick(() => [...all().flatMap((u) => (u.externalId ? [u.externalId] : [])), "ext-none"]),
      ),
      { minLength: 1, maxLength: 3 },
    )
    .map((vs) => signedClause("external_id", vs, (u) => (u.externalId ? [u.externalId] : []))),
  fc
    .array(
      fc.tuple(
        sign,
        pick(() => all().map((u) => u.id)),
      ),
      { minLength: 1, maxLength: 3 },
    )
    .map((vs) => signedClause("user_id", vs, (u) => [u.id])),
  fc
    .array(fc.tuple(sign, fc.constantFrom("org_a", "org_b", "org_none")), { minLength: 1, maxLength: 3 })
    .map((vs) => signedClause("organization_id", vs, (u) => u.orgs)),
  fc
    .tuple(
      fc.constantFrom("oauth_google", "google", "oauth_github"),
      subset(() => ["g-ada", "g-bob", "gh-5", "nope"]),
    )
    .map(([provider, ids]) => ({
      pairs: [["provider", provider] as [string, string], ...ids.map((v) => ["provider_user_id", v] as [string, string])],
      test: (u: U) =>
        u.accounts.some((a) => a.provider === (provider.startsWith("oauth_") ? provider : `oauth_${provider}`) && ids.includes(a.providerUserId)),
    })),
  fc.boolean().map((b) => ({ pairs: [["banned", String(b)]] as [string, string][], test: (u: U) => u.banned === b })),
  fc
    .tuple(fc.constantFrom(...TIMES), fc.constantFrom("created_at", "last_active_at", "last_sign_in_at"), fc.constantFrom("before", "after", "since"))
    .map(([t, field, op]) => {
      const get = (u: U) => (field === "created_at" ? u.createdAt : field === "last_active_at" ? u.lastActiveAt : u.lastSignInAt);
      const actualOp = op === "since" && field !== "last_active_at" ? "after" : op;
      const cmp =
        actualOp === "before"
          ? (a: number, b: number) => a < b
          : actualOp === "after"
            ? (a: number, b: number) => a > b
            : (a: number, b: number) => a >= b;
      return timeClause(`${field}_${actualOp}`, t, get, cmp);
    }),
  fc
    .tuple(
      fc.constantFrom("query", "email_address_query", "phone_number_query", "username_query", "name_query"),
      fc.array(fc.constantFrom(...FRAGMENTS), { minLength: 1, maxLength: 2 }),
    )
    .map(([param, words]) => {
      const value = words.join(" ");
      return { pairs: [[param, value]] as [string, string][], test: (u: U) => matchesSearch(u, param, value) };
    }),
);

it("list equals the oracle and count equals the list length for any filter combination", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(clause, { minLength: 1, maxLength: 4 }), async (clauses) => {
      // Each key may appear once (a repeated key is one list); keep the first clause per key.
      const seen = new Set<string>();
      const kept = clauses.filter((c) => {
        const keys = c.pairs.map(([k]) => k);
        if (keys.some((k) => seen.has(k))) return false;
        for (const k of keys) seen.add(k);
        return true;
      });
      const pairs = kept.flatMap((c) => c.pairs);
      const expected = all()
        .filter((u) => kept.every((c) => c.test(u)))
        .map((u) => u.id)
        .sort();
      const list = await listIds([...pairs, ["limit", "500"]]);
      expect(list.slice().sort(), new URLSearchParams(pairs).toString()).toEqual(expected);
      expect(await countOf(pairs)).toBe(list.length);
    }),
    { numRuns: 60 },
  );
}, 300_000);
