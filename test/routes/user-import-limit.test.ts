/**
 * The import budget at route level (USER_IMPORT_RATE_LIMIT users per
 * USER_CREATE_RATE_WINDOW_SECONDS, in the rate limiter's Durable Object), with a frozen clock.
 * The file's config sets a huge budget so other files never meet it; these requests run the
 * Worker's own fetch with the real bindings and a budget of 100 users per 10 s.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { call, expectError, unique } from "../helpers";
import { importUsers } from "../import-helpers";
import { dbTiming } from "../perf-helpers";

const BUDGET_100 = { USER_IMPORT_RATE_LIMIT: "100", USER_CREATE_RATE_WINDOW_SECONDS: "10" };
const batch = (n: number) => Array.from({ length: n }, () => ({ email_address: [`${unique("budget")}@example.com`] }));
const importWithBudget = (n: number) => call("POST", "/v1/users/import", { users: batch(n) }, { vars: BUDGET_100 });
const userCount = async () => (await call("GET", "/v1/users/count", undefined, { schema: "TotalCount" })).body.total_count as number;

// Each test starts at its own hour, so the windows of earlier tests are long gone.
let hour = 0;
beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  hour += 1;
  vi.setSystemTime(Date.UTC(2030, 5, 1, hour));
});
afterEach(() => {
  vi.useRealTimers();
});

describe("the import budget", () => {
  it("admits batches while their users fit, with X-RateLimit headers counting users", async () => {
    const first = await importUsers(batch(60), { vars: BUDGET_100 });
    expect(first.response.headers.get("x-ratelimit-limit")).toBe("100");
    expect(first.response.headers.get("x-ratelimit-remaining")).toBe("40");
    const second = await importUsers(batch(40), { vars: BUDGET_100 });
    expect(second.response.headers.get("x-ratelimit-remaining")).toBe("0");
  });

  it("refuses a batch that would exceed it whole, 429 with a truthful Retry-After, doing no database work", async () => {
    const start = Date.now();
    expect((await importWithBudget(60)).status).toBe(200);
    vi.setSystemTime(start + 3_000);
    expect((await importWithBudget(30)).status).toBe(200);
    vi.setSystemTime(start + 4_000);
    const before = await userCount();
    const refused = await importWithBudget(50);
    const error = expectError(refused, 429, "too_many_requests");
    expect(error).toMatchObject({ message: "Too many requests", long_message: "Too many requests, retry later" });
    // 90 used + 50 > 100: the 60 of `start` must leave the window (start + 10 s), 6 s from now.
    expect(refused.headers.get("retry-after")).toBe("6");
    expect(refused.headers.get("retry-after-ms")).toBe("6000");
    expect(refused.headers.get("x-ratelimit-limit")).toBe("100");
    expect(refused.headers.get("x-ratelimit-remaining")).toBe("10");
    expect(dbTiming(refused).queries).toBe(0);
    expect(await userCount()).toBe(before);

    vi.setSystemTime(start + 9_999);
    const oneMsEarly = await importWithBudget(50);
    expectError(oneMsEarly, 429, "too_many_requests");
    expect(oneMsEarly.headers.get("retry-after")).toBe("1");
    expect(oneMsEarly.headers.get("retry-after-ms")).toBe("1");
    vi.setSystemTime(start + 10_000);
    const admitted = await importUsers(batch(50), { vars: BUDGET_100 });
    expect(admitted.every((r) => r.status === "created")).toBe(true);
    // The 30 of start + 3 s and these 50 are in the window.
    expect(admitted.response.headers.get("x-ratelimit-remaining")).toBe("20");
  });

  it("counts every user of an admitted batch, also those that fail or exist", async () => {
    const results = await importUsers([{ email_address: ["bad"] }, ...batch(9)], { vars: BUDGET_100 });
    expect(results[0].status).toBe("failed");
    expect(results.response.headers.get("x-ratelimit-remaining")).toBe("90");
  });

  it("answers 422 for a batch larger than the whole budget: it could never be admitted", async () => {
    const tooLarge = await importWithBudget(101);
    const error = expectError(tooLarge, 422, "form_param_array_size_exceeded", "users");
    expect(error.long_message).toContain("USER_IMPORT_RATE_LIMIT");
    expect(error.long_message).toContain("100 users per 10 seconds");
    expect(tooLarge.headers.get("retry-after")).toBeNull();
    expect(dbTiming(tooLarge).queries).toBe(0);
    // It took nothing from the budget.
    expect((await importWithBudget(100)).status).toBe(200);
  });

  it("defaults to 10,000 users per window", async () => {
    const vars = { USER_CREATE_RATE_WINDOW_SECONDS: "10", USER_IMPORT_RATE_LIMIT: "" };
    const result = await importUsers(batch(1), { vars });
    expect(result.response.headers.get("x-ratelimit-limit")).toBe("10000");
  });
});
