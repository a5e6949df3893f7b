/** OAUTH_PROVIDERS parsing and the OAUTH_<NAME>_CLIENT_SECRET override. */
import { describe, expect, it } from "vitest";
import type { Env } from "../../workers/env";
import { ApiError } from "../../workers/http/errors";
import { clientSecretVarName, findOAuthProvider, readOAuthProviders } from "../../workers/services/oauth-providers";

/** A fresh env object each time: parsed providers are cached per env object. */
function envWith(vars: Record<string, unknown>): Env {
  return { ...vars } as unknown as Env;
}

const google = { token_url: "https://oauth2.example/token", client_id: "cid", client_secret: "from-var" };

describe("OAUTH_PROVIDERS", () => {
  it("names the override secret after the provider without its oauth_ prefix", () => {
    expect(clientSecretVarName("oauth_google")).toBe("OAUTH_GOOGLE_CLIENT_SECRET");
    expect(clientSecretVarName("google")).toBe("OAUTH_GOOGLE_CLIENT_SECRET");
    expect(clientSecretVarName("oauth_custom_my-idp")).toBe("OAUTH_CUSTOM_MY_IDP_CLIENT_SECRET");
  });

  it("uses client_secret from the var unless the secret overrides it", () => {
    const plain = findOAuthProvider(envWith({ OAUTH_PROVIDERS: JSON.stringify({ oauth_google: google }) }), "google");
    expect(plain).toEqual({
      provider: "oauth_google",
      tokenUrl: google.token_url,
      clientId: "cid",
      clientSecret: "from-var",
      authMethod: "client_secret_basic",
    });
    const overridden = findOAuthProvider(
      envWith({ OAUTH_PROVIDERS: JSON.stringify({ google }), OAUTH_GOOGLE_CLIENT_SECRET: "from-secret" }),
      "oauth_google",
    );
    expect(overridden?.clientSecret).toBe("from-secret");
    expect(overridden?.provider).toBe("oauth_google");
  });

  it("is empty when unset or {}", () => {
    expect(readOAuthProviders(envWith({})).size).toBe(0);
    expect(readOAuthProviders(envWith({ OAUTH_PROVIDERS: "{}" })).size).toBe(0);
    expect(findOAuthProvider(envWith({ OAUTH_PROVIDERS: "{}" }), "google")).toBeUndefined();
  });

  it.each([
    ["not JSON", "{oauth_google:", "not JSON"],
    ["an array", "[]", "must be a JSON object"],
    ["an entry that is not an object", JSON.stringify({ google: "x" }), "google must be an object"],
    ["no token_url", JSON.stringify({ google: { ...google, token_url: undefined } }), "google.token_url is missing"],
    ["a token_url that is not a URL", JSON.stringify({ google: { ...google, token_url: "not a url" } }), "not a URL"],
    ["a non-http token_url", JSON.stringify({ google: { ...google, token_url: "ftp://x/token" } }), "must be http(s)"],
    ["no client_id", JSON.stringify({ google: { ...google, client_id: "" } }), "google.client_id is missing"],
    ["no secret anywhere", JSON.stringify({ google: { ...google, client_secret: undefined } }), "OAUTH_GOOGLE_CLIENT_SECRET is not set"],
    [
      "an unknown auth method",
      JSON.stringify({ google: { ...google, token_endpoint_auth_method: "private_key_jwt" } }),
      "token_endpoint_auth_method",
    ],
  ])("rejects %s with a 500 that names the field but no value", (_, value, detail) => {
    let error: unknown;
    try {
      readOAuthProviders(envWith({ OAUTH_PROVIDERS: value }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ApiError);
    const apiError = error as ApiError;
    expect(apiError.status).toBe(500);
    expect(apiError.longMessage).toContain(detail);
    expect(apiError.longMessage).not.toContain("from-var");
  });
});
