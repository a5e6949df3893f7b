/**
 * OAuthAccessToken JSON (the spec's item schema, additionalProperties: false). The only place
 * plaintext provider tokens are written into a response.
 */
import type { OAuthTokenView } from "../services/oauth-tokens";
import { storedJsonObject } from "../db/metadata";

export function serializeOAuthAccessToken(view: OAuthTokenView) {
  const { account } = view;
  return {
    object: "oauth_access_token",
    external_account_id: account.id,
    provider_user_id: account.providerUserId,
    token: view.token,
    provider: account.provider,
    public_metadata: storedJsonObject(account.publicMetadata),
    label: account.label,
    scopes: account.approvedScopes.split(/\s+/).filter(Boolean),
    // Epoch milliseconds, like every other timestamp of this API; null when the expiry is unknown.
    expires_at: account.tokenExpiresAt,
    ...(view.idToken !== null ? { id_token: view.idToken } : {}),
    ...(view.tokenSecret !== null ? { token_secret: view.tokenSecret } : {}),
  };
}
