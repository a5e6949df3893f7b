import { createContext } from "./context";
import type { Env } from "./env";
import { errorResponse } from "./http/respond";
import { createRouter } from "./router";

export { RateLimiter } from "./rate-limit/rate-limiter";

const router = createRouter();

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    try {
      return await router.fetch(request, createContext(env, request));
    } catch (error) {
      return errorResponse(error);
    }
  },
} satisfies ExportedHandler<Env>;
