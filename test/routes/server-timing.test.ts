/**
 * Server-Timing on every response, and rows-read budgets (issue 8) on a few thousand users
 * seeded straight into D1. The budgets at 100k users are the same formulas; a regression to a
 * full scan shows up here already because it reads every seeded row.
 *
 * After the search branch merges, add here: exact filters (email_address, …) ≤ limit + 50;
 * query / name_query (≥ 3 chars) ≤ 10 × limit + 200; count with a query ≤ 3 × count + 200.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { DbMeter, mayHaveDuplicateColumns, meteredD1 } from "../../workers/db/metered-d1";
import { call, createUser, expectError, unique } from "../helpers";
import { aggregateReadAllowance, dbTiming, measured, parseServerTiming, seedUsers } from "../perf-helpers";

const SEEDED = 3000;
let seededIds: string[] = [];

beforeAll(async () => {
  seededIds = await seedUsers(SEEDED);
});

describe("Server-Timing header", () => {
  it("reports rows read on a GET and nothing written", async () => {
    const user = await createUser({ email_address: [`${unique()}@example.com`] });
    const got = await measured("GET", `/v1/users/${user.id}`, undefined, { schema: "User" });
    expect(got.status).toBe(200);
    expect(got.headers.get("server-timing")).toMatch(/^db;dur=\d+(\.\d+)?;desc="rows_read=\d+ rows_written=\d+"$/);
    expect(got.timing.rowsRead).toBeGreaterThan(0);
    expect(got.timing.rowsWritten).toBe(0);
    expect(got.timing.unmetered).toBe(0);
  });

  it("reports rows written on a create", async () => {
    const created = await measured("POST", "/v1/users", { email_address: [`${unique()}@example.com`], username: unique("st") }, { schema: "User" });
    expect(created.status).toBe(200);
    // The user row, its email row and their index entries.
    expect(created.timing.rowsWritten).toBeGreaterThanOrEqual(2);
    expect(created.timing.rowsRead).toBeGreaterThan(0);
  });

  it("is on error responses too: 404, 422, 401 and unknown routes", async () => {
    const missing = await call("GET", "/v1/users/user_doesnotexist");
    expectError(missing, 404, "resource_not_found");
    expect(dbTiming(missing).rowsWritten).toBe(0);

    const invalid = await call("POST", "/v1/users", { not_a_param: 1 });
    expect(invalid.status).toBe(422);
    expect(dbTiming(invalid)).toEqual({ durationMs: 0, rowsRead: 0, rowsWritten: 0, unmetered: 0 });

    const unauthorized = await call("GET", "/v1/users", undefined, { noAuth: true });
    expect(unauthorized.status).toBe(401);
    expect(dbTiming(unauthorized).rowsRead).toBe(0);

    const noRoute = await call("GET", "/v1/no_such_route");
    expect(noRoute.status).toBe(404);
    expect(dbTiming(noRoute).rowsRead).toBe(0);
  });

  it("is a single header carrying only numbers", async () => {
    const user = await createUser({ email_address: [`${unique()}@example.com`], first_name: "Ünïcode" });
    const got = await call("GET", `/v1/users/${user.id}`);
    const header = got.headers.get("server-timing")!;
    expect(header.split(",")).toHaveLength(1);
    expect(header).not.toContain(user.id);
    expect(header.replace(/rows_read|rows_written|db;dur|desc/g, "")).toMatch(/^[\d.;="\s]*$/);
  });

  it("rejects malformed values in the shared parser", () => {
    expect(parseServerTiming(null)).toBeUndefined();
    expect(parseServerTiming('db;dur=1;desc="rows_read=x rows_written=0"')).toBeUndefined();
    expect(parseServerTiming('db;dur=1.5;desc="rows_read=3 rows_written=0 unmetered=2"')).toEqual({
      durationMs: 1.5,
      rowsRead: 3,
      rowsWritten: 0,
      unmetered: 2,
    });
  });
});

describe("metered D1 wrapper", () => {
  it("serves raw() from all() with the same rows and records the meta", async () => {
    const meter = new DbMeter();
    const db = meteredD1(env.DB, meter);
    const sql = "select id, first_name, banned, created_at from users order by created_at limit 5";
    const expected = await env.DB.prepare(sql).raw();
    expect(await db.prepare(sql).raw()).toEqual(expected);
    expect(meter.rowsRead).toBeGreaterThanOrEqual(5);
    expect(meter.unmetered).toBe(0);

    const withNames = await db.prepare(sql).raw({ columnNames: true });
    expect(withNames[0]).toEqual(["id", "first_name", "banned", "created_at"]);
    expect(withNames.slice(1)).toEqual(expected);
    const empty = await db.prepare("select id, username from users where id = ?").bind("none").raw({ columnNames: true });
    expect(empty).toEqual([["id", "username"]]);
  });

  it("keeps D1's raw() for a join whose columns share a name, and counts it as unmetered", async () => {
    const meter = new DbMeter();
    const db = meteredD1(env.DB, meter);
    const sql = `select "users"."id", "email_addresses"."id", "email_addresses"."email_address" from "users"
      inner join "email_addresses" on "email_addresses"."user_id" = "users"."id" where "users"."id" = ?`;
    const rows = await db.prepare(sql).bind(seededIds[0]).raw<string[]>();
    expect(rows.length).toBeGreaterThan(0);
    expect(rows[0]).toHaveLength(3);
    expect(rows[0][0]).toBe(seededIds[0]);
    expect(rows[0][1]).toMatch(/^idn_/);
    expect(meter.unmetered).toBe(1);
  });

  it("tells joins with distinct column names from those that collide", () => {
    expect(mayHaveDuplicateColumns(`select "id", "name" from "users"`)).toBe(false);
    expect(mayHaveDuplicateColumns(`select "users"."id", "e"."email_address" from "users" left join "email_addresses" "e" on 1`)).toBe(false);
    expect(mayHaveDuplicateColumns(`select "users"."id", "e"."id" from "users" left join "email_addresses" "e" on 1`)).toBe(true);
    expect(mayHaveDuplicateColumns(`select "u"."id", "e"."id" as "eid", (select count(*) from x join y) from "u" join "e" on 1`)).toBe(false);
    expect(mayHaveDuplicateColumns(`select * from "users" join "email_addresses" on 1`)).toBe(true);
  });

  it("records first(), run() and every statement of a batch", async () => {
    const meter = new DbMeter();
    const db = meteredD1(env.DB, meter);
    const row = await db.prepare("select id from users where id = ?").bind(seededIds[1]).first<{ id: string }>();
    expect(row?.id).toBe(seededIds[1]);
    expect(await db.prepare("select id from users where id = ?").bind(seededIds[1]).first("id")).toBe(seededIds[1]);
    expect(await db.prepare("select id from users where id = ?").bind("missing").first()).toBeNull();
    await expect(db.prepare("select id from users limit 1").first("nope")).rejects.toThrow(/D1_COLUMN_NOTFOUND/);
    const afterFirst = meter.rowsRead;
    expect(afterFirst).toBeGreaterThanOrEqual(2);

    const results = await db.batch([
      db.prepare("select id from users order by created_at limit 3"),
      db.prepare("update users set locale = locale where id = ?").bind(seededIds[2]),
    ]);
    expect(results[0].results).toHaveLength(3);
    expect(meter.rowsRead).toBeGreaterThanOrEqual(afterFirst + 3);
    expect(meter.rowsWritten).toBeGreaterThanOrEqual(1);
  });
});

describe(`rows read with ${SEEDED} seeded users`, () => {
  // Budgets from issue 8, plus the cost of building the User JSON of the users returned
  // (aggregateReadAllowance: proportional to the page, never to the table).
  it("get by id reads a small constant number of rows", async () => {
    const got = await measured("GET", `/v1/users/${seededIds[1234]}`, undefined, { schema: "User" });
    expect(got.status).toBe(200);
    expect(got.timing.rowsRead).toBeLessThanOrEqual(10 + 50);
  });

  it("list (default) reads at most limit + 50 rows beyond loading the page's users", async () => {
    const list = await measured("GET", "/v1/users", undefined, { schema: ["User"] });
    expect(list.body).toHaveLength(10);
    expect(list.timing.rowsRead).toBeLessThanOrEqual(10 + 50 + aggregateReadAllowance(list.body));
  });

  it("list with limit=100 reads at most limit + 50 rows beyond loading the page's users", async () => {
    const list = await measured("GET", "/v1/users?limit=100", undefined, { schema: ["User"] });
    expect(list.body).toHaveLength(100);
    expect(list.timing.rowsRead).toBeLessThanOrEqual(100 + 50 + aggregateReadAllowance(list.body));
  });

  it("offset paging reads at most offset + limit + 50 rows beyond loading the page's users", async () => {
    const list = await measured("GET", "/v1/users?offset=2000&limit=10", undefined, { schema: ["User"] });
    expect(list.body).toHaveLength(10);
    expect(list.timing.rowsRead).toBeLessThanOrEqual(2000 + 10 + 50 + aggregateReadAllowance(list.body));
  });

  it("the meter does see a full scan (count without a filter reads every user)", async () => {
    const count = await measured("GET", "/v1/users/count");
    expect(count.body.total_count).toBeGreaterThanOrEqual(SEEDED);
    expect(count.timing.rowsRead).toBeGreaterThanOrEqual(SEEDED);
  });
});
