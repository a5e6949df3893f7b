import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decide, decideUnits, type RateLimitRule, type RateLimitState, type UnitHit } from "../../workers/rate-limit/decide";

const RULE: RateLimitRule = { limit: 3, windowMs: 10_000 };

/** Runs requests at the given times through decide, threading the state. */
function run(times: number[], rule = RULE, state: RateLimitState = { hits: [] }) {
  const outcomes = [];
  for (const now of times) {
    const decision = decide(state, rule, now);
    state = decision.state;
    outcomes.push(decision);
  }
  return { outcomes, state };
}

describe("decide (sliding log, fake clock)", () => {
  it("admits up to the limit, counting remaining down, then refuses", () => {
    const { outcomes } = run([0, 1, 2, 3]);
    expect(outcomes.map((o) => o.allowed)).toEqual([true, true, true, false]);
    expect(outcomes.map((o) => o.remaining)).toEqual([2, 1, 0, 0]);
    expect(outcomes[3].retryAfterSeconds).toBe(10);
  });

  it("gives a Retry-After after which a retry is admitted, and not a second earlier", () => {
    const { outcomes, state } = run([0, 2_000, 4_000, 7_000]);
    const refused = outcomes[3];
    expect(refused.allowed).toBe(false);
    // The oldest hit (t=0) leaves the window at 10 000: 3 s after t=7 000.
    expect(refused.retryAfterSeconds).toBe(3);
    expect(decide(state, RULE, 9_999).allowed).toBe(false);
    expect(decide(state, RULE, 7_000 + refused.retryAfterSeconds * 1000).allowed).toBe(true);
  });

  it("rounds Retry-After up to whole seconds and never below 1", () => {
    const { state } = run([500, 600, 700]);
    expect(decide(state, RULE, 1_000).retryAfterSeconds).toBe(10); // frees at 10 500 → 9.5 s → 10
    expect(decide(state, RULE, 10_499).retryAfterSeconds).toBe(1); // 1 ms left → 1 s
    expect(decide(state, RULE, 10_500).allowed).toBe(true);
  });

  it("slides: a hit frees its slot exactly windowMs after it was admitted", () => {
    const { state } = run([0, 5_000, 6_000]);
    expect(decide(state, RULE, 9_999).allowed).toBe(false);
    const at10 = decide(state, RULE, 10_000);
    expect(at10.allowed).toBe(true);
    expect(at10.state.hits).toEqual([5_000, 6_000, 10_000]);
    expect(at10.expiredThrough).toBe(0);
    // Still full until the 5 000 hit expires.
    expect(decide(at10.state, RULE, 14_999).allowed).toBe(false);
  });

  it("refuses do not consume: the log only grows on admission", () => {
    const { outcomes, state } = run([0, 0, 0, 1, 2, 3]);
    expect(outcomes.filter((o) => o.allowed)).toHaveLength(3);
    expect(state.hits).toEqual([0, 0, 0]);
  });

  it("honours a lowered limit: only the newest `limit` hits decide", () => {
    const state = { hits: [0, 1_000, 2_000, 3_000, 4_000] };
    const decision = decide(state, { limit: 2, windowMs: 10_000 }, 5_000);
    expect(decision.allowed).toBe(false);
    // The 2nd newest hit (3 000) must leave the window: 13 000 - 5 000 = 8 s.
    expect(decision.retryAfterSeconds).toBe(8);
    expect(decision.state.hits).toEqual([3_000, 4_000]);
  });

  it("keeps the log sorted when a clock steps backwards", () => {
    const { state } = run([5_000, 4_000], { limit: 5, windowMs: 10_000 });
    expect(state.hits).toEqual([4_000, 5_000]);
  });

  it("property: never more than `limit` admissions in any window, and every Retry-After is exact to the second", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.integer({ min: 0, max: 4_000 }), { maxLength: 60 }),
        (limit, windowSeconds, gaps) => {
          const rule = { limit, windowMs: windowSeconds * 1000 };
          let now = 0;
          let state: RateLimitState = { hits: [] };
          const admitted: number[] = [];
          for (const gap of gaps) {
            now += gap;
            const decision = decide(state, rule, now);
            if (decision.allowed) {
              admitted.push(now);
            } else {
              const retryAt = now + decision.retryAfterSeconds * 1000;
              expect(decision.retryAfterSeconds).toBeGreaterThanOrEqual(1);
              expect(decide(decision.state, rule, retryAt).allowed).toBe(true);
              if (decision.retryAfterSeconds > 1) expect(decide(decision.state, rule, retryAt - 1000).allowed).toBe(false);
            }
            state = decision.state;
          }
          for (const t of admitted) {
            expect(admitted.filter((u) => u >= t && u < t + rule.windowMs).length).toBeLessThanOrEqual(limit);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("decideUnits (a budget of units per sliding window, fake clock)", () => {
  const BUDGET: RateLimitRule = { limit: 100, windowMs: 10_000 };

  /** Requests of `units` at `at`, threading the log as the Durable Object does. */
  function runUnits(requests: [at: number, units: number][], rule = BUDGET) {
    let log: UnitHit[] = [];
    const outcomes = requests.map(([at, units]) => {
      const decision = decideUnits(log, units, rule, at);
      log = log.filter((h) => h.at > decision.expiredThrough);
      if (decision.allowed) log.push({ at, units });
      return decision;
    });
    return { outcomes, log };
  }

  it("admits batches while their units fit, counting remaining units down", () => {
    const { outcomes } = runUnits([
      [0, 60],
      [1_000, 30],
      [2_000, 10],
      [3_000, 1],
    ]);
    expect(outcomes.map((o) => o.allowed)).toEqual([true, true, true, false]);
    expect(outcomes.map((o) => o.remaining)).toEqual([40, 10, 0, 0]);
  });

  it("refuses a batch whole with the time until enough units have left", () => {
    const { outcomes, log } = runUnits([
      [0, 60],
      [3_000, 30],
      [4_000, 50],
    ]);
    const refused = outcomes[2];
    expect(refused.allowed).toBe(false);
    expect(refused.remaining).toBe(10);
    // 90 + 50 > 100: the 60 of t=0 must leave (at 10 000), 6 s after t=4 000; the 30 alone would not do.
    expect(refused.retryAfterSeconds).toBe(6);
    expect(refused.retryAfterMs).toBe(6_000);
    expect(decideUnits(log, 50, BUDGET, 9_999).allowed).toBe(false);
    expect(decideUnits(log, 50, BUDGET, 10_000).allowed).toBe(true);
    // The 10 units left are still there for a smaller batch.
    expect(decideUnits(log, 10, BUDGET, 4_000).allowed).toBe(true);
  });

  it("walks past several hits when one leaving is not enough", () => {
    const { log } = runUnits([
      [0, 20],
      [1_000, 20],
      [2_000, 20],
      [3_000, 40],
    ]);
    // 100 used; 55 units need 55 freed: 20 + 20 + 20 = 60 after the hit at 2 000 leaves (12 000).
    expect(decideUnits(log, 55, BUDGET, 5_000).retryAfterSeconds).toBe(7);
    expect(decideUnits(log, 20, BUDGET, 5_000).retryAfterSeconds).toBe(5);
    // Between whole seconds the exact wait is in milliseconds; the seconds round it up.
    expect(decideUnits(log, 55, BUDGET, 5_250)).toMatchObject({ retryAfterMs: 6_750, retryAfterSeconds: 7 });
    expect(decideUnits(log, 55, BUDGET, 11_999)).toMatchObject({ retryAfterMs: 1, retryAfterSeconds: 1 });
  });

  it("never admits more units than the budget, and says so with no Retry-After", () => {
    const decision = decideUnits([], 101, BUDGET, 0);
    expect(decision).toMatchObject({ allowed: false, retryAfterSeconds: 0, retryAfterMs: 0, remaining: 100 });
  });

  it("property: never more than `limit` units admitted in any window, and every Retry-After is exact to the second and to the millisecond", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 4_000 }), fc.integer({ min: 1, max: 50 })), { maxLength: 60 }),
        (limit, windowSeconds, requests) => {
          const rule = { limit, windowMs: windowSeconds * 1000 };
          let now = 0;
          let log: UnitHit[] = [];
          const admitted: UnitHit[] = [];
          for (const [gap, units] of requests) {
            now += gap;
            const decision = decideUnits(log, units, rule, now);
            if (decision.allowed) {
              admitted.push({ at: now, units });
              log = [...log.filter((h) => h.at > decision.expiredThrough), { at: now, units }];
            } else if (units <= limit) {
              const retryAt = now + decision.retryAfterSeconds * 1000;
              expect(decision.retryAfterSeconds).toBeGreaterThanOrEqual(1);
              expect(decideUnits(log, units, rule, retryAt).allowed).toBe(true);
              if (decision.retryAfterSeconds > 1) expect(decideUnits(log, units, rule, retryAt - 1000).allowed).toBe(false);
              expect(decision.retryAfterSeconds).toBe(Math.ceil(decision.retryAfterMs / 1000));
              expect(decideUnits(log, units, rule, now + decision.retryAfterMs).allowed).toBe(true);
              expect(decideUnits(log, units, rule, now + decision.retryAfterMs - 1).allowed).toBe(false);
            } else {
              expect(decision.retryAfterSeconds).toBe(0);
            }
          }
          for (const t of admitted) {
            const inWindow = admitted.filter((u) => u.at >= t.at && u.at < t.at + rule.windowMs);
            expect(inWindow.reduce((sum, u) => sum + u.units, 0)).toBeLessThanOrEqual(limit);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
