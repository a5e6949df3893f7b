/**
 * Searches in created_at order stop early by walking FTS rowids, which follow created_at in
 * buckets of one millisecond (migrations/0002_search_created_at_order.sql). These tests check
 * that the order is still exactly (created_at, id) wherever that shortcut could go wrong: users
 * created out of order, many users in one millisecond (ties broken by id), dates outside the
 * clamped range, created_at changed after creation, and paging by offset and starting_after.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { call, createUser } from "../helpers";

const TERM = "orderprobe";
const SAME_MS = "2024-03-01T12:00:00.123Z";

interface Created {
  id: string;
  createdAt: number;
}

const users: Created[] = [];

/** Every user matching TERM in the API's (created_at, id) order. */
function expected(descending: boolean): string[] {
  const sorted = [...users].sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map((u) => u.id);
  return descending ? sorted.reverse() : sorted;
}

async function page(params: Record<string, string>): Promise<string[]> {
  const result = await call("GET", `/v1/users?${new URLSearchParams({ query: TERM, ...params })}`, undefined, { schema: ["User"] });
  expect(result.status, JSON.stringify(result.body)).toBe(200);
  return result.body.map((u: { id: string }) => u.id);
}

/** All matches, read page by page with offset or with starting_after. */
async function pageThrough(orderBy: string, limit: number, by: "offset" | "starting_after"): Promise<string[]> {
  const seen: string[] = [];
  for (;;) {
    const params: Record<string, string> = { order_by: orderBy, limit: String(limit) };
    if (by === "offset") params.offset = String(seen.length);
    else if (seen.length > 0) params.starting_after = seen[seen.length - 1];
    const ids = await page(params);
    seen.push(...ids);
    if (ids.length < limit) return seen;
  }
}

async function add(createdAt: string | undefined, n: number): Promise<void> {
  const user = await createUser({ first_name: `${TERM}${n}`, ...(createdAt ? { created_at: createdAt } : {}) });
  users.push({ id: user.id, createdAt: user.created_at });
}

beforeAll(async () => {
  // Out of creation order on purpose: newest first, then older ones, then a crowd in one
  // millisecond interleaved with users around it, then dates before 1970 and after 2248
  // (outside the clamp, so they share the edge buckets).
  let n = 0;
  for (const at of ["2025-06-01T00:00:00Z", "2021-01-01T00:00:00Z", undefined, "2023-05-05T05:05:05.005Z"]) await add(at, n++);
  for (let i = 0; i < 12; i++) {
    await add(SAME_MS, n++);
    if (i % 4 === 0) await add(i % 8 === 0 ? "2024-03-01T12:00:00.122Z" : "2024-03-01T12:00:00.124Z", n++);
  }
  for (const at of ["1960-02-29T00:00:00Z", "0001-01-01T00:00:00Z", "1969-12-31T23:59:59.999Z", "2300-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z"]) {
    await add(at, n++);
  }
  // Unrelated users so the search is selective.
  for (let i = 0; i < 5; i++) await createUser({ first_name: `someone${i}` });
});

describe("search in created_at order", () => {
  it("returns every match in exactly (created_at, id) order, both directions", async () => {
    expect(await page({ limit: "500" })).toEqual(expected(true));
    expect(await page({ limit: "500", order_by: "-created_at" })).toEqual(expected(true));
    expect(await page({ limit: "500", order_by: "created_at" })).toEqual(expected(false));
    expect(await page({ limit: "500", order_by: "+created_at" })).toEqual(expected(false));
  });

  it("pages with offset and with starting_after across the crowded millisecond and the clamped dates", async () => {
    for (const limit of [1, 3, 7]) {
      for (const [orderBy, descending] of [
        ["-created_at", true],
        ["created_at", false],
      ] as const) {
        expect(await pageThrough(orderBy, limit, "offset"), `${orderBy} limit ${limit} by offset`).toEqual(expected(descending));
        expect(await pageThrough(orderBy, limit, "starting_after"), `${orderBy} limit ${limit} by cursor`).toEqual(expected(descending));
      }
    }
  }, 60_000);

  it("returns nothing past the last match and a partial last page", async () => {
    const all = expected(true);
    expect(await page({ limit: "10", offset: String(all.length) })).toEqual([]);
    expect(await page({ limit: "10", offset: String(all.length - 3) })).toEqual(all.slice(-3));
  });

  it("agrees with the same list filtered by user_id instead of searched", async () => {
    const ids = users.map((u) => u.id);
    const byId = await call("GET", `/v1/users?${new URLSearchParams([...ids.map((id) => ["user_id", id]), ["limit", "500"]])}`);
    expect(byId.body.map((u: { id: string }) => u.id)).toEqual(await page({ limit: "500" }));
  });

  it("follows a created_at changed after creation, and keeps the index consistent", async () => {
    const moved = users[0];
    const patched = await call("PATCH", `/v1/users/${moved.id}`, { created_at: SAME_MS });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    moved.createdAt = patched.body.created_at;
    expect(await page({ limit: "500", order_by: "created_at" })).toEqual(expected(false));
    expect(await pageThrough("-created_at", 4, "offset")).toEqual(expected(true));

    const again = await call("PATCH", `/v1/users/${moved.id}`, { created_at: "2019-01-01T00:00:00Z" });
    expect(again.status).toBe(200);
    moved.createdAt = again.body.created_at;
    expect(await pageThrough("created_at", 3, "starting_after")).toEqual(expected(false));

    // Each document sits in the bucket of its user's created_at (clamped), and FTS agrees.
    const misplaced = await env.DB.prepare(
      `select count(*) as n from user_search_documents d join users u on u.id = d.user_id
       where d.doc_id >> 20 <> max(0, min(u.created_at, 8796093022207))`,
    ).first<{ n: number }>();
    expect(misplaced?.n).toBe(0);
    await env.DB.prepare("insert into user_search(user_search, rank) values ('integrity-check', 1)").run();
  });

  it("counts the same matches it lists", async () => {
    const count = await call("GET", `/v1/users/count?query=${TERM}`);
    expect(count.body.total_count).toBe(users.length);
    const banned = await call("GET", `/v1/users/count?query=${TERM}&banned=false`);
    expect(banned.body.total_count).toBe(users.length);
  });
});
