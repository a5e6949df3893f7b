/**
 * Users: create, get, update, delete, metadata, the list/count used by getUserList, and the
 * export (an extension). Thin: parse input, call a service, serialise.
 */
import type { AppContext } from "../context";
import { MAX_IMPORT_BODY_BYTES, readJsonBody } from "../http/body";
import { queryOf } from "../http/query";
import { json, ndjsonStream, withResponseHeaders } from "../http/respond";
import { withCreateRateLimit } from "../rate-limit/create-user-limit";
import { consumeImportBudget } from "../rate-limit/import-limit";
import { parseWith } from "../http/validation";
import type { ApiRequest, RouterType } from "../http/router-types";
import { countUsersQuery, exportUsersQuery, listUsersQuery } from "../schemas/user-queries";
import { userImportBody } from "../schemas/user-import";
import { createUserBody, metadataBody, updateUserBody } from "../schemas/users";
import { serializeUser } from "../serializers/user";
import { listUsers, countUsers } from "../services/user-list";
import { openUserExport } from "../services/user-export";
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

  // Before /v1/users/:user_id, which would otherwise take "export" for an id. Never cached, by
  // anyone: the body is every user, and with credentials their secrets (errors too, for simplicity).
  router.get(
    "/v1/users/export",
    withResponseHeaders({ "Cache-Control": "no-store" }, async (request: ApiRequest, ctx: AppContext) => {
      const query = parseWith(exportUsersQuery, queryOf(request));
      return ndjsonStream(openUserExport(ctx, query));
    }),
  );

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
