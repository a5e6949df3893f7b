/**
 * Wiring only: authentication for /v1, the route groups, the not-found fallback and the
 * one error mapper. Each group lives in workers/routes/ and registers itself here.
 */
import { Router, type IRequest } from "itty-router";
import type { AppContext } from "./context";
import { timingSafeEqualStrings } from "./crypto/constant-time";
import { errors } from "./http/errors";
import { errorResponse } from "./http/respond";
import { registerAccountRoutes } from "./routes/account";
import { registerIdentityRoutes } from "./routes/identities";
import { registerImageRoutes } from "./routes/images";
import { registerUserRoutes } from "./routes/users";

export type ApiRequest = IRequest;
export type ApiRouter = ReturnType<typeof createRouter>;

/**
 * Bearer-key check for every /v1 route. Every configured key is compared in constant time
 * (and all of them are compared), so timing reveals neither a key's prefix nor its position.
 */
function authenticate(request: ApiRequest, ctx: AppContext): void {
  if (!new URL(request.url).pathname.startsWith("/v1/")) return;
  const header = request.headers.get("authorization") ?? "";
  const match = /^Bearer ([^\s]+)$/.exec(header.trim());
  if (!match) throw errors.authorizationHeaderInvalid();
  let ok = false;
  for (const key of ctx.config.secretKeys) ok = timingSafeEqualStrings(key, match[1]) || ok;
  if (!ok) throw errors.secretKeyInvalid();
}

export function createRouter() {
  const router = Router<ApiRequest, [AppContext]>({
    before: [authenticate],
    catch: (error) => errorResponse(error),
  });
  registerUserRoutes(router);
  registerIdentityRoutes(router);
  registerAccountRoutes(router);
  registerImageRoutes(router);
  router.all("*", () => {
    throw errors.routeNotFound();
  });
  return router;
}

export type RouterType = ReturnType<typeof Router<ApiRequest, [AppContext]>>;
