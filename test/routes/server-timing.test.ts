/**
 * Server-Timing on every response, and rows-read budgets (docs/search.md, Bounds) on a few thousand users
 * seeded straight into D1, measured over the whole request (finding the users AND building their
 * User JSON). The budgets at 100k users are the same formulas; a regression to a full scan shows
 * up here already because it reads every seeded row.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { DbMeter, meterableColumns, meteredD1 } from "../../workers/db/metered-d1";
import { call, createUser, expectError, unique } from "../helpers";
import { dbTiming, measured, parseServerTiming, seedUsers } from "../perf-helpers";

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
    expect(got.headers.get("server-timing")).toMatch(/^db;dur=\d+(\.\d+)?;desc="rows_read=\d+ rows_written=\d+ queries=\d+ max_query_ms=\d+\.\d"$/);
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
    expect(dbTiming(invalid)).toEqual({ durationMs: 0, rowsRead: 0, rowsWritten: 0, queries: 0, maxQueryMs: 0, unmetered: 0 });

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
    expect(header.replace(/rows_read|rows_written|max_query_ms|queries|db;dur|desc/g, "")).toMatch(/^[\d.;="\s]*$/);
  });

  it("rejects malformed values in the shared parser", () => {
    expect(parseServerTiming(null)).toBeUndefined();
    expect(parseServerTiming('db;dur=1;desc="rows_read=x rows_written=0 queries=1 max_query_ms=1.0"')).toBeUndefined();
    expect(parseServerTiming('db;dur=1;desc="rows_read=1 rows_written=0"')).toBeUndefined();
    expect(parseServerTiming('db;dur=1.5;desc="rows_read=3 rows_written=0 queries=4 max_query_ms=12.5 unmetered=2"')).toEqual({
      durationMs: 1.5,
      rowsRead: 3,
      rowsWritten: 0,
      queries: 4,
      maxQueryMs: 12.5,
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
    // columnNames is D1's own raw() (the names of an empty result cannot be read off all()).
    expect(meter.unmetered).toBe(2);
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
    expect(meterableColumns(`select "id", "name" from "users"`)).toEqual(["id", "name"]);
    expect(meterableColumns(`select "users"."id", "e"."email_address" from "users" left join "email_addresses" "e" on 1`)).toEqual([
      "id",
      "email_address",
    ]);
    expect(meterableColumns(`select "users"."id", "e"."id" from "users" left join "email_addresses" "e" on 1`)).toBeUndefined();
    // An unaliased subquery's result name is not provable: not metered (fails closed).
    expect(meterableColumns(`select "u"."id", "e"."id" as "eid", (select count(*) from x join y) from "u" join "e" on 1`)).toBeUndefined();
    expect(meterableColumns(`select "u"."id", "e"."id" as "eid", (select count(*) from x join y) as "n" from "u" join "e" on 1`)).toBeUndefined();
    expect(meterableColumns(`select * from "users" join "email_addresses" on 1`)).toBeUndefined();
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
  const seededUser = async (index: number) => {
    const got = await call("GET", `/v1/users/${seededIds[index]}`, undefined, { schema: "User" });
    expect(got.status).toBe(200);
    return got.body;
  };
  const ids = (body: { id: string }[]) => body.map((u) => u.id);

  it("get by id reads at most 1 + 50 rows", async () => {
    const got = await measured("GET", `/v1/users/${seededIds[1234]}`, undefined, { schema: "User" });
    expect(got.status).toBe(200);
    expect(got.timing.rowsRead).toBeLessThanOrEqual(1 + 50);
  });

  it("list (default) reads at most limit + 50 rows", async () => {
    const list = await measured("GET", "/v1/users", undefined, { schema: ["User"] });
    expect(list.body).toHaveLength(10);
    expect(list.timing.rowsRead).toBeLessThanOrEqual(10 + 50);
  });

  it("exact filters read at most limit + 50 rows", async () => {
    const a = await seededUser(700);
    const b = await seededUser(2100);
    const withPhone = [a, b, await seededUser(1500), await seededUser(2900)].find((u) => u.phone_numbers.length > 0);
    expect(withPhone, "a seeded user with a phone number").toBeDefined();
    const cases: [string, string[]][] = [
      [
        `email_address=${encodeURIComponent(a.email_addresses[0].email_address.toUpperCase())}&email_address=${encodeURIComponent(b.email_addresses[0].email_address)}`,
        [b.id, a.id],
      ],
      [`phone_number=${encodeURIComponent(withPhone.phone_numbers[0].phone_number)}`, [withPhone.id]],
      [`user_id=${a.id}&user_id=${b.id}&user_id=user_missing`, [b.id, a.id]],
      [`username=${[a, b].find((u) => u.username)?.username ?? "nobody"}`, ids([a, b].filter((u) => u.username)).slice(0, 1)],
      ["external_id=nobody-has-this", []],
      [`email_address=${encodeURIComponent(a.email_addresses[0].email_address)}&order_by=last_name`, [a.id]],
    ];
    for (const [qs, expected] of cases) {
      const list = await measured("GET", `/v1/users?${qs}`, undefined, { schema: ["User"] });
      expect(ids(list.body), qs).toEqual(expected);
      expect(list.timing.rowsRead, qs).toBeLessThanOrEqual(10 + 50);
    }
    const banned = await measured("GET", "/v1/users?banned=true", undefined, { schema: ["User"] });
    expect(banned.body).toHaveLength(10);
    expect(banned.timing.rowsRead).toBeLessThanOrEqual(10 + 50);
  });

  it("offset paging reads at most offset + limit + 50 rows", async () => {
    for (const qs of ["offset=2000&limit=10", "offset=2000&order_by=last_name", "offset=500&order_by=-first_name"]) {
      const params = new URLSearchParams(qs);
      const list = await measured("GET", `/v1/users?${qs}`, undefined, { schema: ["User"] });
      const limit = Number(params.get("limit") ?? 10);
      expect(list.body, qs).toHaveLength(limit);
      expect(list.timing.rowsRead, qs).toBeLessThanOrEqual(Number(params.get("offset")) + limit + 50);
    }
  });

  it("large pages read at most limit + 50 rows, however many identifiers the users have", async () => {
    // Child rows come from the users' children_json copy (migration 0004), not their tables.
    for (const limit of [100, 500]) {
      const list = await measured("GET", `/v1/users?limit=${limit}`, undefined, { schema: ["User"] });
      expect(list.body).toHaveLength(limit);
      const identifiers = list.body.reduce((n: number, u: any) => n + u.email_addresses.length + u.phone_numbers.length, 0);
      expect(identifiers).toBeGreaterThan(limit);
      expect(list.timing.rowsRead).toBeLessThanOrEqual(limit + 50);
    }
  });

  /** A search that matches someone: a full (or the whole) page, read within 10 × limit + 200 rows. */
  async function expectSearchWithinBound(qs: string): Promise<void> {
    const list = await measured("GET", `/v1/users?${qs}`, undefined, { schema: ["User"] });
    const limit = Number(new URLSearchParams(qs).get("limit") ?? 10);
    const total = (await call("GET", `/v1/users/count?${qs}`)).body.total_count;
    expect(total, qs).toBeGreaterThan(0);
    expect(list.body.length, qs).toBe(Math.min(limit, total));
    expect(list.timing.rowsRead, qs).toBeLessThanOrEqual(10 * limit + 200);
  }

  it("searches with terms of 3+ characters read at most 10 × limit + 200 rows in created_at order", async () => {
    const a = await seededUser(1111);
    const local = a.email_addresses[0].email_address.split("@")[0];
    const cases = [
      // Every user matches: FTS stops after the page's bucket instead of sorting 3,000 matches.
      "query=example",
      "query=example&order_by=created_at",
      "query=example&limit=50",
      "email_address_query=example&order_by=-created_at&limit=25",
      "query=example&banned=false",
      // A first name (a few percent of the users), then with a second term.
      "name_query=ada",
      "query=ada%20lov",
      // One user.
      `query=${encodeURIComponent(local)}`,
      `email_address_query=${encodeURIComponent(local)}`,
    ];
    for (const qs of cases) await expectSearchWithinBound(qs);
    const first = await measured("GET", "/v1/users?query=example&limit=10", undefined, { schema: ["User"] });
    const next = await measured("GET", `/v1/users?query=example&limit=10&starting_after=${first.body[9].id}`, undefined, { schema: ["User"] });
    expect(next.body).toHaveLength(10);
    expect(next.timing.rowsRead).toBeLessThanOrEqual(10 * 10 + 200);
  });

  it("searches with terms of 3+ characters read at most 10 × limit + 200 rows in every other order too", async () => {
    const a = await seededUser(1111);
    const local = a.email_addresses[0].email_address.split("@")[0];
    for (const orderBy of [
      "last_name",
      "-first_name",
      "email_address",
      "-updated_at",
      "username",
      "-last_active_at",
      "phone_number",
      "web3wallet",
      "last_sign_in_at",
    ]) {
      for (const search of [
        "query=example",
        "query=example&limit=100",
        "name_query=ada",
        "query=ada%20lov&limit=25",
        `email_address_query=${encodeURIComponent(local)}`,
      ]) {
        await expectSearchWithinBound(`${search}&order_by=${orderBy}`);
      }
    }
  });

  it("count with a search reads at most 3 × count + 200 rows", async () => {
    for (const qs of [
      "query=example",
      "query=example&banned=false",
      "name_query=ada",
      "query=lovelace%20example",
      "email_address_query=nobody-matches-this",
    ]) {
      const count = await measured("GET", `/v1/users/count?${qs}`);
      expect(count.status).toBe(200);
      expect(count.timing.rowsRead, qs).toBeLessThanOrEqual(3 * count.body.total_count + 200);
    }
  });

  it("counting every user reads the maintained total, and the meter does see a full scan (a filter every user passes)", async () => {
    const count = await measured("GET", "/v1/users/count");
    expect(count.body.total_count).toBeGreaterThanOrEqual(SEEDED);
    expect(count.timing.rowsRead).toBeLessThanOrEqual(2);
    const scan = await measured("GET", "/v1/users/count?created_at_after=0");
    expect(scan.body.total_count).toBe(count.body.total_count);
    expect(scan.timing.rowsRead).toBeGreaterThanOrEqual(SEEDED);
  });
});
