/**
 * Users: create, get, update, delete, metadata, and the list/count used by getUserList.
 * Thin: parse input, call a service, serialise.
 */
import type { AppContext } from "../context";
import { MAX_IMPORT_BODY_BYTES, readJsonBody } from "../http/body";
import { queryOf } from "../http/query";
import { json } from "../http/respond";
import { withCreateRateLimit } from "../rate-limit/create-user-limit";
import { consumeImportBudget } from "../rate-limit/import-limit";
import { parseWith } from "../http/validation";
import type { ApiRequest, RouterType } from "../http/router-types";
import { countUsersQuery, listUsersQuery } from "../schemas/user-queries";
import { userImportBody } from "../schemas/user-import";
import { createUserBody, metadataBody, updateUserBody } from "../schemas/users";
import { serializeUser } from "../serializers/user";
import { listUsers, countUsers } from "../services/user-list";
import { importUsers } from "../services/user-import";
import { createUser, deleteUser, getUser, updateUser, updateUserMetadata } from "../services/users";

export function registerUserRoutes(router: RouterType): void {
  router.get("/v1/users", async (request: ApiRequest, ctx: AppContext) => {
    const users = await listUsers(ctx, parseWith(listUsersQuery, queryOf(request)));
    return json(users.map((u) => serializeUser(ctx, u)));
  });

  router.get("/v1/users/count", async (request: ApiRequest, ctx: AppContext) => {
    const total = await countUsers(ctx, parseWith(countUsersQuery, queryOf(request)));
    return json({ object: "total_count", total_count: total });
  });

  router.post(
    "/v1/users",
    withCreateRateLimit(async (request: ApiRequest, ctx: AppContext) => {
      const input = parseWith(createUserBody, await readJsonBody(request));
      return json(serializeUser(ctx, await createUser(ctx, input)));
    }),
  );

  // Extension (issue 15): many users at once, ids and credentials kept; its own rate budget.
  router.post("/v1/users/import", async (request: ApiRequest, ctx: AppContext) => {
    const { users } = parseWith(userImportBody, await readJsonBody(request, MAX_IMPORT_BODY_BYTES), { itemsParsedLater: "users" });
    const headers = await consumeImportBudget(ctx, users.length);
    return json({ object: "user_import", results: await importUsers(ctx, users) }, 200, headers);
  });

  router.get("/v1/users/:user_id", async (request: ApiRequest, ctx: AppContext) => {
    return json(serializeUser(ctx, await getUser(ctx, request.params.user_id)));
  });

  router.patch("/v1/users/:user_id", async (request: ApiRequest, ctx: AppContext) => {
    const input = parseWith(updateUserBody, await readJsonBody(request));
    return json(serializeUser(ctx, await updateUser(ctx, request.params.user_id, input)));
  });

  router.delete("/v1/users/:user_id", async (request: ApiRequest, ctx: AppContext) => {
    const userId = request.params.user_id;
    await deleteUser(ctx, userId);
    return json({ object: "user", id: userId, deleted: true });
  });

  router.patch("/v1/users/:user_id/metadata", async (request: ApiRequest, ctx: AppContext) => {
    const input = parseWith(metadataBody, await readJsonBody(request));
    return json(serializeUser(ctx, await updateUserMetadata(ctx, request.params.user_id, input, "merge")));
  });

  router.put("/v1/users/:user_id/metadata", async (request: ApiRequest, ctx: AppContext) => {
    const input = parseWith(metadataBody, await readJsonBody(request));
    return json(serializeUser(ctx, await updateUserMetadata(ctx, request.params.user_id, input, "replace")));
  });
}
