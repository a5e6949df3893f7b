/**
 * The create-user rate limit (POST /v1/users): one Durable Object for the deployment, shared by
 * all of its secret keys, as Clerk limits per instance. The limit is consulted before the
 * handler runs, so a refused request reads no body and does no database work.
 */
import type { AppContext } from "../context";
import { errors } from "../http/errors";
import { errorResponse } from "../http/respond";
import type { Handler } from "../http/router-types";
import type { RateLimitResult } from "./rate-limiter";

/** The one object name: every isolate and every key reaches the same limiter. */
export const CREATE_USER_LIMITER_NAME = "create-user";

/** Asks the limiter to admit one create at `ctx.now()` under the configured rule. */
export async function consumeCreateUserSlot(ctx: AppContext): Promise<RateLimitResult> {
  const namespace = ctx.env.RATE_LIMITER;
  const stub = namespace.get(namespace.idFromName(CREATE_USER_LIMITER_NAME));
  return stub.consume(ctx.now(), ctx.config.userCreateRateLimit, ctx.config.userCreateRateWindowSeconds);
}

export function rateLimitHeaders(result: RateLimitResult): Record<string, string> {
  return { "X-RateLimit-Limit": String(result.limit), "X-RateLimit-Remaining": String(result.remaining) };
}

/**
 * Wraps the create handler: refused → 429 too_many_requests with Retry-After; admitted → the
 * handler's response. Every response, errors included, carries X-RateLimit-Limit/Remaining.
 */
export function withCreateRateLimit(handler: Handler): Handler {
  return async (request, ctx) => {
    const result = await consumeCreateUserSlot(ctx);
    let response: Response;
    try {
      if (!result.allowed) throw errors.tooManyRequests(result.retryAfterSeconds);
      response = await handler(request, ctx);
    } catch (error) {
      response = errorResponse(error);
    }
    for (const [name, value] of Object.entries(rateLimitHeaders(result))) response.headers.set(name, value);
    return response;
  };
}
