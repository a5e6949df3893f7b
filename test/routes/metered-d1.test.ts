/**
 * The metered D1 wrapper fails closed: raw() is served from all() (which keeps
 * D1's meta) only when the statement's result-column names are proven distinct and none is an
 * array index; anything else runs D1's own raw() and counts as unmetered. Every D1 call is
 * counted and timed either way. Rows come from real D1 through drizzle, as the app reads them.
 */
import { env } from "cloudflare:test";
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "../../workers/db/client";
import { DbMeter, meterableColumns, meteredD1 } from "../../workers/db/metered-d1";
import { userTotals } from "../../workers/db/schema";

function metered() {
  const meter = new DbMeter();
  return { meter, db: createDb(env.DB, meter), d1: meteredD1(env.DB, meter) };
}

/** user_totals always holds exactly one row (id 1), kept by triggers (migration 0005). */
const oneRow = userTotals;

describe("metered D1: shapes all() would get wrong read through D1's raw()", () => {
  it("keeps an unaliased column named like an array index in its place", async () => {
    // Columns `'x'` and `2`: as object keys, "2" would come first.
    const { meter, db } = metered();
    expect(await db.select({ name: sql`'x'`, n: sql`2` }).from(oneRow).get()).toEqual({ name: "x", n: 2 });
    expect(await db.select({ name: sql`'x'`, n: sql`2` }).from(oneRow).all()).toEqual([{ name: "x", n: 2 }]);
    expect(meter.unmetered).toBe(2);
    expect(meter.queries).toBe(2);
    expect(meter.statements).toBe(0);
  });

  it("keeps an aliased column named like an array index in its place", async () => {
    const { meter, db } = metered();
    const row = await db
      .select({ name: sql`'x'`.as("name"), n: sql`2`.as("2") })
      .from(oneRow)
      .get();
    expect(row).toEqual({ name: "x", n: 2 });
    expect(meter.unmetered).toBe(1);
  });

  it("returns both columns of a comma join that share a name", async () => {
    const { meter, db } = metered();
    const rows = await db.select({ a: sql`a.v`, b: sql`b.v` }).from(sql`(select 'a' as v) a, (select 'b' as v) b`).all();
    expect(rows).toEqual([{ a: "a", b: "b" }]);
    expect(meter.unmetered).toBe(1);
    expect(meter.queries).toBe(1);
  });

  it("returns both columns when rowid is reported under the primary key's name", async () => {
    const { meter, d1 } = metered();
    // SQLite names both columns "id" (user_totals.id is its INTEGER PRIMARY KEY).
    expect(await d1.prepare(`select rowid, "id" from "user_totals"`).raw()).toEqual([[1, 1]]);
    expect(meter.unmetered).toBe(1);
  });

  it("reads RETURNING rows through D1's raw()", async () => {
    const { meter, db } = metered();
    const row = await db
      .update(userTotals)
      .set({ users: sql`${userTotals.users}` })
      .where(eq(userTotals.id, 1))
      .returning({ id: userTotals.id, two: sql<number>`2`.as("2") })
      .get();
    expect(row).toEqual({ id: 1, two: 2 });
    expect(meter.unmetered).toBe(1);
    expect(meter.queries).toBe(1);
  });

  it("fails rather than return rows whose columns are not the ones predicted", async () => {
    // A double-quoted name that is no column is a string literal, whose result column is named
    // `"nosuch"` (quotes included), not `nosuch`: all()'s keys do not match, so nothing is returned.
    expect(await env.DB.prepare(`select "nosuch" from "user_totals"`).raw()).toEqual([["nosuch"]]);
    const { meter, d1 } = metered();
    await expect(d1.prepare(`select "nosuch" from "user_totals"`).raw()).rejects.toThrow(/not the predicted \[nosuch\]/);
    expect(meter.queries).toBe(1);
  });
});

describe("metered D1: the shapes the app runs stay metered", () => {
  it("table columns, joins with distinct names and aliased expressions", async () => {
    const { meter, db } = metered();
    const row = await db
      .select({ id: userTotals.id, users: userTotals.users, two: sql<number>`2`.as("two"), label: sql<string>`'x'`.as("label") })
      .from(oneRow)
      .get();
    expect(row).toMatchObject({ id: 1, two: 2, label: "x" });
    expect(typeof row?.users).toBe("number");

    const joined = await db.select({ id: userTotals.id, v: sql<string>`t.v` }).from(oneRow).innerJoin(sql`(select 'j' as v) t`, sql`1`).all();
    expect(joined).toEqual([{ id: 1, v: "j" }]);
    expect(meter.unmetered).toBe(0);
    expect(meter.statements).toBe(2);
    expect(meter.queries).toBe(2);
    expect(meter.rowsRead).toBeGreaterThanOrEqual(2);
  });
});

describe("meterableColumns", () => {
  it("names the columns of plain selects whose every column is a column reference or aliased", () => {
    expect(meterableColumns(`select "users"."id", "users"."first_name" from "users" where "users"."id" in (1, 2) order by a, b limit 3`)).toEqual([
      "id",
      "first_name",
    ]);
    expect(meterableColumns(`select distinct "a", t.b, main.t.c from t`)).toEqual(["a", "b", "c"]);
    expect(meterableColumns(`select cast(m.doc_id as text) as "docId", 'x' as "q", 1e5 as n from t cross join u on 1`)).toEqual(["docId", "q", "n"]);
    expect(meterableColumns(`select a from (select b as a, c from t) s join u on 1`)).toEqual(["a"]);
  });

  it("refuses anything whose names it cannot prove distinct and safe as object keys", () => {
    const refused = [
      `select 'x', 2 from "users"`, // expressions without an alias
      `select cast(m.doc_id as text) from t`,
      `select count(*) from t`,
      `select 2 as "2" from t`, // an array-index name
      `select a as "0", b from t`,
      `select "a"."v", "b"."v" from a, b`, // a comma join
      `select "a"."v", "b"."w" from a, b`,
      `select "users"."id", "e"."id" from "users" join "e" on 1`, // duplicate names
      `select "ID", "id" from "users"`, // the same column to SQLite
      `select rowid, "id" from t`, // rowid takes the primary key's name
      `select * from t`,
      `select t.* from t`,
      `select (select 1) as x from t`, // a subquery in the select list
      `select exists (select 1 from u) as x from t`,
      `with w as (select 1 as a) select a from w`, // a CTE
      `select a from t union all select a from u`, // compound selects
      `select a from t except select a from u`,
      `insert into t (a) values (?) returning "a", "b"`, // RETURNING
      `update t set a = 1 returning "a"`,
      `select a from t; select b from t`,
      `select a -- comment\n from t`,
      `select a /* comment */ from t`,
      `select a b from t`, // an alias without AS
      `select [a], \`b\` from t`,
      `select "x""y" from t`,
      `select 'unterminated from t`,
      `select (a from t`,
      `select a, from t`,
      `select 1 as a`, // no FROM
      `values (1, 2)`,
    ];
    for (const statement of refused) expect(meterableColumns(statement), statement).toBeUndefined();
  });
});
