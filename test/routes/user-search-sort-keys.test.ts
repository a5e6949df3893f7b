/**
 * Searches in orders other than created_at are sorted by FTS5 on the sort keys stored with each
 * search document (migrations/0007_search_sort_keys.sql). The keys' byte order has to be the
 * API's order `value nulls last, id` (SQLite's BINARY collation for text) for any value, so these
 * tests use the values the key layout handles specially — NULL, the empty string, U+0000 and
 * U+0001 (escaped), prefixes of one another, case, non-ASCII, negative and huge timestamps, ties —
 * and compare every page the API returns with the same users sorted by SQL.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { call, createUser, unique } from "../helpers";

const TERM = unique("sortkeys");
const ids: string[] = [];

const NAMES = [
  null,
  "",
  "a",
  "ab",
  "ab\u0000",
  "ab\u0000c",
  "ab\u0001",
  "ab\u0001c",
  "ab\u0002",
  "abc",
  "AB",
  "Ab",
  "é",
  "e\u0301",
  "zz",
  "ab",
  "ab",
];
const TIMES = [null, -9_223_372_036_854_775_000, -1_000, -1, 0, 1, 999, 1_000, 1_700_000_000_000, 9_000_000_000_000_000, null, 5, 5, 5, 0, -1, 1_000];

/** Usernames are unique: the name, then U+0000 and the index (NULL stays NULL). */
const handle = (i: number) => (NAMES[i] === null ? null : `${NAMES[i]}\u0000${i}`);

beforeAll(async () => {
  for (let i = 0; i < NAMES.length; i++) {
    const user = await createUser({ email_address: [`${TERM}${i}@example.com`] });
    ids.push(user.id);
  }
  // Values no route writes (timestamps) or that validation may reshape (names): set directly.
  await env.DB.batch(
    ids.map((id, i) =>
      env.DB.prepare(
        `UPDATE users SET first_name = ?, last_name = ?, username = ?, username_normalized = ?, last_active_at = ?, last_sign_in_at = ?,
           primary_phone_number_sort = ?, primary_web3_wallet_sort = ? WHERE id = ?`,
      ).bind(
        NAMES[i],
        NAMES[NAMES.length - 1 - i],
        handle(i),
        handle(i),
        TIMES[i],
        TIMES[TIMES.length - 1 - i],
        NAMES[(i + 5) % NAMES.length],
        NAMES[(i + 9) % NAMES.length],
        id,
      ),
    ),
  );
});

const COLUMNS: Record<string, string> = {
  first_name: "first_name",
  last_name: "last_name",
  username: "username_normalized",
  last_active_at: "last_active_at",
  last_sign_in_at: "last_sign_in_at",
  updated_at: "updated_at",
  email_address: "primary_email_address_sort",
  phone_number: "primary_phone_number_sort",
  web3wallet: "primary_web3_wallet_sort",
};

async function sqlOrder(orderBy: string): Promise<string[]> {
  const descending = orderBy.startsWith("-");
  const dir = descending ? "desc" : "asc";
  const column = COLUMNS[orderBy.replace(/^-/, "")];
  const placeholders = ids.map(() => "?").join(", ");
  const result = await env.DB.prepare(`SELECT id FROM users WHERE id IN (${placeholders}) ORDER BY ${column} ${dir} NULLS LAST, id ${dir}`)
    .bind(...ids)
    .all<{ id: string }>();
  return result.results.map((r) => r.id);
}

async function apiPage(orderBy: string, limit: number, offset: number): Promise<string[]> {
  const qs = new URLSearchParams({ query: TERM, order_by: orderBy, limit: String(limit), offset: String(offset) });
  const result = await call("GET", `/v1/users?${qs}`, undefined, { schema: ["User"] });
  expect(result.status, JSON.stringify(result.body)).toBe(200);
  return result.body.map((u: { id: string }) => u.id);
}

describe("search results in orders other than created_at", () => {
  it("stored the awkward values as given", async () => {
    const row = await env.DB.prepare("SELECT first_name, last_active_at FROM users WHERE id = ?").bind(ids[5]).first();
    expect(row).toEqual({ first_name: "ab\u0000c", last_active_at: 1 });
    expect((await env.DB.prepare("SELECT last_active_at FROM users WHERE id = ?").bind(ids[1]).first())!.last_active_at).toBe(TIMES[1]);
  });

  // A full page of 100 is more than the probe finds (FTS5 sorts the matches); pages of 4 from
  // the start are found by walking the order's index (every user matches). Both must agree.
  for (const field of Object.keys(COLUMNS)) {
    for (const orderBy of [field, `-${field}`]) {
      it(`follows SQL's order for ${orderBy}, whole and page by page`, async () => {
        const expected = await sqlOrder(orderBy);
        expect(expected).toHaveLength(NAMES.length);
        expect(await apiPage(orderBy, 100, 0)).toEqual(expected);
        const paged: string[] = [];
        for (let offset = 0; offset < NAMES.length; offset += 4) paged.push(...(await apiPage(orderBy, 4, offset)));
        expect(paged).toEqual(expected);
      });
    }
  }

  it("follows a value changed after creation", async () => {
    const late = await createUser({ email_address: [`${TERM}late@example.com`], last_name: "zzzz" });
    ids.push(late.id);
    const before = await apiPage("last_name", 100, 0);
    expect(before).toEqual(await sqlOrder("last_name"));
    expect((await call("PATCH", `/v1/users/${late.id}`, { last_name: "\u00001" })).status).toBe(200);
    const after = await apiPage("last_name", 100, 0);
    expect(after).toEqual(await sqlOrder("last_name"));
    // After "" (a prefix of every name), before "a".
    expect(after.indexOf(late.id)).toBe(1);
    expect(before.indexOf(late.id)).toBeGreaterThan(1);
  });
});
