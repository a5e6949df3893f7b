/**
 * Wiring only: authentication for /v1, the dashboard (session API and static assets), the route groups, the not-found fallback and the
 * one error mapper. Each group lives in workers/routes/ and registers itself here.
 */
import { Router } from "itty-router";
import type { AppContext } from "./context";
import { assertApiVersion } from "./http/api-version";
import { authenticateApiRequest } from "./http/auth";
import { errors } from "./http/errors";
import { errorResponse } from "./http/respond";
import type { ApiRequest } from "./http/router-types";
import { registerCredentialRoutes } from "./routes/credentials";
import { registerIdentityRoutes } from "./routes/identities";
import { registerOAuthTokenRoutes } from "./routes/oauth-tokens";
import { registerOrganizationRoutes } from "./routes/organizations";
import { registerUserOrganizationRoutes } from "./routes/user-organizations";
import { registerAccountRoutes } from "./routes/account";
import { registerDashboardRoutes } from "./routes/dashboard";
import { registerImageRoutes } from "./routes/images";
import { registerUserRoutes } from "./routes/users";
import { registerWebhookRoutes } from "./routes/webhooks";

const isApiPath = (request: ApiRequest) => new URL(request.url).pathname.startsWith("/v1/");

/** Bearer key or dashboard session cookie (workers/http/auth.ts), for /v1 routes only. */
async function authenticate(request: ApiRequest, ctx: AppContext): Promise<void> {
  if (isApiPath(request)) await authenticateApiRequest(request, ctx);
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
  registerDashboardRoutes(router);
  router.all("*", () => {
    throw errors.routeNotFound();
  });
  return router;
}
