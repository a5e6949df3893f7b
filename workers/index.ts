import { createContext } from "./context";
import { DbMeter } from "./db/metered-d1";
import type { Env } from "./env";
import { errorResponse } from "./http/respond";
import { createRouter } from "./router";
import { isDashboardPath, withDashboardHeaders } from "./routes/dashboard";

import { handleDeliveryBatch, type DeliveryMessage } from "./webhooks/delivery";
import { sweepDueDeliveries } from "./webhooks/scheduler";

export { RateLimiter } from "./rate-limit/rate-limiter";
export { WebhookScheduler } from "./webhooks/scheduler";

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
  async fetch(request: Request, env: Env, execution?: ExecutionContext): Promise<Response> {
    const meter = new DbMeter();
    let response: Response;
    try {
      response = await router.fetch(request, createContext(env, request, meter, execution));
    } catch (error) {
      response = errorResponse(error);
    }
    if (isDashboardPath(new URL(request.url).pathname)) response = withDashboardHeaders(response);
    return withServerTiming(response, meter);
  },

  /** Webhook deliveries (workers/webhooks/delivery.ts): this Worker consumes its own queue. */
  async queue(batch: MessageBatch<DeliveryMessage>, env: Env, ctx: ExecutionContext): Promise<void> {
    await handleDeliveryBatch(batch, env, ctx);
  },

  /** The cron trigger (deployed): re-enqueues overdue webhook deliveries, as the scheduler's alarm does. */
  async scheduled(_controller: ScheduledController, env: Env): Promise<void> {
    await sweepDueDeliveries(env);
  },
} satisfies ExportedHandler<Env, DeliveryMessage>;
