/**
 * Wiring only: authentication for /v1, the route groups, the not-found fallback and the
 * one error mapper. Each group lives in workers/routes/ and registers itself here.
 */
import { Router } from "itty-router";
import type { AppContext } from "./context";
import { timingSafeEqualStrings } from "./crypto/constant-time";
import { assertApiVersion } from "./http/api-version";
import { errors } from "./http/errors";
import { errorResponse } from "./http/respond";
import type { ApiRequest } from "./http/router-types";
import { registerCredentialRoutes } from "./routes/credentials";
import { registerIdentityRoutes } from "./routes/identities";
import { registerOAuthTokenRoutes } from "./routes/oauth-tokens";
import { registerOrganizationRoutes } from "./routes/organizations";
import { registerUserOrganizationRoutes } from "./routes/user-organizations";
import { registerAccountRoutes } from "./routes/account";
import { registerImageRoutes } from "./routes/images";
import { registerUserRoutes } from "./routes/users";
import { registerWebhookRoutes } from "./routes/webhooks";

const isApiPath = (request: ApiRequest) => new URL(request.url).pathname.startsWith("/v1/");

/**
 * Bearer-key check for every /v1 route. Every configured key is compared in constant time
 * (and all of them are compared), so timing reveals neither a key's prefix nor its position.
 */
function authenticate(request: ApiRequest, ctx: AppContext): void {
  if (!isApiPath(request)) return;
  const header = request.headers.get("authorization") ?? "";
  const match = /^Bearer ([^\s]+)$/.exec(header.trim());
  if (!match) throw errors.authorizationHeaderInvalid();
  let ok = false;
  for (const key of ctx.config.secretKeys) ok = timingSafeEqualStrings(key, match[1]) || ok;
  if (!ok) throw errors.secretKeyInvalid();
}

/** After authentication, so an unauthenticated caller learns nothing but 401. */
function checkApiVersion(request: ApiRequest): void {
  if (isApiPath(request)) assertApiVersion(request);
}

export function createRouter() {
  const router = Router<ApiRequest, [AppContext]>({
    before: [authenticate, checkApiVersion],
    catch: (error) => errorResponse(error),
  });
  registerUserRoutes(router);
  registerIdentityRoutes(router);
  registerOAuthTokenRoutes(router);
  registerOrganizationRoutes(router);
  registerUserOrganizationRoutes(router);
  registerCredentialRoutes(router);
  registerAccountRoutes(router);
  registerImageRoutes(router);
  registerWebhookRoutes(router);
  router.all("*", () => {
    throw errors.routeNotFound();
  });
  return router;
}
