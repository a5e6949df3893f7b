import { createContext } from "./context";
import { DbMeter } from "./db/metered-d1";
import type { Env } from "./env";
import { errorResponse } from "./http/respond";
import { createRouter } from "./router";

export { RateLimiter } from "./rate-limit/rate-limiter";

const router = createRouter();

/** Adds the request's D1 totals to a response (error responses too). */
function withServerTiming(response: Response, meter: DbMeter): Response {
  const value = meter.serverTiming();
  try {
    response.headers.append("Server-Timing", value);
    return response;
  } catch {
    // A response with immutable headers (e.g. passed through from fetch): copy it.
    const copy = new Response(response.body, response);
    copy.headers.append("Server-Timing", value);
    return copy;
  }
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const meter = new DbMeter();
    let response: Response;
    try {
      response = await router.fetch(request, createContext(env, request, meter));
    } catch (error) {
      response = errorResponse(error);
    }
    return withServerTiming(response, meter);
  },
} satisfies ExportedHandler<Env>;
