/**
 * How POST /v1/users/import writes: a bounded number of D1 statements for a full batch, and
 * every user all-or-nothing on its own when a concurrent request takes an id or identifier
 * between the batch's read and its write (the write batch fails whole, then each user is written
 * alone).
 */
import { env } from "cloudflare:test";
import bcrypt from "bcryptjs";
import { describe, expect, it } from "vitest";
import { RFC6238_SECRET } from "../crypto/vectors";
import { call, unique } from "../helpers";
import { failure, importUsers, ksuidUserId, shortUserId } from "../import-helpers";
import { dbTiming } from "../perf-helpers";
import { IMPORT_WRITE_ROWS, MAX_IMPORT_ROWS } from "../../workers/services/user-import";

/** The SQL of a statement prepared through countingD1. */
const sqlOf = new WeakMap<object, string>();

/**
 * env.DB, counting every statement D1 runs (a batch counts each of its statements) and the
 * batches; `beforeBatch` runs before a batch is sent (to slip another request in).
 */
function countingD1(counts: { statements: number; batches: number }, beforeBatch?: (sql: string[]) => Promise<void>): D1Database {
  const real = new WeakMap<object, D1PreparedStatement>();
  const counted = (statement: D1PreparedStatement, sql: string): D1PreparedStatement => {
    const proxy = new Proxy(statement, {
      get(target, property) {
        if (property === "bind") return (...values: unknown[]) => counted(target.bind(...values), sql);
        const value = Reflect.get(target, property, target);
        if (property === "all" || property === "raw" || property === "first" || property === "run") {
          return (...args: unknown[]) => {
            counts.statements += 1;
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        }
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    real.set(proxy, statement);
    sqlOf.set(proxy, sql);
    return proxy;
  };
  return new Proxy(env.DB, {
    get(target, property) {
      if (property === "prepare") return (query: string) => counted(target.prepare(query), query);
      if (property === "batch") {
        return async (statements: D1PreparedStatement[]) => {
          await beforeBatch?.(statements.map((s) => sqlOf.get(s) ?? ""));
          counts.statements += statements.length;
          counts.batches += 1;
          return target.batch(statements.map((s) => real.get(s) ?? s));
        };
      }
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

describe("a full batch", () => {
  it("500 users with several identifiers each: one read, write batches of at most IMPORT_WRITE_ROWS rows, a few dozen statements", async () => {
    const digest = bcrypt.hashSync("imported password", 10);
    const users = Array.from({ length: 500 }, (_, i) => {
      const tag = unique(`full${i}x`);
      const many = i % 4 === 0;
      return {
        id: i % 2 ? ksuidUserId(Date.UTC(2022, 0, 1) + i * 1000) : `user_${tag.replace(/[^A-Za-z0-9]/g, "")}`,
        email_address: many ? [`${tag}a@example.com`, `${tag}b@example.com`, `${tag}c@example.com`] : [`${tag}@example.com`],
        phone_number: many ? [`+1555${String(1000000 + i * 3).padStart(7, "0")}`, `+1555${String(1000001 + i * 3).padStart(7, "0")}`] : [],
        first_name: `First${i}`,
        last_name: `Last${i}`,
        username: `user${tag}`.replace(/[^A-Za-z0-9]/g, ""),
        ...(i % 3 === 0 ? { password_digest: digest, password_hasher: "bcrypt" } : {}),
        ...(i % 10 === 0 ? { totp_secret: RFC6238_SECRET } : {}),
        public_metadata: { n: i },
      };
    });
    const counts = { statements: 0, batches: 0 };
    const results = await importUsers(users, { bindings: { DB: countingD1(counts) } });
    expect(results.filter((r) => r.status !== "created")).toEqual([]);
    const timing = dbTiming(results.response);
    // One read batch, then 500 users + 750 emails + 250 phones = 1,500 rows in write batches of
    // whole users (of 2 or 6 rows), at most IMPORT_WRITE_ROWS rows each, so each batch is at least
    // IMPORT_WRITE_ROWS - 5 rows full except the last.
    const writes = counts.batches - 1;
    expect(writes).toBeGreaterThanOrEqual(Math.ceil(1500 / IMPORT_WRITE_ROWS));
    expect(writes).toBeLessThanOrEqual(Math.ceil(1500 / (IMPORT_WRITE_ROWS - 5)));
    expect(timing.queries).toBe(counts.batches);
    // 9 lookups, then per write batch one INSERT each for users, emails and phones, and the
    // outbox's two (the batch's user.created events, their deliveries; no rows without an endpoint).
    expect(counts.statements).toBeLessThanOrEqual(9 + 5 * writes);
    expect(timing.rowsWritten / users.length).toBeLessThan(60);
    // Every user, identification and search document is there.
    const stored = await env.DB.prepare(
      "select (select count(*) from users where id in (select value from json_each(?1))) as users, (select count(*) from email_addresses e join json_each(?1) j on j.value = e.user_id) as emails, (select count(*) from user_search_documents d join json_each(?1) j on j.value = d.user_id) as docs",
    )
      .bind(JSON.stringify(users.map((u) => u.id)))
      .first();
    expect(stored).toEqual({ users: 500, emails: 125 * 3 + 375, docs: 500 });
    const one = await call("GET", `/v1/users?query=${encodeURIComponent(users[4].email_address[2])}`, undefined, { schema: ["User"] });
    expect(one.body.map((u: { id: string }) => u.id)).toEqual([users[4].id]);
  }, 60_000);
});

describe("a concurrent write between the batch's read and its write", () => {
  it("fails the batch whole, then writes each user alone: exists, its own error, or created", async () => {
    const victims = [
      { id: shortUserId("race"), email_address: [`${unique("r0")}@example.com`] },
      { id: shortUserId("race"), email_address: [`${unique("r1")}@example.com`] },
      { id: shortUserId("race"), email_address: [`${unique("r2")}@example.com`], email_address_ids: [`idn_${unique("race")}`] },
      { id: shortUserId("race"), email_address: [`${unique("r3")}@example.com`], phone_number: ["+15559990001"] },
    ];
    let injected = false;
    const counts = { statements: 0, batches: 0 };
    const db = countingD1(counts, async (statements) => {
      if (injected || !statements.some((sql) => sql.startsWith('insert into "users"'))) return;
      injected = true;
      // Another request takes user 0's id, user 1's email and user 2's identification id.
      const other = await importUsers([
        { id: victims[0].id, first_name: "the other request" },
        { email_address: victims[1].email_address },
        { email_address: [`${unique("other")}@example.com`], email_address_ids: victims[2].email_address_ids },
      ]);
      expect(other.map((r) => r.status)).toEqual(["created", "created", "created"]);
    });
    const results = await importUsers(victims, { bindings: { DB: db } });
    expect(injected).toBe(true);
    expect(results[0]).toEqual({ index: 0, id: victims[0].id, status: "exists" });
    expect(failure(results[1])).toEqual({ code: "form_identifier_exists", param: "email_address" });
    expect(results[1].id).toBe(victims[1].id);
    expect(failure(results[2])).toEqual({ code: "form_identifier_exists", param: "email_address_ids" });
    expect(results[3]).toEqual({ index: 3, id: victims[3].id, status: "created" });
    // The read, the failed batch, then one batch per user.
    expect(dbTiming(results.response).queries).toBe(2 + victims.length);
    // Nothing of the failed users was written; the other request's user 0 is untouched.
    for (const v of victims.slice(1, 3)) expect((await call("GET", `/v1/users/${v.id}`)).status).toBe(404);
    const zero = await call("GET", `/v1/users/${victims[0].id}`, undefined, { schema: "User" });
    expect(zero.body.first_name).toBe("the other request");
    expect(zero.body.email_addresses).toEqual([]);
    const three = await call("GET", `/v1/users/${victims[3].id}`, undefined, { schema: "User" });
    expect(three.body.phone_numbers.map((p: { phone_number: string }) => p.phone_number)).toEqual(["+15559990001"]);
  });

  it("two imports of the same user at once: exactly one creates it, the other answers exists, never a 500 (60 trials)", async () => {
    let raced = 0;
    for (let trial = 0; trial < 60; trial++) {
      const record = {
        id: shortUserId("twice"),
        email_address: [`${unique("twice")}@example.com`],
        phone_number: [`+1444${String(trial).padStart(7, "0")}`],
      };
      const [a, b] = await Promise.all([importUsers([record]), importUsers([record])]);
      const statuses = [a[0].status, b[0].status].sort();
      expect(statuses, JSON.stringify([a, b])).toEqual(["created", "exists"]);
      // Went through the fallback: both read before either wrote.
      if (Math.max(dbTiming(a.response).queries, dbTiming(b.response).queries) > 2) raced += 1;
      const rows = await env.DB.prepare(
        "select (select count(*) from users where id = ?1) as users, (select count(*) from email_addresses where user_id = ?1) as emails, (select count(*) from phone_numbers where user_id = ?1) as phones",
      )
        .bind(record.id)
        .first();
      expect(rows).toEqual({ users: 1, emails: 1, phones: 1 });
    }
    expect(raced).toBeGreaterThan(0);
  }, 60_000);

  it("two different users with the same email at once: exactly one is created, the other fails (60 trials)", async () => {
    for (let trial = 0; trial < 60; trial++) {
      const address = `${unique("same")}@example.com`;
      const [a, b] = await Promise.all([
        importUsers([{ id: shortUserId("one"), email_address: [address] }]),
        importUsers([{ id: shortUserId("two"), email_address: [address.toUpperCase()] }]),
      ]);
      const outcomes = [a[0], b[0]].sort((x, y) => x.status.localeCompare(y.status));
      expect(outcomes[0].status).toBe("created");
      expect(failure(outcomes[1])).toEqual({ code: "form_identifier_exists", param: "email_address" });
      const owners = await env.DB.prepare("select count(*) as n from email_addresses where email_address_normalized = ?").bind(address).first();
      expect(owners).toEqual({ n: 1 });
    }
  }, 60_000);
});

describe("the statement bound for heavy users", () => {
  // Users of 51 rows each (1 + 13 emails + 13 phones + 12 wallets + 12 backup codes, all within
  // create's limits) never share a write batch (2 × 51 > IMPORT_WRITE_ROWS), so each is a D1 call
  // of 5 INSERTs: 200 of them made 1,009 statements before requests were capped at
  // MAX_IMPORT_ROWS rows (found by review).
  const heavyUsers = (count: number, prefix: string) =>
    Array.from({ length: count }, (_, i) => {
      const tag = unique(`${prefix}${i}x`).replace(/[^A-Za-z0-9]/g, "");
      return {
        id: `user_${tag}`,
        email_address: Array.from({ length: 13 }, (_, k) => `${tag}e${k}@example.com`),
        phone_number: Array.from({ length: 13 }, (_, k) => `+1${prefix === "cap" ? 666 : 667}${String(i * 13 + k).padStart(7, "0")}`),
        web3_wallet: Array.from(
          { length: 12 },
          () => `0x${Array.from(crypto.getRandomValues(new Uint8Array(20)), (b) => b.toString(16).padStart(2, "0")).join("")}`,
        ),
        backup_codes: Array.from({ length: 12 }, (_, k) => `code-${i}-${k}`),
      };
    });

  it("a request of more than MAX_IMPORT_ROWS rows is refused whole with 422 form_param_array_size_exceeded on users, writing nothing", async () => {
    const users = heavyUsers(200, "over");
    expect(200 * 51).toBeGreaterThan(MAX_IMPORT_ROWS);
    const counts = { statements: 0, batches: 0 };
    const response = await call("POST", "/v1/users/import", { users }, { bindings: { DB: countingD1(counts) } });
    expect(response.status).toBe(422);
    expect(response.body.errors[0]).toMatchObject({ code: "form_param_array_size_exceeded", meta: { param_name: "users" } });
    expect(counts.batches).toBe(0);
    expect((await call("GET", `/v1/users/${users[0].id}`)).status).toBe(404);
  });

  it("a request at the cap (98 users of 51 rows) is all created in well under 1,000 statements", async () => {
    const users = heavyUsers(98, "cap");
    expect(98 * 51).toBeLessThanOrEqual(MAX_IMPORT_ROWS);
    const counts = { statements: 0, batches: 0 };
    const results = await importUsers(users, { bindings: { DB: countingD1(counts) } });
    expect(results.filter((r) => r.status !== "created")).toEqual([]);
    // 9 lookups, then one write batch per user (2 × 51 > IMPORT_WRITE_ROWS) of 5 INSERTs and the
    // outbox's 2 statements: 9 + 98 × 7 = 695, the most any request of MAX_IMPORT_ROWS rows makes.
    expect(counts.statements).toBeLessThanOrEqual(9 + 98 * 7);
  }, 60_000);
});
