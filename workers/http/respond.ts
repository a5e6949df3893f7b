/**
 * Response builders. The official SDK parses a body only when Content-Type is exactly
 * `application/json` (docs/wire-contract.md, What the SDK reads), so every JSON response sets it
 * literally.
 */
import { DrizzleQueryError } from "drizzle-orm/errors";
import { ApiError, errors } from "./errors";

export const JSON_CONTENT_TYPE = "application/json";

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { ...headers, "Content-Type": JSON_CONTENT_TYPE },
  });
}

function newTraceId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * What an unexpected error looks like in the log. A failed query is described by its SQL and
 * its cause only: drizzle puts the bound parameters in the message (and so in the stack), and
 * those can be password digests, backup-code hashes or sealed tokens.
 */
function describeForLog(error: unknown): string {
  if (error instanceof DrizzleQueryError) {
    const cause = error.cause instanceof Error ? (error.cause.stack ?? error.cause.message) : String(error.cause);
    return `Failed query: ${error.query}\ncause: ${cause}`;
  }
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

/** One entry of the error envelope's `errors` (spec ClerkError). */
export interface ClerkErrorObject {
  message: string;
  long_message: string;
  code: string;
  meta?: ApiError["meta"];
}

/** An ApiError as an entry of the error envelope's `errors`: also used where a response reports errors per item (user import). */
export function errorObject(apiError: ApiError): ClerkErrorObject {
  return {
    message: apiError.message,
    long_message: apiError.longMessage,
    code: apiError.code,
    ...(apiError.meta ? { meta: apiError.meta } : {}),
  };
}

/** The one mapper from any thrown value to Clerk's error envelope (docs/wire-contract.md, Errors). */
export function errorResponse(error: unknown): Response {
  const traceId = newTraceId();
  let apiError: ApiError;
  if (error instanceof ApiError) {
    apiError = error;
  } else {
    // Log for operators with the trace id; the body never carries a stack or internal text.
    console.error(`internal error trace=${traceId}`, describeForLog(error));
    apiError = errors.internal();
  }
  const body = {
    errors: [errorObject(apiError)],
    meta: {},
    clerk_trace_id: traceId,
  };
  return json(body, apiError.status, apiError.headers);
}
