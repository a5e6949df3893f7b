import { abortAllDurableObjects, env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { RateLimiter } from "../../workers/rate-limit/rate-limiter";

// Each test uses its own object name so the tests in this file do not share a log.
const limiter = (name: string) => env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(name));

/** Runs `fn` inside the object (typed: the pool's generic does not infer the class from the stub). */
function inside<R>(stub: ReturnType<typeof limiter>, fn: (instance: RateLimiter, state: DurableObjectState) => R): Promise<R> {
  return runInDurableObject(stub, (instance, state) => fn(instance as unknown as RateLimiter, state));
}

describe("RateLimiter Durable Object", () => {
  it("admits `limit` requests per window and refuses the rest with a truthful Retry-After", async () => {
    const stub = limiter("object-basic");
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await stub.consume(1_000_000 + i * 1000, 3, 10));
    expect(results.map((r) => r.allowed)).toEqual([true, true, true, false]);
    expect(results.map((r) => r.remaining)).toEqual([2, 1, 0, 0]);
    expect(results[3]).toMatchObject({ limit: 3, retryAfterSeconds: 7 });
    expect((await stub.consume(1_000_000 + 9_999, 3, 10)).allowed).toBe(false);
    expect((await stub.consume(1_000_000 + 10_000, 3, 10)).allowed).toBe(true);
  });

  it("keeps its log in SQLite storage, so an eviction does not reset the window", async () => {
    const stub = limiter("object-evict");
    for (let i = 0; i < 2; i++) expect((await stub.consume(5_000_000 + i, 2, 10)).allowed).toBe(true);
    await abortAllDurableObjects();
    const again = limiter("object-evict");
    const refused = await again.consume(5_000_100, 2, 10);
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterSeconds).toBe(10);
    const stored = await inside(again, (instance, state) => {
      return { viaMethod: instance.storedHits(), rows: state.storage.sql.exec("SELECT at FROM hits ORDER BY at").toArray() };
    });
    expect(stored.viaMethod).toBe(2);
    expect(stored.rows).toEqual([{ at: 5_000_000 }, { at: 5_000_001 }]);
  });

  it("deletes expired hits from storage as time passes", async () => {
    const stub = limiter("object-expire");
    await stub.consume(0, 5, 1);
    await stub.consume(100, 5, 1);
    await stub.consume(5_000, 5, 1);
    const rows = await inside(stub, (_instance, state) =>
      state.storage.sql
        .exec<{ at: number }>("SELECT at FROM hits")
        .toArray()
        .map((r) => r.at),
    );
    expect(rows).toEqual([5_000]);
  });

  it("decides concurrent calls one at a time: 40 at once against a limit of 20 → exactly 20 admitted", async () => {
    const stub = limiter("object-concurrent");
    const results = await Promise.all(Array.from({ length: 40 }, () => stub.consume(9_000_000, 20, 10)));
    expect(results.filter((r) => r.allowed)).toHaveLength(20);
    expect(
      results
        .filter((r) => r.allowed)
        .map((r) => r.remaining)
        .sort((a, b) => a - b),
    ).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(await inside(stub, (instance) => instance.storedHits())).toBe(20);
  });

  it("consumeUnits takes many units at once from a log of its own, never touching the create log", async () => {
    const stub = limiter("object-units");
    expect(await stub.consume(7_000_000, 2, 10)).toMatchObject({ allowed: true, remaining: 1 });
    expect(await stub.consumeUnits(7_000_000, 70, 100, 10)).toMatchObject({ allowed: true, limit: 100, remaining: 30 });
    expect(await stub.consumeUnits(7_001_000, 31, 100, 10)).toMatchObject({ allowed: false, remaining: 30, retryAfterSeconds: 9 });
    expect(await stub.consumeUnits(7_001_000, 30, 100, 10)).toMatchObject({ allowed: true, remaining: 0 });
    // The create log still has its one hit: units are not requests.
    expect(await stub.consume(7_002_000, 2, 10)).toMatchObject({ allowed: true, remaining: 0 });
    const stored = await inside(stub, (instance, state) => ({
      hits: instance.storedHits(),
      units: state.storage.sql.exec("SELECT at, units FROM unit_hits ORDER BY at").toArray(),
    }));
    expect(stored).toEqual({
      hits: 2,
      units: [
        { at: 7_000_000, units: 70 },
        { at: 7_001_000, units: 30 },
      ],
    });
    // Expired unit hits are deleted as time passes.
    expect(await stub.consumeUnits(7_010_500, 10, 100, 10)).toMatchObject({ allowed: true, remaining: 60 });
    const left = await inside(stub, (_instance, state) => state.storage.sql.exec("SELECT at FROM unit_hits ORDER BY at").toArray());
    expect(left).toEqual([{ at: 7_001_000 }, { at: 7_010_500 }]);
  });

  it("consumeUnits decides concurrent calls one at a time: 30 batches of 10 against 100 → exactly 10 admitted", async () => {
    const stub = limiter("object-units-concurrent");
    const results = await Promise.all(Array.from({ length: 30 }, () => stub.consumeUnits(8_000_000, 10, 100, 10)));
    expect(results.filter((r) => r.allowed)).toHaveLength(10);
    expect(
      results
        .filter((r) => r.allowed)
        .map((r) => r.remaining)
        .sort((a, b) => a - b),
    ).toEqual(Array.from({ length: 10 }, (_, i) => i * 10));
  });
});
