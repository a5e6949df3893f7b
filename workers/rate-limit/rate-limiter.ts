import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";

/**
 * The create-user rate limiter: one SQLite-backed Durable Object per deployment.
 * Minimal until the rate-limit issue lands; it currently admits every request.
 */
export class RateLimiter extends DurableObject<Env> {
  async consume(_nowMs: number, limit: number, _windowSeconds: number): Promise<{ allowed: boolean; remaining: number; retryAfterSeconds: number }> {
    return { allowed: true, remaining: limit, retryAfterSeconds: 0 };
  }
}
