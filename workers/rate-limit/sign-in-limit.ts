/**
 * The dashboard sign-in limit: each client IP (CF-Connecting-IP, set by Cloudflare's edge and
 * not forgeable through it) gets its own RateLimiter object, so guessing keys costs one attempt
 * per slot and one noisy client cannot lock everyone else out. Every attempt counts, right or
 * wrong: counting only failures would need a second write after the check.
 */
import type { AppContext } from "../context";
import type { RateLimitResult } from "./rate-limiter";

/** The limiter object for one client: a prefix keeps it apart from the deployment-wide limits. */
export function signInLimiterName(ip: string): string {
  return `dashboard-sign-in:${ip || "unknown"}`;
}

/** Takes one sign-in attempt for the request's client at `ctx.now()` under the configured rule. */
export async function consumeSignInAttempt(ctx: AppContext): Promise<RateLimitResult> {
  const namespace = ctx.env.RATE_LIMITER;
  const stub = namespace.get(namespace.idFromName(signInLimiterName(ctx.client.ip)));
  return stub.consume(ctx.now(), ctx.config.dashboardSignInRateLimit, ctx.config.dashboardSignInRateWindowSeconds);
}
