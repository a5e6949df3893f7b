/**
 * Credentials: verify_password, verify_totp, removal of TOTP, backup codes and all MFA, and the
 * password's admin operations (remove, set/unset compromised).
 * Thin: parse input, call a service, answer.
 */
import type { AppContext } from "../context";
import { readJsonBody } from "../http/body";
import { json } from "../http/respond";
import { parseWith } from "../http/validation";
import type { ApiRequest, RouterType } from "../http/router-types";
import { noBody, removePasswordBody, setPasswordCompromisedBody, verifyPasswordBody, verifyTotpBody } from "../schemas/credentials";
import { serializeUser } from "../serializers/user";
import { deleteUserBackupCodes, deleteUserTotp, disableUserMfa, verifyUserPassword, verifyUserTotp } from "../services/credentials";
import { removeUserPassword, setUserPasswordCompromised } from "../services/password";

export function registerCredentialRoutes(router: RouterType): void {
  router.post("/v1/users/:user_id/verify_password", async (request: ApiRequest, ctx: AppContext) => {
    const input = parseWith(verifyPasswordBody, await readJsonBody(request));
    await verifyUserPassword(ctx, request.params.user_id, input.password);
    return json({ verified: true });
  });

  router.post("/v1/users/:user_id/verify_totp", async (request: ApiRequest, ctx: AppContext) => {
    const input = parseWith(verifyTotpBody, await readJsonBody(request));
    const codeType = await verifyUserTotp(ctx, request.params.user_id, input.code);
    return json({ verified: true, code_type: codeType });
  });

  router.delete("/v1/users/:user_id/totp", async (request: ApiRequest, ctx: AppContext) => {
    await deleteUserTotp(ctx, request.params.user_id);
    return json({ user_id: request.params.user_id });
  });

  router.delete("/v1/users/:user_id/backup_code", async (request: ApiRequest, ctx: AppContext) => {
    await deleteUserBackupCodes(ctx, request.params.user_id);
    return json({ user_id: request.params.user_id });
  });

  router.delete("/v1/users/:user_id/mfa", async (request: ApiRequest, ctx: AppContext) => {
    await disableUserMfa(ctx, request.params.user_id);
    return json({ user_id: request.params.user_id });
  });

  router.post("/v1/users/:user_id/remove_password", async (request: ApiRequest, ctx: AppContext) => {
    parseWith(removePasswordBody, await readJsonBody(request));
    return json(serializeUser(ctx, await removeUserPassword(ctx, request.params.user_id)));
  });

  router.post("/v1/users/:user_id/password/set_compromised", async (request: ApiRequest, ctx: AppContext) => {
    parseWith(setPasswordCompromisedBody, await readJsonBody(request));
    return json(serializeUser(ctx, await setUserPasswordCompromised(ctx, request.params.user_id, true)));
  });

  router.post("/v1/users/:user_id/password/unset_compromised", async (request: ApiRequest, ctx: AppContext) => {
    parseWith(noBody, await readJsonBody(request));
    return json(serializeUser(ctx, await setUserPasswordCompromised(ctx, request.params.user_id, false)));
  });
}
