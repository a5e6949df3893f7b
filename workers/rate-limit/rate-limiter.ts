import { DurableObject } from "cloudflare:workers";
import { decide, decideUnits, type RateLimitRule, type UnitHit } from "./decide";

/** What a caller learns from one `consume`. */
export interface RateLimitResult {
  allowed: boolean;
  limit: number;
  remaining: number;
  retryAfterSeconds: number;
  /** The exact wait in milliseconds, where the decision has one (`consumeUnits`). */
  retryAfterMs?: number;
}

/**
 * The rate limiter: one SQLite-backed Durable Object per limit for the whole deployment — the
 * create-user limit (`consume`, one request at a time) and the user-import budget
 * (`consumeUnits`, many users per request; its own object name and table).
 *
 * The log of admitted requests lives in the object's SQLite storage, not in memory, so an
 * eviction or restart does not reset the window. `consume` makes no asynchronous calls: the SQL
 * API is synchronous, so reading the log, deciding and writing the new hit happen as one
 * uninterrupted step, and concurrent requests are decided strictly one after another.
 *
 * It reads none of the Worker's bindings (the rule comes with each call), so its env is `unknown`
 * and it does not depend on workers/env.ts, which names this class for the binding's type.
 */
export class RateLimiter extends DurableObject<unknown> {
  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env);
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS hits (at INTEGER NOT NULL)");
    ctx.storage.sql.exec("CREATE INDEX IF NOT EXISTS hits_at_idx ON hits (at)");
    // Budgets of many units per request (the user import): a log of its own, never the one above.
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS unit_hits (at INTEGER NOT NULL, units INTEGER NOT NULL)");
    ctx.storage.sql.exec("CREATE INDEX IF NOT EXISTS unit_hits_at_idx ON unit_hits (at)");
  }

  /** Records one request at `nowMs` if the rule admits it, and says whether it did. */
  consume(nowMs: number, limit: number, windowSeconds: number): RateLimitResult {
    const rule: RateLimitRule = { limit: Math.max(1, Math.floor(limit)), windowMs: Math.max(1, Math.floor(windowSeconds)) * 1000 };
    const sql = this.ctx.storage.sql;
    // Only the newest `limit` hits inside the window can affect the decision.
    const newest = sql
      .exec<{ at: number }>("SELECT at FROM hits WHERE at > ? ORDER BY at DESC LIMIT ?", nowMs - rule.windowMs, rule.limit)
      .toArray()
      .map((row) => row.at)
      .reverse();
    const decision = decide({ hits: newest }, rule, nowMs);
    sql.exec("DELETE FROM hits WHERE at <= ?", decision.expiredThrough);
    if (decision.allowed) sql.exec("INSERT INTO hits (at) VALUES (?)", nowMs);
    return { allowed: decision.allowed, limit: rule.limit, remaining: decision.remaining, retryAfterSeconds: decision.retryAfterSeconds };
  }

  /**
   * Takes `units` of a budget of `limit` units per window at `nowMs` if they fit, in one
   * uninterrupted step like `consume`; refused, nothing is taken. `units` above `limit` is
   * never admitted (callers answer that with a 422 before asking).
   */
  consumeUnits(nowMs: number, units: number, limit: number, windowSeconds: number): RateLimitResult {
    const rule: RateLimitRule = { limit: Math.max(1, Math.floor(limit)), windowMs: Math.max(1, Math.floor(windowSeconds)) * 1000 };
    const take = Math.max(1, Math.floor(units));
    const sql = this.ctx.storage.sql;
    // Every hit takes at least one unit, so at most `limit` of them are live.
    const live: UnitHit[] = sql
      .exec<{ at: number; units: number }>("SELECT at, units FROM unit_hits WHERE at > ? ORDER BY at", nowMs - rule.windowMs)
      .toArray();
    const decision = decideUnits(live, take, rule, nowMs);
    sql.exec("DELETE FROM unit_hits WHERE at <= ?", decision.expiredThrough);
    if (decision.allowed) sql.exec("INSERT INTO unit_hits (at, units) VALUES (?, ?)", nowMs, take);
    const { allowed, remaining, retryAfterSeconds, retryAfterMs } = decision;
    return { allowed, limit: rule.limit, remaining, retryAfterSeconds, retryAfterMs };
  }

  /** Number of stored hits (for tests and operators). */
  storedHits(): number {
    return this.ctx.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM hits").one().n;
  }
}
