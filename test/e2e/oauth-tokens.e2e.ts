import { describe, expect, inject, it } from "vitest";
import { apiUrl, clerk } from "./client";

/** Token requests the Node provider received for refresh tokens derived from `base`. */
async function providerCalls(base: string): Promise<{ refreshToken: string | null; auth: string }[]> {
  const all = (await (await fetch(`${inject("oauthProviderUrl")}/__calls`)).json()) as { refreshToken: string | null; auth: string }[];
  return all.filter((c) => c.refreshToken?.split("~")[0] === base);
}

/** Links a Google account with stored tokens through the extension endpoint (the SDK has no call for it). */
async function linkGoogleAccount(userId: string, body: Record<string, unknown>): Promise<{ id: string }> {
  const response = await fetch(`${apiUrl()}/v1/users/${userId}/external_accounts`, {
    method: "POST",
    headers: { Authorization: `Bearer ${inject("secretKey")}`, "Content-Type": "application/json" },
    body: JSON.stringify({ provider: "oauth_google", provider_user_id: `g-${Date.now()}-${Math.random()}`, ...body }),
  });
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as { id: string };
}

describe("users.getUserOauthAccessToken through the official client", () => {
  it("returns a stored token that is still fresh, without calling the provider", async () => {
    const client = clerk();
    const user = await client.users.createUser({ firstName: "Ada", skipPasswordRequirement: true });
    const base = `e2e-fresh-${Date.now()}`;
    const expiresAt = Date.now() + 3_600_000;
    const account = await linkGoogleAccount(user.id, {
      access_token: "ya29.e2e-fresh",
      refresh_token: base,
      expires_at: expiresAt,
      approved_scopes: "email profile",
    });

    const { data, totalCount } = await client.users.getUserOauthAccessToken(user.id, "oauth_google");
    expect(totalCount).toBe(1);
    expect(data).toHaveLength(1);
    expect(data[0]).toMatchObject({
      externalAccountId: account.id,
      provider: "oauth_google",
      token: "ya29.e2e-fresh",
      scopes: ["email", "profile"],
      expiresAt,
    });
    expect(await providerCalls(base)).toHaveLength(0);
  });

  it("refreshes an expired token against the provider over HTTP, once for concurrent calls", async () => {
    const client = clerk();
    const user = await client.users.createUser({ firstName: "Grace", skipPasswordRequirement: true });
    const base = `e2e-expired-${Date.now()}`;
    await linkGoogleAccount(user.id, { access_token: "ya29.e2e-old", refresh_token: base, expires_at: Date.now() - 60_000 });

    const pages = await Promise.all(Array.from({ length: 5 }, () => client.users.getUserOauthAccessToken(user.id, "google")));
    const tokens = new Set(pages.map((page) => page.data[0].token));
    expect(tokens.size).toBe(1);
    expect([...tokens][0]).toMatch(new RegExp(`^access-${base}-\\d+$`));
    expect(pages[0].data[0].expiresAt).toBeGreaterThan(Date.now() + 3_500_000);
    const calls = await providerCalls(base);
    expect(calls).toEqual([expect.objectContaining({ refreshToken: base, auth: "basic" })]);

    // Stored: the next call serves the refreshed token without another provider call.
    const again = await client.users.getUserOauthAccessToken(user.id, "oauth_google");
    expect(again.data[0].token).toBe([...tokens][0]);
    expect(await providerCalls(base)).toHaveLength(1);
  });

  it("surfaces a provider rejection as oauth_token_retrieval_error with the provider's status", async () => {
    const client = clerk();
    const user = await client.users.createUser({ firstName: "Alan", skipPasswordRequirement: true });
    await linkGoogleAccount(user.id, { access_token: "ya29.e2e-old", refresh_token: `fail400-e2e-${Date.now()}`, expires_at: Date.now() - 60_000 });
    const error = await client.users.getUserOauthAccessToken(user.id, "google").then(
      () => undefined,
      (e: any) => e,
    );
    expect(error?.status).toBe(400);
    expect(error.errors[0].code).toBe("oauth_token_retrieval_error");
    // The SDK keeps only the meta keys it knows; the provider's status is in the raw body.
    const raw = await fetch(`${apiUrl()}/v1/users/${user.id}/oauth_access_tokens/oauth_google`, {
      headers: { Authorization: `Bearer ${inject("secretKey")}` },
    });
    const body = (await raw.json()) as { errors: { code: string; meta: Record<string, unknown> }[] };
    expect(raw.status).toBe(400);
    expect(body.errors[0].meta).toMatchObject({ provider_status: 400, provider_error: "invalid_grant" });
  });

  it("a provider that is not configured → 404 oauth_token_provider_not_enabled", async () => {
    const client = clerk();
    const user = await client.users.createUser({ firstName: "Edsger", skipPasswordRequirement: true });
    const error = await client.users.getUserOauthAccessToken(user.id, "github").then(
      () => undefined,
      (e: any) => e,
    );
    expect(error?.status).toBe(404);
    expect(error.errors[0].code).toBe("oauth_token_provider_not_enabled");
  });
});
