import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { call, SECRET_KEY, unique } from "../helpers";

/**
 * The create-user limit at route level. The file's config sets a huge limit so other files never
 * meet it; here the Worker's own fetch handler is called with the real bindings (D1, R2, the
 * Durable Object) and the deployment's default limit of 20 per 10 s.
 */
const LIMIT_20 = { USER_CREATE_RATE_LIMIT: "20", USER_CREATE_RATE_WINDOW_SECONDS: "10" };

function createWithLimit(body: unknown, key = SECRET_KEY) {
  const options = { vars: LIMIT_20, headers: { Authorization: `Bearer ${key}` } };
  return typeof body === "string"
    ? call("POST", "/v1/users", undefined, { ...options, rawBody: body })
    : call("POST", "/v1/users", body, { ...options, schema: "User" });
}

async function userCount(): Promise<number> {
  return (await call("GET", "/v1/users/count", undefined, { schema: "TotalCount" })).body.total_count;
}

// Each test starts at its own hour so windows of earlier tests are long gone.
let hour = 0;
beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  hour += 1;
  vi.setSystemTime(Date.UTC(2030, 0, 1, hour));
});
afterEach(() => {
  vi.useRealTimers();
});

describe("POST /v1/users rate limit", () => {
  it("carries X-RateLimit-Limit and X-RateLimit-Remaining on every response of the route", async () => {
    const first = await createWithLimit({ username: unique("rl") });
    expect(first.status).toBe(200);
    expect(first.headers.get("x-ratelimit-limit")).toBe("20");
    expect(first.headers.get("x-ratelimit-remaining")).toBe("19");
    // A validation error counts too and carries the headers.
    const invalid = await createWithLimit({ email_address: ["not-an-email"] });
    expect(invalid.status).toBe(422);
    expect(invalid.headers.get("x-ratelimit-limit")).toBe("20");
    expect(invalid.headers.get("x-ratelimit-remaining")).toBe("18");
    // The configured (test) limit through the normal entry point.
    const viaSelf = await call("POST", "/v1/users", { username: unique("rl") }, { schema: "User" });
    expect(viaSelf.headers.get("x-ratelimit-limit")).toBe("100000");
    expect(viaSelf.headers.get("x-ratelimit-remaining")).not.toBeNull();
  });

  it("40 simultaneous creates in one window → exactly 20 succeed and 20 get 429 too_many_requests", async () => {
    const before = await userCount();
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => createWithLimit({ username: unique(`burst${i}x`) })));
    const ok = results.filter((r) => r.status === 200);
    const limited = results.filter((r) => r.status === 429);
    expect(ok).toHaveLength(20);
    expect(limited).toHaveLength(20);
    for (const r of limited) {
      expect(r.body.errors[0]).toMatchObject({
        code: "too_many_requests",
        message: "Too many requests",
        long_message: "Too many requests, retry later",
      });
      expect(r.headers.get("retry-after")).toBe("10");
      expect(r.headers.get("x-ratelimit-remaining")).toBe("0");
      expect(r.headers.get("x-ratelimit-limit")).toBe("20");
    }
    expect(ok.map((r) => Number(r.headers.get("x-ratelimit-remaining"))).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(await userCount()).toBe(before + 20);
  });

  it("a refused request does no database work: it is not parsed and nothing is written", async () => {
    for (let i = 0; i < 20; i++) expect((await createWithLimit({ username: unique("fill") })).status).toBe(200);
    const before = await userCount();
    const username = unique("refused");
    const refused = await createWithLimit({ username });
    expect(refused.status).toBe(429);
    // Malformed JSON would be a 400 if the body were read; the limit answers first.
    expect((await createWithLimit("{not json")).status).toBe(429);
    expect(await userCount()).toBe(before);
    const list = await call("GET", `/v1/users?username=${username}`);
    expect(JSON.stringify(list.body)).not.toContain(username);
  });

  it("gives a truthful Retry-After: refused a second earlier, admitted after exactly that long", async () => {
    const start = Date.now();
    for (let i = 0; i < 20; i++) {
      vi.setSystemTime(start + i * 200); // 20 creates spread over 3.8 s
      expect((await createWithLimit({ username: unique("spread") })).status).toBe(200);
    }
    vi.setSystemTime(start + 4_500);
    const refused = await createWithLimit({ username: unique("spread") });
    expect(refused.status).toBe(429);
    // The first hit (at start) leaves the window at start + 10 000: 5.5 s → 6 s.
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBe(6);
    vi.setSystemTime(start + 4_500 + (retryAfter - 1) * 1000);
    expect((await createWithLimit({ username: unique("spread") })).status).toBe(429);
    vi.setSystemTime(start + 4_500 + retryAfter * 1000);
    const admitted = await createWithLimit({ username: unique("spread") });
    expect(admitted.status).toBe(200);
    // Sliding window: at start + 10 500 the hits at start, +200 and +400 have left; this one took one slot.
    expect(admitted.headers.get("x-ratelimit-remaining")).toBe("2");
  });

  it("is one limit for the deployment, shared by all of its secret keys", async () => {
    for (let i = 0; i < 10; i++) expect((await createWithLimit({ username: unique("keyA") }, "sk_test_primary")).status).toBe(200);
    for (let i = 0; i < 10; i++) expect((await createWithLimit({ username: unique("keyB") }, "sk_test_rotated")).status).toBe(200);
    expect((await createWithLimit({ username: unique("keyA") }, "sk_test_primary")).status).toBe(429);
    expect((await createWithLimit({ username: unique("keyB") }, "sk_test_rotated")).status).toBe(429);
  });

  it("does not count requests that fail authentication", async () => {
    const unauthorized = await createWithLimit({ username: unique("anon") }, "sk_test_wrong");
    expect(unauthorized.status).toBe(401);
    const ok = await createWithLimit({ username: unique("anon") });
    expect(ok.headers.get("x-ratelimit-remaining")).toBe("19");
  });
});
