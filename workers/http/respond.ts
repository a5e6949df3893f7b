/**
 * Response builders. The official SDK parses a body only when Content-Type is exactly
 * `application/json` (docs/wire-contract.md, What the SDK reads), so every JSON response sets it
 * literally. The one other body is the export's NDJSON stream (ndjsonStream).
 */
import { DrizzleQueryError } from "drizzle-orm/errors";
import { ApiError, errors } from "./errors";
import type { Handler } from "./router-types";

export const JSON_CONTENT_TYPE = "application/json";
/** Newline-delimited JSON (one JSON text and "\n" per record), the export's body. */
export const NDJSON_CONTENT_TYPE = "application/x-ndjson";

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

/**
 * The one mapper from any thrown value to Clerk's error envelope (docs/wire-contract.md, Errors):
 * its ApiError and body. An unexpected error is logged for operators under the body's trace id;
 * the body never carries a stack or internal text.
 */
function errorEnvelope(error: unknown) {
  const traceId = newTraceId();
  let apiError: ApiError;
  if (error instanceof ApiError) {
    apiError = error;
  } else {
    console.error(`internal error trace=${traceId}`, describeForLog(error));
    apiError = errors.internal();
  }
  const body = {
    errors: [errorObject(apiError)],
    meta: {},
    clerk_trace_id: traceId,
  };
  return { apiError, body };
}

/** Any thrown value as Clerk's error response. */
export function errorResponse(error: unknown): Response {
  const { apiError, body } = errorEnvelope(error);
  return json(body, apiError.status, apiError.headers);
}

/**
 * A streamed NDJSON response of `pages` (each an array of JSON values, one line each). The first
 * page is read before the response exists, so a failure there (or an empty result) answers like
 * any other request: an error is a Clerk error response. After that, a page is read only when
 * the client pulls for more (highWaterMark 0: nothing is read ahead), so memory holds one page.
 *
 * A failure after the first byte cannot change the status any more, and a clean end would make a
 * truncated body look complete. So the stream's last line is then Clerk's error envelope (the
 * body an error response would have had, `{"errors":[…],"clerk_trace_id":…}`: no record has an
 * `errors` key), and after it the stream is errored rather than closed. workerd still ends an
 * errored body with a normal chunked terminator (cloudflare/workerd#6818, open), so over HTTP the
 * error line is what tells the client; a reader in the same isolate also sees the stream fail,
 * as will an HTTP client once the runtime aborts such responses.
 */
export async function ndjsonStream(pages: AsyncIterator<readonly unknown[], void>, headers: Record<string, string> = {}): Promise<Response> {
  let next: IteratorResult<readonly unknown[], void> | undefined = await pages.next();
  let failed: Error | undefined;
  const encoder = new TextEncoder();
  const lines = (values: readonly unknown[]) => encoder.encode(values.map((value) => `${JSON.stringify(value)}\n`).join(""));
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (failed) return controller.error(failed);
        try {
          for (;;) {
            const page = next ?? (await pages.next());
            next = undefined;
            if (page.done) return controller.close();
            if (page.value.length > 0) return controller.enqueue(lines(page.value));
          }
        } catch (error) {
          const { body } = errorEnvelope(error);
          failed = new Error(`The stream failed before its end (trace ${body.clerk_trace_id}); what was received is incomplete.`);
          // The error line first (erroring now would drop it from the queue), the error on the next pull.
          controller.enqueue(lines([body]));
        }
      },
      async cancel() {
        // The client went away: stop reading pages.
        await pages.return?.();
      },
    },
    { highWaterMark: 0 },
  );
  return new Response(body, { headers: { ...headers, "Content-Type": NDJSON_CONTENT_TYPE } });
}

/** Wraps a handler so that every response it gives, errors included, carries `headers`. */
export function withResponseHeaders(headers: Record<string, string>, handler: Handler): Handler {
  return async (request, ctx) => {
    let response: Response;
    try {
      response = await handler(request, ctx);
    } catch (error) {
      response = errorResponse(error);
    }
    for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
    return response;
  };
}
