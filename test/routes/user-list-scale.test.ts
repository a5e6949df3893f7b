/**
 * The list/count queries at a few thousand users: D1's meta.rows_read of the exact statements the
 * service runs stays bounded (index-backed), and the short-term fallback scans at most
 * SHORT_TERM_SCAN_ROWS documents.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { createDb } from "../../workers/db/client";
import { SHORT_TERM_SCAN_ROWS, userCountQuery, userRowsQuery } from "../../workers/db/user-search";
import { parseUserFilter, parseUserOrder } from "../../workers/services/user-list";
import { countOf, listIds } from "./user-list-fixture";

const USERS = 3000;
const db = createDb(env.DB);

/** Runs the statement the service would run for this query string and returns rows and rows_read. */
async function measure(qs: Record<string, string | string[]>, kind: "list" | "count" = "list") {
  const query = Object.fromEntries(Object.entries(qs));
  const filter = parseUserFilter(query);
  const built =
    kind === "list"
      ? userRowsQuery(db, filter, parseUserOrder(query), { limit: Number(qs.limit ?? 10), offset: Number(qs.offset ?? 0) }).toSQL()
      : userCountQuery(db, filter).toSQL();
  const result = await env.DB.prepare(built.sql)
    .bind(...built.params)
    .all();
  return { rows: result.results, rowsRead: result.meta.rows_read };
}

beforeAll(async () => {
  // n = 1..USERS; every 7th user has no first name, every 5th no last_active_at.
  await env.DB.prepare(
    `with recursive n(i) as (select 1 union all select i + 1 from n where i < ${USERS})
     insert into users (id, first_name, last_name, username, username_normalized, primary_email_address_sort, last_active_at, banned, created_at, updated_at)
     select printf('user_scale%06d', i), case when i % 7 = 0 then null else printf('First%06d', (i * 7919) % ${USERS}) end, printf('Family%04d', i % 500),
            printf('handle%06d', i), printf('handle%06d', i), printf('person%06d@scale.test', i), case when i % 5 = 0 then null else i * 10 end,
            i % 11 = 0, 1700000000000 + i, 1700000000000 + i from n`,
  ).run();
  await env.DB.prepare(
    `insert into email_addresses (id, user_id, email_address, email_address_normalized, created_at, updated_at)
     select printf('idn_scale%06d', substr(id, 11)), id, primary_email_address_sort, primary_email_address_sort, created_at, created_at from users`,
  ).run();
}, 120_000);

describe("rows_read at scale", () => {
  it("seeded the index through the triggers", async () => {
    expect(await countOf([])).toBe(USERS);
    expect(await countOf([["query", "person001234@"]])).toBe(1);
  });

  it("keeps exact filters and sorts within limit + 50 rows", async () => {
    const cases: Record<string, string | string[]>[] = [
      {},
      { order_by: "created_at" },
      { order_by: "first_name" },
      { order_by: "-first_name" },
      { order_by: "last_active_at" },
      { order_by: "-username" },
      { order_by: "email_address", limit: "50" },
      { email_address: ["person000010@scale.test", "PERSON000020@scale.test", "nobody@scale.test"] },
      { username: ["handle000100", "handle000200"], order_by: "first_name" },
      { user_id: ["user_scale000001", "user_scale000002", "user_scale000003"] },
      { external_id: ["nope"] },
      { banned: "true" },
    ];
    for (const qs of cases) {
      const limit = Number(qs.limit ?? 10);
      const { rowsRead } = await measure(qs);
      expect(rowsRead, JSON.stringify(qs)).toBeLessThanOrEqual(limit + 50);
    }
  });

  it("keeps offset paging within offset + limit + 50 rows", async () => {
    for (const qs of <Record<string, string>[]>[{ offset: "1000" }, { offset: "2500", order_by: "first_name" }, { offset: "500", order_by: "-last_active_at", limit: "100" }]) {
      const { rowsRead } = await measure(qs);
      expect(rowsRead, JSON.stringify(qs)).toBeLessThanOrEqual(Number(qs.offset) + Number(qs.limit ?? 10) + 50);
    }
  });

  it("keeps searches within 10 × limit + 200 rows when selective, ~4 rows per match when broad, and counts within 3 × count + 200", async () => {
    for (const qs of <Record<string, string>[]>[
      { query: "person001234" },
      { query: "first000123" },
      { name_query: "family0042", limit: "20" },
      { query: "handle00012 family" },
      { query: "person00123 .t" },
      { query: "person00123", order_by: "-last_active_at", banned: "false" },
      // Broad: 100 matches for limit 10; every match is read once to sort them.
      { email_address_query: "person0012", order_by: "first_name" },
    ]) {
      const limit = Number(qs.limit ?? 10);
      const count = await measure(qs, "count");
      const total = Number(Object.values(count.rows[0] as object)[0]);
      expect(total, JSON.stringify(qs)).toBeGreaterThan(0);
      expect(count.rowsRead, JSON.stringify(qs)).toBeLessThanOrEqual(3 * total + 200);
      const { rows, rowsRead } = await measure(qs);
      expect(rows.length, JSON.stringify(qs)).toBe(Math.min(limit, total));
      expect(rowsRead, JSON.stringify(qs)).toBeLessThanOrEqual(4 * total + 50);
      if (total <= 5 * limit) expect(rowsRead, JSON.stringify(qs)).toBeLessThanOrEqual(10 * limit + 200);
    }
  });

  it("scans at most SHORT_TERM_SCAN_ROWS documents for a search made only of short terms", async () => {
    const { rowsRead } = await measure({ name_query: "F0" });
    expect(rowsRead).toBeLessThanOrEqual(SHORT_TERM_SCAN_ROWS + 50);
    const broad = await measure({ username_query: "0" });
    expect(broad.rowsRead).toBeLessThanOrEqual(SHORT_TERM_SCAN_ROWS + 4 * SHORT_TERM_SCAN_ROWS + 50);
    // The newest users are searched; the oldest (outside the bound) are not — the documented limit.
    const newest = `user_scale${String(USERS).padStart(6, "0")}`;
    expect(await listIds([["username_query", "0"], ["limit", "1"]])).toEqual([newest]);
    expect(await countOf([["username_query", "0"]])).toBe(SHORT_TERM_SCAN_ROWS);
    // A long term finds every user.
    expect(await countOf([["username_query", "handle"]])).toBe(USERS);
  });
});
