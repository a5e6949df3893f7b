/**
 * Every search plan (workers/db/user-search/index.ts) against an SQL oracle, on a table cut into
 * many small spans (search_settings.span_docs = 16, so ~100 spans of 16–31 users), so that pages,
 * offsets, cursors and counts cross span boundaries, a millisecond crowd larger than a span, and
 * users sharing milliseconds. Each case also asserts which plan ran.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { createDb } from "../../workers/db/client";
import { DbMeter } from "../../workers/db/metered-d1";
import { countUsersMatching, findUserPage, type PlanName } from "../../workers/db/user-search";
import { parseWith } from "../../workers/http/validation";
import { countUsersQuery, listUsersQuery } from "../../workers/schemas/user-queries";

const USERS = 1500;
const SPAN_DOCS = 16;
const CROWD = { from: 700, to: 760 };

async function run(qs: Record<string, string>, after?: { createdAt: number; id: string }) {
  const meter = new DbMeter();
  const db = createDb(env.DB, meter);
  const { rows, plan } = await findUserPage(db, parseWith(countUsersQuery, qs), parseWith(listUsersQuery, qs).order, {
    limit: Number(qs.limit ?? 10),
    offset: Number(qs.offset ?? 0),
    after,
  });
  return { ids: rows.map((r) => r.id), plan, meter };
}

async function count(qs: Record<string, string>) {
  const meter = new DbMeter();
  const n = await countUsersMatching(createDb(env.DB, meter), parseWith(countUsersQuery, qs));
  return { n, meter };
}

const COLUMN: Record<string, string> = {
  created_at: "created_at",
  first_name: "first_name",
  last_name: "last_name",
  email_address: "primary_email_address_sort",
  username: "username_normalized",
  last_active_at: "last_active_at",
  updated_at: "updated_at",
};

/** The same page straight from SQL: LIKE on the columns the search parameter covers (ASCII data). */
async function oracle(qs: Record<string, string>, cursor?: { createdAt: number; id: string }): Promise<string[]> {
  const conditions: string[] = [];
  const binds: unknown[] = [];
  const like = (columns: string[], value: string) => {
    for (const term of value.split(/\s+/).filter(Boolean)) {
      conditions.push(`(${columns.map((c) => `coalesce(${c}, '') like ?`).join(" or ")})`);
      for (const _ of columns) binds.push(`%${term}%`);
    }
  };
  if (qs.email_address_query) like(["primary_email_address_sort"], qs.email_address_query);
  if (qs.name_query) like(["first_name", "last_name", "first_name || ' ' || last_name"], qs.name_query);
  if (qs.username_query) like(["username_normalized"], qs.username_query);
  if (qs.banned) conditions.push(`banned = ${qs.banned === "true" ? 1 : 0}`);
  const raw = qs.order_by ?? "-created_at";
  const descending = raw.startsWith("-");
  const dir = descending ? "desc" : "asc";
  if (cursor) {
    conditions.push(`(created_at, id) ${descending ? "<" : ">"} (?, ?)`);
    binds.push(cursor.createdAt, cursor.id);
  }
  const column = COLUMN[raw.replace(/^[-+]/, "")];
  const sql = `select id from users ${conditions.length ? `where ${conditions.join(" and ")}` : ""}
    order by ${column} ${dir} nulls last, id ${dir} limit ${Number(qs.limit ?? 10)} offset ${Number(qs.offset ?? 0)}`;
  const result = await env.DB.prepare(sql)
    .bind(...binds)
    .all<{ id: string }>();
  return result.results.map((r) => r.id);
}

async function oracleCount(qs: Record<string, string>): Promise<number> {
  return (await oracle({ ...qs, limit: String(USERS), offset: "0", order_by: "created_at" })).length;
}

async function expectPage(qs: Record<string, string>, plan: PlanName) {
  const got = await run(qs);
  expect(got.ids, JSON.stringify(qs)).toEqual(await oracle(qs));
  expect(got.plan, JSON.stringify(qs)).toBe(plan);
  return got;
}

