/**
 * GET /v1/users/:user_id/oauth_access_tokens/:provider — a bare array by default (the spec's
 * shape), `{data, total_count}` with `paginated=true` (which the official client always sends).
 */
import type { AppContext } from "../context";
import { queryOf } from "../http/query";
import { json } from "../http/respond";
import { parseWith } from "../http/validation";
import type { ApiRequest, RouterType } from "../http/router-types";
import { oauthAccessTokensQuery } from "../schemas/user-queries";
import { serializeOAuthAccessToken } from "../serializers/oauth-access-token";
import { listOAuthAccessTokens } from "../services/oauth-tokens";

export function registerOAuthTokenRoutes(router: RouterType): void {
  router.get("/v1/users/:user_id/oauth_access_tokens/:provider", async (request: ApiRequest, ctx: AppContext) => {
    const { paginated, page } = parseWith(oauthAccessTokensQuery, queryOf(request));
    const { tokens, totalCount } = await listOAuthAccessTokens(ctx, request.params.user_id, request.params.provider, page);
    const data = tokens.map(serializeOAuthAccessToken);
    return json(paginated ? { data, total_count: totalCount } : data);
  });
}
