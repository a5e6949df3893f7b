import { DurableObject } from "cloudflare:workers";
import { decide, type RateLimitRule } from "./decide";

/** What a caller learns from one `consume`. */
export interface RateLimitResult {
  allowed: boolean;
  limit: number;
  remaining: number;
  retryAfterSeconds: number;
}

/**
 * The create-user rate limiter: one SQLite-backed Durable Object for the whole deployment.
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

  /** Number of stored hits (for tests and operators). */
  storedHits(): number {
    return this.ctx.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM hits").one().n;
  }
}
