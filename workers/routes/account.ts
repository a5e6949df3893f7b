/**
 * Account state: ban/unban (single and bulk) and lock/unlock. Thin: parse, call, serialise.
 */
import type { AppContext } from "../context";
import { readJsonBody } from "../http/body";
import { json } from "../http/respond";
import { parseWith } from "../http/validation";
import type { ApiRequest, RouterType } from "../http/router-types";
import { bulkUserIdsBody } from "../schemas/account";
import { serializeUser } from "../serializers/user";
import { lockUser, setUserBanned, setUsersBanned, unlockUser } from "../services/account-state";

export function registerAccountRoutes(router: RouterType): void {
  // The bulk paths are registered first so /v1/users/ban is never read as a user id.
  for (const [path, banned] of [
    ["/v1/users/ban", true],
    ["/v1/users/unban", false],
  ] as const) {
    router.post(path, async (request: ApiRequest, ctx: AppContext) => {
      const input = parseWith(bulkUserIdsBody, await readJsonBody(request));
      const users = await setUsersBanned(ctx, input.user_ids, banned);
      return json(users.map((u) => serializeUser(ctx, u)));
    });
  }

  router.post("/v1/users/:user_id/ban", async (request: ApiRequest, ctx: AppContext) =>
    json(serializeUser(ctx, await setUserBanned(ctx, request.params.user_id, true))),
  );
  router.post("/v1/users/:user_id/unban", async (request: ApiRequest, ctx: AppContext) =>
    json(serializeUser(ctx, await setUserBanned(ctx, request.params.user_id, false))),
  );
  router.post("/v1/users/:user_id/lock", async (request: ApiRequest, ctx: AppContext) =>
    json(serializeUser(ctx, await lockUser(ctx, request.params.user_id))),
  );
  router.post("/v1/users/:user_id/unlock", async (request: ApiRequest, ctx: AppContext) =>
    json(serializeUser(ctx, await unlockUser(ctx, request.params.user_id))),
  );
}