beforeAll(async () => {
  await env.DB.prepare(`update search_settings set span_docs = ${SPAN_DOCS}`).run();
  // Three users per millisecond, and a crowd of 61 users in one millisecond (more than a span
  // holds, so it makes one large span: spans never split a millisecond).
  await env.DB.prepare(
    `with recursive n(i) as (select 1 union all select i + 1 from n where i < ${USERS})
     insert into users (id, first_name, last_name, username, username_normalized, primary_email_address_sort, last_active_at, banned, created_at, updated_at)
     select printf('user_plan%05d', (i * 7) % ${USERS}), case when i % 7 = 0 then null else printf('First%04d', (i * 7919) % ${USERS}) end,
            printf('Fam%03d', i % 300), printf('handle%05d', i), printf('handle%05d', i), printf('person%05d@span.test', i),
            case when i % 5 = 0 then null else i * 10 end, i % 11 = 0,
            case when i between ${CROWD.from} and ${CROWD.to} then 1700000000000 + ${CROWD.from} else 1700000000000 + i / 3 end,
            1700000000000 + (i * 13) % ${USERS} from n`,
  ).run();
  await env.DB.prepare(
    `insert into email_addresses (id, user_id, email_address, email_address_normalized, created_at, updated_at)
     select 'idn_' || substr(id, 6), id, primary_email_address_sort, primary_email_address_sort, created_at, created_at from users`,
  ).run();
}, 120_000);

describe("search spans", () => {
  it("partition the documents exactly, at millisecond boundaries, in spans of span_docs..2·span_docs (one larger span for the crowd)", async () => {
    const spans = (await env.DB.prepare("select cast(lo as text) as lo, docs from search_spans order by lo").all<{ lo: string; docs: number }>())
      .results;
    expect(spans[0].lo).toBe("-9223372036854775808");
    expect(spans.length).toBeGreaterThan(USERS / (2 * SPAN_DOCS));
    let total = 0;
    for (let i = 0; i < spans.length; i++) {
      const lo = spans[i].lo;
      const hi = spans[i + 1]?.lo;
      const actual = await env.DB.prepare(
        `select count(*) as n, count(distinct doc_id >> 20) as buckets from user_search_documents where doc_id >= ${lo} ${hi ? `and doc_id < ${hi}` : ""}`,
      ).first<{ n: number; buckets: number }>();
      expect(spans[i].docs, `span ${lo}`).toBe(actual!.n);
      total += actual!.n;
      if (i > 0) expect(BigInt(lo) & ((1n << 20n) - 1n), `span ${lo} starts a millisecond`).toBe(0n);
      if (actual!.buckets > 1) expect(spans[i].docs, `span ${lo}`).toBeLessThan(2 * SPAN_DOCS);
    }
    expect(total).toBe(USERS);
  });
});

