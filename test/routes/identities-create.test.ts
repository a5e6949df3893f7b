/**
 * The extension endpoints POST /v1/users/:id/passkeys and /external_accounts: tokens sealed at
 * rest under CREDENTIALS_ENCRYPTION_KEY and never in any response.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { decryptSecret } from "../../workers/crypto/encryption";
import { tokenContext } from "../../workers/services/identities";
import { call, createUser, expectError, unique } from "../helpers";

const TOKENS = {
  access_token: "ya29.plain-access-token-value",
  refresh_token: "1//plain-refresh-token-value",
  id_token: "eyJplain.id-token.value",
  token_secret: "plain-token-secret-value",
} as const;

describe("POST /v1/users/:id/external_accounts", () => {
  it("seals every token in D1 (AES-GCM bound to the account and field) and never returns one", async () => {
    const user = await createUser({ username: unique("eac") });
    const created = await call(
      "POST",
      `/v1/users/${user.id}/external_accounts`,
      { provider: "google", provider_user_id: unique("gid"), ...TOKENS },
      { schema: "ExternalAccountWithVerification" },
    );
    expect(created.status).toBe(200);
    const fetched = await call("GET", `/v1/users/${user.id}`, undefined, { schema: "User" });
    for (const text of [JSON.stringify(created.body), JSON.stringify(fetched.body)]) {
      for (const value of Object.values(TOKENS)) expect(text).not.toContain(value);
    }

    const row = await env.DB.prepare("SELECT * FROM external_accounts WHERE id = ?").bind(created.body.id).first<Record<string, unknown>>();
    const stored = JSON.stringify(row);
    for (const value of Object.values(TOKENS)) expect(stored).not.toContain(value);
    for (const [field, value] of Object.entries(TOKENS) as [keyof typeof TOKENS, string][]) {
      const sealed = String(row?.[`${field}_encrypted`]);
      expect(sealed).toMatch(/^v1\./);
      expect(await decryptSecret(env.CREDENTIALS_ENCRYPTION_KEY, sealed, tokenContext(created.body.id, field))).toBe(value);
      // Bound to its field: the same ciphertext does not open as another field's.
      const other = field === "access_token" ? "refresh_token" : "access_token";
      await expect(decryptSecret(env.CREDENTIALS_ENCRYPTION_KEY, sealed, tokenContext(created.body.id, other))).rejects.toThrow();
    }
  });

  it("answers 404 for an unknown user and 422 for a duplicate provider account", async () => {
    expectError(await call("POST", "/v1/users/user_missing/external_accounts", { provider: "google", provider_user_id: "x" }), 404, "resource_not_found");
    const user = await createUser({ username: unique("dup") });
    const body = { provider: "google", provider_user_id: unique("gid") };
    expect((await call("POST", `/v1/users/${user.id}/external_accounts`, body)).status).toBe(200);
    expectError(await call("POST", `/v1/users/${user.id}/external_accounts`, body), 422, "form_identifier_exists", "provider_user_id");
  });
});

describe("POST /v1/users/:id/passkeys", () => {
  it("answers 404 for an unknown user and 422 for a credential id already registered", async () => {
    const body = { name: "Key", credential_id: unique("cred"), public_key: "pQECAyYgASFYIA" };
    expectError(await call("POST", "/v1/users/user_missing/passkeys", body), 404, "resource_not_found");
    const a = await createUser({ username: unique("pk") });
    const b = await createUser({ username: unique("pk") });
    expect((await call("POST", `/v1/users/${a.id}/passkeys`, body, { schema: "Passkey" })).status).toBe(200);
    expectError(await call("POST", `/v1/users/${b.id}/passkeys`, body), 422, "form_identifier_exists", "credential_id");
  });
});
