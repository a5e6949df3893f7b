/**
 * The user-import budget (POST /v1/users/import): USER_IMPORT_RATE_LIMIT users per
 * USER_CREATE_RATE_WINDOW_SECONDS for the deployment, in the same Durable Object class as the
 * create limit but in its own object and table, so imports never take create slots (nor the
 * reverse). A batch takes as many units as it has users, whatever their outcome; one that would
 * exceed the budget is refused whole before any database work.
 */
import type { AppContext } from "../context";
import { ApiError, errors } from "../http/errors";
import { rateLimitHeaders } from "./create-user-limit";

/** The one object name of the import budget. */
export const USER_IMPORT_LIMITER_NAME = "user-import";

/**
 * Takes `users` units of the import budget, returning the X-RateLimit headers for the response.
 * Throws 422 form_param_array_size_exceeded when the batch is larger than the whole budget (it
 * could never be admitted), and 429 too_many_requests with a truthful Retry-After when it does
 * not fit now.
 */
export async function consumeImportBudget(ctx: AppContext, users: number): Promise<Record<string, string>> {
  const { userImportRateLimit: limit, userCreateRateWindowSeconds: windowSeconds } = ctx.config;
  if (users > limit) {
    throw errors.paramArraySizeExceeded(
      "users",
      limit,
      `users should not exceed ${limit} items: the import budget (USER_IMPORT_RATE_LIMIT) admits ${limit} users per ${windowSeconds} seconds, so a larger batch can never be admitted. Send smaller batches.`,
    );
  }
  const namespace = ctx.env.RATE_LIMITER;
  const stub = namespace.get(namespace.idFromName(USER_IMPORT_LIMITER_NAME));
  const result = await stub.consumeUnits(ctx.now(), users, limit, windowSeconds);
  const headers = rateLimitHeaders(result);
  if (!result.allowed) {
    const refused = errors.tooManyRequests(result.retryAfterSeconds);
    // Retry-After-Ms (an extension beside the standard header): the exact wait, which a bulk
    // client uses instead of rounding each wait up to a whole second (README, Migrating from Clerk).
    const exact = { "Retry-After-Ms": String(result.retryAfterMs ?? result.retryAfterSeconds * 1000) };
    throw new ApiError(refused.status, refused.code, refused.message, refused.longMessage, refused.meta, {
      ...refused.headers,
      ...headers,
      ...exact,
    });
  }
  return headers;
}