describe("plans", () => {
  it("created_at: every match in (created_at, id) order across spans, both directions, offsets and filters", async () => {
    const searches: Record<string, string>[] = [
      { email_address_query: "span.test" },
      { email_address_query: "7@span" },
      { email_address_query: "person0012" },
      { username_query: "7" },
    ];
    for (const search of searches) {
      for (const order_by of ["-created_at", "created_at"]) {
        for (const [limit, offset] of [
          [10, 0],
          [1, 0],
          [7, 13],
          [100, 0],
          [25, 690],
          [10, 1400],
        ]) {
          await expectPage({ ...search, order_by, limit: String(limit), offset: String(offset) }, "created_at");
        }
        await expectPage({ ...search, order_by, banned: "true", limit: "20", offset: "3" }, "created_at");
      }
    }
  });

  it("created_at: pages with starting_after through the crowd and every span", async () => {
    for (const order_by of ["-created_at", "created_at"]) {
      const qs = { email_address_query: "span.test", order_by, limit: "37" };
      const seen: string[] = [];
      let cursor: { createdAt: number; id: string } | undefined;
      for (;;) {
        const got = await run(qs, cursor);
        expect(got.ids, `${order_by} after ${cursor?.id}`).toEqual(await oracle(qs, cursor));
        seen.push(...got.ids);
        if (got.ids.length < 37) break;
        const last = got.ids.at(-1)!;
        const row = await env.DB.prepare("select created_at from users where id = ?").bind(last).first<{ created_at: number }>();
        cursor = { createdAt: row!.created_at, id: last };
      }
      expect(seen).toHaveLength(USERS);
      expect(new Set(seen).size).toBe(USERS);
    }
  });

  it("ranked: a selective search in other orders and directions, with offsets and filters", async () => {
    for (const order_by of ["first_name", "-first_name", "last_name", "-last_active_at", "email_address", "-username", "updated_at"]) {
      for (const [limit, offset] of [
        [10, 0],
        [25, 40],
        [5, 140],
      ]) {
        await expectPage({ email_address_query: "7@span", order_by, limit: String(limit), offset: String(offset) }, "ranked");
      }
      await expectPage({ email_address_query: "7@span", order_by, banned: "false", limit: "30" }, "ranked");
    }
  });

  it("walk: a broad search in another order, while the walk can fill the page", async () => {
    for (const order_by of ["first_name", "-first_name", "-last_active_at", "username"]) {
      await expectPage({ email_address_query: "span.test", order_by }, "walk");
      await expectPage({ email_address_query: "span.test", order_by, limit: "20", offset: "7", banned: "false" }, "walk");
    }
    // The walk gives up on a page it cannot fill within its budget, and FTS5 ranks instead.
    await expectPage({ email_address_query: "span.test", order_by: "last_name", banned: "true", offset: "50" }, "ranked");
  });

  it("scan: a search of only 1–2 character terms in another order finds every match, however old", async () => {
    for (const order_by of ["first_name", "-last_name", "-last_active_at", "username"]) {
      for (const [limit, offset] of [
        [10, 0],
        [50, 300],
        [10, 1490],
      ]) {
        await expectPage({ username_query: "7", order_by, limit: String(limit), offset: String(offset) }, "scan");
      }
      await expectPage({ name_query: "99", order_by, limit: "500" }, "scan");
    }
  });

  it("plain: no search", async () => {
    await expectPage({ order_by: "-first_name", offset: "33" }, "plain");
  });
});

describe("counts", () => {
  it("count every match across the spans, for long terms, short terms and with filters", async () => {
    for (const qs of <Record<string, string>[]>[
      { email_address_query: "span.test" },
      { email_address_query: "7@span" },
      { username_query: "7" },
      { username_query: "00 7" },
      { name_query: "99" },
      { email_address_query: "span.test", banned: "true" },
      { username_query: "3", banned: "false" },
      {},
      { banned: "true" },
    ]) {
      const { n, meter } = await count(qs);
      expect(n, JSON.stringify(qs)).toBe(await oracleCount(qs));
      expect(n, JSON.stringify(qs)).toBeGreaterThan(0);
      // A search is counted in more than one statement when the spans are many.
      if (Object.keys(qs).some((k) => k.endsWith("_query"))) expect(meter.queries, JSON.stringify(qs)).toBeGreaterThan(2);
    }
  });

  it("a search of only short terms counts its oldest matches too (no bounded scan of the newest users)", async () => {
    const oldest = await env.DB.prepare("select id, username from users order by created_at, id limit 1").first<{ id: string; username: string }>();
    const { n } = await count({ username_query: oldest!.username.slice(-2) });
    expect(n).toBe(await oracleCount({ username_query: oldest!.username.slice(-2) }));
    const all = await run({ username_query: oldest!.username.slice(-2), order_by: "created_at", limit: "1" });
    expect(all.ids).toEqual([oldest!.id]);
  });
});
