/**
 * Dashboard sign-in attempts are rate limited per client IP (README, Configuration:
 * DASHBOARD_SIGN_IN_RATE_LIMIT per DASHBOARD_SIGN_IN_RATE_WINDOW_SECONDS, default 10 per 60 s),
 * with the real RateLimiter Durable Object and a frozen clock.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { expectError, SECRET_KEY } from "../helpers";
import { freshIp, postSession } from "./dashboard-helpers";

let hour = 0;
let t0 = 0;
beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  hour += 1;
  t0 = Date.UTC(2032, 0, 1, hour);
  vi.setSystemTime(t0);
});
afterEach(() => {
  vi.useRealTimers();
});

describe("dashboard sign-in rate limit", () => {
  it("the 11th attempt in a minute → 429 with a Retry-After that is exactly the wait, wrong and right keys alike", async () => {
    const ip = freshIp();
    // Ten attempts, one per second; wrong ones count as much as right ones.
    for (let i = 0; i < 10; i++) {
      vi.setSystemTime(t0 + i * 1000);
      const result = await postSession({ secret_key: i % 2 ? SECRET_KEY : `sk_test_guess_${i}` }, { ip });
      expect(result.status).toBe(i % 2 ? 200 : 401);
    }
    vi.setSystemTime(t0 + 12_500);
    const refused = await postSession({ secret_key: SECRET_KEY }, { ip });
    const error = expectError(refused, 429, "too_many_requests");
    // The oldest attempt (t0) leaves the window at t0 + 60 s: 47.5 s from now, rounded up.
    expect(refused.headers.get("retry-after")).toBe("48");
    expect(error.long_message).toBe("Too many sign-in attempts. Try again in 48 seconds.");
    expect(refused.headers.get("set-cookie")).toBeNull();
    // A right key is refused too while the limit holds (the key is not even compared).
    vi.setSystemTime(t0 + 60_000 - 1);
    expectError(await postSession({ secret_key: SECRET_KEY }, { ip }), 429, "too_many_requests");
    // Retry-After was truthful: at t0 + 60 s one slot is free again, and only one.
    vi.setSystemTime(t0 + 60_000);
    expect((await postSession({ secret_key: SECRET_KEY }, { ip })).status).toBe(200);
    const next = await postSession({ secret_key: SECRET_KEY }, { ip });
    expect(next.status).toBe(429);
    expect(next.headers.get("retry-after")).toBe("1");
  });

  it("is per client IP: another IP still signs in while one is limited", async () => {
    const noisy = freshIp();
    for (let i = 0; i < 10; i++) expect((await postSession({ secret_key: "sk_test_nope" }, { ip: noisy })).status).toBe(401);
    expectError(await postSession({ secret_key: SECRET_KEY }, { ip: noisy }), 429, "too_many_requests");
    expect((await postSession({ secret_key: SECRET_KEY }, { ip: freshIp() })).status).toBe(200);
  });

  it("20 simultaneous attempts from one IP → exactly 10 answered and 10 refused", async () => {
    const ip = freshIp();
    const results = await Promise.all(Array.from({ length: 20 }, () => postSession({ secret_key: "sk_test_parallel_guess" }, { ip })));
    expect(results.filter((r) => r.status === 401)).toHaveLength(10);
    expect(results.filter((r) => r.status === 429)).toHaveLength(10);
  });

  it("the limit and window are configurable", async () => {
    const ip = freshIp();
    const vars = { DASHBOARD_SIGN_IN_RATE_LIMIT: "2", DASHBOARD_SIGN_IN_RATE_WINDOW_SECONDS: "5" };
    expect((await postSession({ secret_key: "x" }, { ip, vars })).status).toBe(401);
    expect((await postSession({ secret_key: "x" }, { ip, vars })).status).toBe(401);
    const refused = await postSession({ secret_key: SECRET_KEY }, { ip, vars });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("5");
    vi.setSystemTime(t0 + 5000);
    expect((await postSession({ secret_key: SECRET_KEY }, { ip, vars })).status).toBe(200);
  });

  it("a cross-site attempt uses up no attempts", async () => {
    const ip = freshIp();
    for (let i = 0; i < 15; i++) {
      expect((await postSession({ secret_key: "x" }, { ip, headers: { "Sec-Fetch-Site": "cross-site" } })).status).toBe(403);
    }
    expect((await postSession({ secret_key: SECRET_KEY }, { ip })).status).toBe(200);
  });
});
