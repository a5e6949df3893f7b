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
    expectError(
      await call("POST", "/v1/users/user_missing/external_accounts", { provider: "google", provider_user_id: "x" }),
      404,
      "resource_not_found",
    );
    const user = await createUser({ username: unique("dup") });
    const body = { provider: "google", provider_user_id: unique("gid") };
    expect((await call("POST", `/v1/users/${user.id}/external_accounts`, body)).status).toBe(200);
    expectError(await call("POST", `/v1/users/${user.id}/external_accounts`, body), 422, "form_identifier_exists", "provider_user_id");
  });
});

describe("POST /v1/users/:id/external_accounts image_url", () => {
  const add = (userId: string, imageUrl: unknown) =>
    call(
      "POST",
      `/v1/users/${userId}/external_accounts`,
      { provider: "google", provider_user_id: unique("gid"), image_url: imageUrl },
      { schema: "ExternalAccountWithVerification" },
    );

  it("stores and returns http(s) URLs as sent", async () => {
    const user = await createUser({ username: unique("img") });
    for (const url of ["https://lh3.googleusercontent.com/a/photo.jpg?sz=96", "HTTP://Example.com/Avatar.PNG"]) {
      const created = await add(user.id, url);
      expect(created.status, JSON.stringify(created.body)).toBe(200);
      expect(created.body.image_url).toBe(url);
    }
  });

  it("refuses any other scheme with 422 invalid_url_scheme naming image_url, and stores nothing", async () => {
    const user = await createUser({ username: unique("xss") });
    const refused = [
      "javascript:alert(document.cookie)",
      // URL parsers (and browsers) strip leading spaces and tabs anywhere, so these are javascript: too.
      " javascript:alert(1)",
      "java\tscript:alert(1)",
      "JavaScript:alert(1)",
      "data:text/html,<script>alert(1)</script>",
      "vbscript:msgbox(1)",
      "file:///etc/passwd",
      "ftp://example.com/a.png",
    ];
    for (const url of refused) {
      const error = expectError(await add(user.id, url), 422, "invalid_url_scheme", "image_url");
      expect(error.long_message).toBe("Please provide a URL with one of the following schemes: http, https");
    }
    for (const url of ["not a url", "//example.com/a.png", "/images/a.png", "https://"]) {
      expectError(await add(user.id, url), 422, "form_param_format_invalid", "image_url");
    }
    expectError(await add(user.id, `https://example.com/${"a".repeat(2048)}`), 422, "form_param_max_length_exceeded", "image_url");
    const rows = await env.DB.prepare("SELECT count(*) AS n FROM external_accounts WHERE user_id = ?").bind(user.id).first();
    expect(rows).toEqual({ n: 0 });
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
