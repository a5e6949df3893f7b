/**
 * The list/count queries at a few thousand users: D1's meta.rows_read of the exact statements the
 * service runs stays bounded (index-backed), each search runs the plan meant for it, and a search
 * made only of 1–2 character terms finds every match.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { createDb } from "../../workers/db/client";
import { DbMeter } from "../../workers/db/metered-d1";
import { countUsersMatching, findUserPage, walkBudget } from "../../workers/db/user-search";
import { parseWith } from "../../workers/http/validation";
import { countUsersQuery, listUsersQuery } from "../../workers/schemas/user-queries";
import { countOf, listIds } from "./user-list-fixture";

const USERS = 3000;
const _db = createDb(env.DB);

/** Runs what the service runs for this query string and returns the rows and D1's rows_read for it. */
async function measure(qs: Record<string, string | string[]>, kind: "list" | "count" = "list") {
  const query = Object.fromEntries(Object.entries(qs));
  const filter = parseWith(countUsersQuery, query);
  const meter = new DbMeter();
  const metered = createDb(env.DB, meter);
  const page =
    kind === "list"
      ? await findUserPage(metered, filter, parseWith(listUsersQuery, query).order, { limit: Number(qs.limit ?? 10), offset: Number(qs.offset ?? 0) })
      : { rows: [{ count: await countUsersMatching(metered, filter) }], plan: undefined };
  const rows: Record<string, any>[] = page.rows;
  expect(meter.unmetered, JSON.stringify(qs)).toBe(0);
  return { rows, rowsRead: meter.rowsRead, plan: page.plan };
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
    for (const qs of <Record<string, string>[]>[
      { offset: "1000" },
      { offset: "2500", order_by: "first_name" },
      { offset: "500", order_by: "-last_active_at", limit: "100" },
    ]) {
      const { rowsRead } = await measure(qs);
      expect(rowsRead, JSON.stringify(qs)).toBeLessThanOrEqual(Number(qs.offset) + Number(qs.limit ?? 10) + 50);
    }
  });

  it("keeps searches with terms of 3+ characters within 10 × limit + 200 rows in every order, and counts within 3 × count + 200", async () => {
    for (const qs of <Record<string, string>[]>[
      { query: "person001234" },
      { query: "first000123" },
      { name_query: "family0042", limit: "20" },
      { query: "handle00012 family" },
      { query: "person00123 .t" },
      { query: "person00123", order_by: "-last_active_at", banned: "false" },
      { email_address_query: "person0012", order_by: "first_name" },
      { email_address_query: "1@scale", order_by: "first_name" },
      { email_address_query: "1@scale", order_by: "-last_name", limit: "100" },
      { email_address_query: "person000", order_by: "-username" },
      { name_query: "family", order_by: "last_active_at", limit: "100" },
      { email_address_query: "scale.test", order_by: "first_name" },
      { query: "scale.test", order_by: "-updated_at", limit: "500" },
    ]) {
      const limit = Number(qs.limit ?? 10);
      const count = await measure(qs, "count");
      const total = Number(Object.values(count.rows[0] as object)[0]);
      expect(total, JSON.stringify(qs)).toBeGreaterThan(0);
      expect(count.rowsRead, JSON.stringify(qs)).toBeLessThanOrEqual(3 * total + 200);
      const { rows, rowsRead } = await measure(qs);
      expect(rows.length, JSON.stringify(qs)).toBe(Math.min(limit, total));
      expect(rowsRead, JSON.stringify(qs)).toBeLessThanOrEqual(10 * limit + 200);
    }
  });

  it("reads about two rows per match of the long terms when a 1–2 character term narrows them (no trigrams to find it)", async () => {
    const qs = { query: "person00 7", order_by: "email_address", limit: "50" };
    const longMatches = Number((await measure({ query: "person00" }, "count")).rows[0]!.count);
    const count = await measure(qs, "count");
    expect(Number(count.rows[0]!.count)).toBeLessThan(longMatches);
    expect(count.rowsRead).toBeLessThanOrEqual(2 * longMatches + 50);
    const { rows, rowsRead } = await measure(qs);
    expect(rows).toHaveLength(50);
    expect(rowsRead).toBeLessThanOrEqual(10 * 50 + 200);
  });

  describe("a search in an order other than created_at", () => {
    /** The page straight from SQL (LIKE on the one email each user has), for comparison. */
    async function oracle(emailParts: string[], orderSql: string, limit: number, offset: number, banned?: boolean): Promise<string[]> {
      const like = emailParts.map((_, i) => `primary_email_address_sort like ?${i + 3}`).join(" and ");
      const result = await env.DB.prepare(
        `select id from users where ${like} ${banned === undefined ? "" : `and banned = ${banned ? 1 : 0}`}
         order by ${orderSql} limit ?1 offset ?2`,
      )
        .bind(limit, offset, ...emailParts.map((p) => `%${p}%`))
        .all<{ id: string }>();
      return result.results.map((r) => r.id);
    }
    const ORDER_SQL: Record<string, string> = {
      updated_at: "updated_at",
      email_address: "primary_email_address_sort",
      web3wallet: "primary_web3_wallet_sort",
      first_name: "first_name",
      last_name: "last_name",
      phone_number: "primary_phone_number_sort",
      username: "username_normalized",
      last_active_at: "last_active_at",
      last_sign_in_at: "last_sign_in_at",
    };
    const orderSql = (orderBy: string) => {
      const descending = orderBy.startsWith("-");
      const dir = descending ? "desc" : "asc";
      return `${ORDER_SQL[orderBy.replace(/^[-+]/, "")]} ${dir} nulls last, id ${dir}`;
    };

    it("lets FTS5 sort the matches: the oracle's page in every order and direction, reading about the page", async () => {
      // 300 matches, one user in ten: the walk is tried and gives up (too few matches among the
      // users it walked), so FTS5 sorts them (plan "ranked"). first_name and last_active_at have
      // NULLs, last_name has ties;
      // web3wallet/phone_number/last_sign_in_at are NULL for everyone (user-search-sort-keys
      // tests their keys with values).
      for (const field of Object.keys(ORDER_SQL)) {
        for (const orderBy of [field, `-${field}`]) {
          for (const [limit, offset] of [
            [10, 0],
            [25, 40],
          ]) {
            const qs = { email_address_query: "1@scale", order_by: orderBy, limit: String(limit), offset: String(offset) };
            const { rows, rowsRead, plan } = await measure(qs);
            expect(
              rows.map((r) => r.id),
              JSON.stringify(qs),
            ).toEqual(await oracle(["1@scale"], orderSql(orderBy), limit, offset));
            expect(plan, JSON.stringify(qs)).toBe("ranked");
            const { probe, sample } = walkBudget({ limit, offset });
            // The probe and the abandoned walk (~3 rows per user walked), then ~2 rows per row consumed.
            expect(rowsRead, JSON.stringify(qs)).toBeLessThanOrEqual(probe + 4 * sample + 2 * (offset + limit) + 10);
          }
        }
      }
    });

    it("reads the same few rows for a selective search: one probe, then FTS5's sorted matches", async () => {
      const qs = { email_address_query: "person00123", order_by: "first_name" };
      const { rows, rowsRead, plan } = await measure(qs);
      expect(rows.map((r) => r.id)).toEqual(await oracle(["person00123"], orderSql("first_name"), 10, 0));
      expect(plan).toBe("ranked");
      expect(rowsRead).toBeLessThanOrEqual(walkBudget({ limit: 10, offset: 0 }).probe + 2 * 10 + 10);
    });

    it("keeps the order of matches bunched at the far end of the order, with filters, offsets and short terms", async () => {
      const cases: [Record<string, string>, string[], boolean | undefined][] = [
        // 999 matches, all at the end of -username.
        [{ email_address_query: "person000", order_by: "-username", offset: "3" }, ["person000"], undefined],
        [{ email_address_query: "1@scale", order_by: "-last_active_at", offset: "20", limit: "20", banned: "true" }, ["1@scale"], true],
        [{ email_address_query: "person00 7", order_by: "last_name", limit: "30" }, ["person00", "7"], undefined],
        [{ email_address_query: "person0012", order_by: "-first_name", offset: "95" }, ["person0012"], undefined],
      ];
      for (const [qs, parts, banned] of cases) {
        const limit = Number(qs.limit ?? 10);
        const offset = Number(qs.offset ?? 0);
        const { rows, rowsRead } = await measure(qs);
        expect(
          rows.map((r) => r.id),
          JSON.stringify(qs),
        ).toEqual(await oracle(parts, orderSql(qs.order_by), limit, offset, banned));
        // FTS hands over the matches of the long term in order until the page is full: with a
        // filter or a short term, that is past the page, up to where the last row of the page
        // stands among the long term's matches (about three rows each: FTS row and user row).
        const ranked = await oracle(parts.slice(0, 1), orderSql(qs.order_by), USERS, 0);
        const consumed = ranked.indexOf(rows.at(-1)!.id) + 1;
        const { probe, sample } = walkBudget({ limit, offset });
        expect(rowsRead, JSON.stringify(qs)).toBeLessThanOrEqual(probe + 4 * sample + 3 * consumed + 10);
      }
    });

    it("walks the order's index for a broad search and stops once the page is full", async () => {
      const qs = { email_address_query: "scale.test", order_by: "first_name" };
      const { rows, rowsRead, plan } = await measure(qs);
      expect(rows.map((r) => r.id)).toEqual(await oracle(["scale.test"], orderSql("first_name"), 10, 0));
      expect(plan).toBe("walk");
      // Probe + about three rows per user walked (every user matches, but the walk takes a whole
      // chunk of 32) + the page.
      expect(rowsRead).toBeLessThanOrEqual(walkBudget({ limit: 10, offset: 0 }).probe + 4 * 32 + 10 + 10);
    });

    it("applies the filters and offset during the walk, in either direction", async () => {
      const cases: [Record<string, string>, string, boolean | undefined][] = [
        [{ email_address_query: "scale.test", order_by: "-last_active_at", offset: "40", limit: "20", banned: "false" }, "scale.test", false],
        [{ email_address_query: "person00", order_by: "username", limit: "25" }, "person00", undefined],
        [{ query: "scale.test", order_by: "-first_name", offset: "7" }, "scale.test", undefined],
      ];
      for (const [qs, part, banned] of cases) {
        const limit = Number(qs.limit ?? 10);
        const offset = Number(qs.offset ?? 0);
        const { rows, plan } = await measure(qs);
        expect(
          rows.map((r) => r.id),
          JSON.stringify(qs),
        ).toEqual(await oracle([part], orderSql(qs.order_by), limit, offset, banned));
        expect(rows, JSON.stringify(qs)).toHaveLength(limit);
        expect(plan, JSON.stringify(qs)).toBe("walk");
      }
    });

    it("stays within D1's 100 bound parameters with every filter and the most terms a search may have", async () => {
      // Statements repeat the filters and the search; past 40 short-term spellings those pass as
      // JSON lists. Every filter and term matches user 1.
      const filters: [string, string][] = [
        ["email_address", "person000001@scale.test"],
        ["username", "handle000001"],
        ["external_id", "-none"],
        ["user_id", "-user_none"],
        ["organization_id", "-org_none"],
        ["banned", "false"],
        ["created_at_after", "1"],
        ["created_at_before", "9999999999999"],
        ["last_active_at_after", "1"],
        ["last_active_at_before", "9999999999999"],
        ["last_active_at_since", "1"],
        ["email_address_query", "scale"],
        ["name_query", "family"],
        ["username_query", "handle"],
      ];
      // Filters no fixture user passes, adding the remaining parameters (one each, repeated).
      const excluding: [string, string][] = [
        ["phone_number", "+15555550100"],
        ["web3_wallet", "0x0000000000000000000000000000000000000001"],
        ["provider", "oauth_google"],
        ["provider_user_id", "nobody"],
        ["last_sign_in_at_after", "1"],
        ["last_sign_in_at_before", "9999999999999"],
      ];
      // The three search parameters above are 3 terms; `query` brings the other 7 (the most: 10).
      const matching = "scale.test u _ 0 1 pe @s";
      // Titlecase digraphs have three case forms each (ǅ ǆ Ǆ): 6 terms × 9 spellings > 40.
      const spellingHeavy = "scale.test ǅǈ ǈǋ ǋǲ ǲǅ ǅǋ ǈǲ";
      for (const order of ["last_name", "-username", "-created_at", "created_at"]) {
        expect(await listIds([...filters, ["query", matching], ["order_by", order]]), order).toEqual(["user_scale000001"]);
        expect(await listIds([...filters, ...excluding, ["query", matching], ["order_by", order]]), order).toEqual([]);
        expect(await listIds([...filters, ["query", spellingHeavy], ["order_by", order]]), order).toEqual([]);
        expect(await countOf([...filters, ["query", matching]]), order).toBe(1);
      }
    }, 60_000);
  });

  it("finds every match of a search made only of short terms, the oldest users too", async () => {
    // Every handle has a 0: all users match, newest first and oldest last.
    const newest = `user_scale${String(USERS).padStart(6, "0")}`;
    expect(
      await listIds([
        ["username_query", "0"],
        ["limit", "1"],
      ]),
    ).toEqual([newest]);
    expect(
      await listIds([
        ["username_query", "0"],
        ["limit", "1"],
        ["offset", String(USERS - 1)],
      ]),
    ).toEqual(["user_scale000001"]);
    expect(await countOf([["username_query", "0"]])).toBe(USERS);
    expect(await countOf([["username_query", "handle"]])).toBe(USERS);
    // A selective short search: documents are tested by substring, about one row read each.
    const rare = await measure({ name_query: "F0" });
    expect(rare.plan).toBe("created_at");
    expect(rare.rowsRead).toBeLessThanOrEqual(3 * USERS + 50);
  });
});
