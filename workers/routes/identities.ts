/**
 * Identity extension endpoints (documented in the README; Clerk lacks them):
 * POST /v1/users/:user_id/passkeys and POST /v1/users/:user_id/external_accounts;
 * and Clerk's removal endpoints for passkeys, web3 wallets and external accounts.
 */
import type { AppContext } from "../context";
import { readJsonBody } from "../http/body";
import { json } from "../http/respond";
import { parseWith } from "../http/validation";
import type { ApiRequest, RouterType } from "../http/router-types";
import { createExternalAccountBody, createPasskeyBody } from "../schemas/identities";
import { serializeExternalAccount, serializePasskey } from "../serializers/user";
import { createExternalAccount, createPasskey, deleteIdentity } from "../services/identities";

export function registerIdentityRoutes(router: RouterType): void {
  router.post("/v1/users/:user_id/passkeys", async (request: ApiRequest, ctx: AppContext) => {
    const input = parseWith(createPasskeyBody, await readJsonBody(request));
    return json(serializePasskey(await createPasskey(ctx, request.params.user_id, input)));
  });

  router.post("/v1/users/:user_id/external_accounts", async (request: ApiRequest, ctx: AppContext) => {
    const input = parseWith(createExternalAccountBody, await readJsonBody(request));
    return json(serializeExternalAccount(await createExternalAccount(ctx, request.params.user_id, input)));
  });

  router.delete("/v1/users/:user_id/passkeys/:passkey_identification_id", async (request: ApiRequest, ctx: AppContext) =>
    json(await deleteIdentity(ctx, request.params.user_id, "passkey", request.params.passkey_identification_id)),
  );

  router.delete("/v1/users/:user_id/web3_wallets/:web3_wallet_identification_id", async (request: ApiRequest, ctx: AppContext) =>
    json(await deleteIdentity(ctx, request.params.user_id, "web3_wallet", request.params.web3_wallet_identification_id)),
  );

  router.delete("/v1/users/:user_id/external_accounts/:external_account_id", async (request: ApiRequest, ctx: AppContext) =>
    json(await deleteIdentity(ctx, request.params.user_id, "external_account", request.params.external_account_id)),
  );
}
