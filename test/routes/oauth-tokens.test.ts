/**
 * GET /v1/users/:user_id/oauth_access_tokens/:provider against a real token endpoint running in
 * Node (test/support/oauth-provider.ts, installed as miniflare's outboundService in vitest.config.ts).
 */
import { env } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { createContext } from "../../workers/context";
import { decryptSecret, encryptSecret } from "../../workers/crypto/encryption";
import { ApiError } from "../../workers/http/errors";
import { tokenContext } from "../../workers/services/identities";
import { listOAuthAccessTokens } from "../../workers/services/oauth-tokens";
import { BASE, call, createUser, expectError, unique } from "../helpers";
import { assertMatchesSchema } from "../schema/validate";
import { SLOW_MS, type ProviderCall } from "../support/oauth-provider";

const MINUTE = 60_000;

/** Token requests the provider received for refresh tokens derived from `base`. */
async function providerCalls(base: string): Promise<ProviderCall[]> {
  const all = (await (await fetch("https://oauth.test/__calls")).json()) as ProviderCall[];
  return all.filter((c) => c.refreshToken?.split("~")[0] === base);
}

interface AccountOptions {
  provider?: string;
  refresh_token?: string | null;
  access_token?: string | null;
  expires_at?: number | null;
  approved_scopes?: string;
  id_token?: string;
  token_secret?: string;
  label?: string;
  public_metadata?: Record<string, unknown>;
}

async function addAccount(userId: string, options: AccountOptions = {}): Promise<{ id: string; provider_user_id: string }> {
  const body = {
    provider: "oauth_google",
    provider_user_id: unique("google-"),
    access_token: unique("access-"),
    approved_scopes: "email profile",
    ...options,
  };
  const result = await call("POST", `/v1/users/${userId}/external_accounts`, body);
  expect(result.status, JSON.stringify(result.body)).toBe(200);
  return result.body;
}

/** The stored row, to check what a refresh wrote (or did not write). */
async function storedRow(accountId: string): Promise<Record<string, unknown>> {
  return (await env.DB.prepare("SELECT * FROM external_accounts WHERE id = ?").bind(accountId).first())!;
}

function tokenColumns(row: Record<string, unknown>) {
  const { access_token_encrypted, refresh_token_encrypted, id_token_encrypted, token_expires_at, approved_scopes, updated_at } = row;
  return { access_token_encrypted, refresh_token_encrypted, id_token_encrypted, token_expires_at, approved_scopes, updated_at };
}

const tokensPath = (userId: string, provider = "oauth_google", query = "") => `/v1/users/${userId}/oauth_access_tokens/${provider}${query}`;

/** GET the tokens as a bare array, validated against the spec's OAuthAccessToken schema. */
async function getTokens(userId: string, provider = "oauth_google", query = "") {
  return call("GET", tokensPath(userId, provider, query), undefined, { schema: "OAuthAccessToken" });
}

describe("GET /v1/users/:user_id/oauth_access_tokens/:provider", () => {
  it("returns a fresh token as stored, without calling the provider", async () => {
    const user = await createUser();
    const base = unique("fresh-");
    const expiresAt = Date.now() + 30 * MINUTE;
    const account = await addAccount(user.id, {
      refresh_token: base,
      access_token: "ya29.fresh-token",
      expires_at: expiresAt,
      id_token: "eyJ.id.token",
      label: "work",
      public_metadata: { team: "ünïcødé" },
    });
    const result = await getTokens(user.id);
    expect(result.status).toBe(200);
    expect(result.body).toEqual([
      {
        object: "oauth_access_token",
        external_account_id: account.id,
        provider_user_id: account.provider_user_id,
        token: "ya29.fresh-token",
        provider: "oauth_google",
        public_metadata: { team: "ünïcødé" },
        label: "work",
        scopes: ["email", "profile"],
        expires_at: expiresAt,
        id_token: "eyJ.id.token",
      },
    ]);
    // The refresh token is never served.
    expect(JSON.stringify(result.body)).not.toContain(base);
    expect(await providerCalls(base)).toEqual([]);
  });

  it("accepts the provider with or without the oauth_ prefix", async () => {
    const user = await createUser();
    await addAccount(user.id, { access_token: "tok-prefix" });
    expect((await getTokens(user.id, "google")).body[0].token).toBe("tok-prefix");
    expect((await getTokens(user.id, "oauth_google")).body[0].token).toBe("tok-prefix");
  });

  it("serves token_secret when stored and no expiry when none is known", async () => {
    const user = await createUser();
    await addAccount(user.id, { access_token: "oauth1-token", token_secret: "oauth1-secret", expires_at: null, approved_scopes: "" });
    const [token] = (await getTokens(user.id)).body;
    expect(token).toMatchObject({ token: "oauth1-token", token_secret: "oauth1-secret", expires_at: null, scopes: [], label: null });
    expect(token).not.toHaveProperty("id_token");
  });

  it("refreshes an expired token, stores the result, and serves it before responding", async () => {
    const user = await createUser();
    const base = unique("expired-");
    const account = await addAccount(user.id, { refresh_token: base, access_token: "old-access", expires_at: Date.now() - MINUTE });
    const before = await storedRow(account.id);
    const startedAt = Date.now();

    const result = await getTokens(user.id);
    expect(result.status, JSON.stringify(result.body)).toBe(200);
    const [token] = result.body;
    expect(token.token).toMatch(new RegExp(`^access-${base}-\\d+$`));
    expect(token.expires_at).toBeGreaterThanOrEqual(startedAt + 3599_000);
    expect(token.expires_at).toBeLessThanOrEqual(Date.now() + 3599_000);
    expect(token.scopes).toEqual(["openid", "email", "https://www.googleapis.com/auth/calendar"]);
    expect(token.id_token).toMatch(new RegExp(`^id-${base}-\\d+$`));

    // RFC 6749 §6 with client_secret_basic, and the secret from OAUTH_GOOGLE_CLIENT_SECRET (not the var).
    const calls = await providerCalls(base);
    expect(calls).toEqual([
      {
        path: "/token",
        grantType: "refresh_token",
        refreshToken: base,
        auth: "basic",
        clientId: "client-id-test",
        clientSecret: "client-secret-from-secret",
      },
    ]);

    // Stored sealed (not in plain text), rotated refresh token included, lease released.
    const after = await storedRow(account.id);
    expect(after.access_token_encrypted).not.toBe(before.access_token_encrypted);
    expect(after.refresh_token_encrypted).not.toBe(before.refresh_token_encrypted);
    expect(String(after.access_token_encrypted)).not.toContain(token.token);
    expect(after.token_expires_at).toBe(token.expires_at);
    expect(after.approved_scopes).toBe("openid email https://www.googleapis.com/auth/calendar");
    expect(after.refresh_lease_id).toBeNull();

    // The stored token is fresh now: served again without another provider call.
    const again = await getTokens(user.id);
    expect(again.body[0].token).toBe(token.token);
    expect(await providerCalls(base)).toHaveLength(1);
  });

  it("refreshes a token that expires within 60 seconds, but not one with two minutes left", async () => {
    const user = await createUser();
    const soon = unique("soon-");
    const later = unique("later-");
    await addAccount(user.id, { refresh_token: soon, access_token: "soon-access", expires_at: Date.now() + 30_000 });
    await addAccount(user.id, { refresh_token: later, access_token: "later-access", expires_at: Date.now() + 2 * MINUTE });
    const tokens = (await getTokens(user.id)).body.map((t: { token: string }) => t.token);
    expect(tokens[0]).toMatch(new RegExp(`^access-${soon}-`));
    expect(tokens[1]).toBe("later-access");
    expect(await providerCalls(soon)).toHaveLength(1);
    expect(await providerCalls(later)).toHaveLength(0);
  });

  it("uses the rotated refresh token for the next refresh", async () => {
    const user = await createUser();
    const base = unique("rotate-");
    const account = await addAccount(user.id, { refresh_token: base, expires_at: Date.now() - MINUTE });
    const first = (await getTokens(user.id)).body[0].token;

    // Let the new access token expire; the provider refuses the spent original refresh token.
    await env.DB.prepare("UPDATE external_accounts SET token_expires_at = ? WHERE id = ?")
      .bind(Date.now() - 1, account.id)
      .run();
    const second = await getTokens(user.id);
    expect(second.status, JSON.stringify(second.body)).toBe(200);
    expect(second.body[0].token).not.toBe(first);

    const calls = await providerCalls(base);
    expect(calls).toHaveLength(2);
    expect(calls[0].refreshToken).toBe(base);
    // The second refresh spent the token the first one returned (`<base>~<n>`), not the original.
    expect(calls[1].refreshToken).toMatch(new RegExp(`^${base}~\\d+$`));
  });

  it("keeps the refresh token and scopes when the provider returns neither", async () => {
    const user = await createUser();
    const base = unique("norotate-");
    const account = await addAccount(user.id, { refresh_token: base, expires_at: Date.now() - MINUTE, approved_scopes: "repo gist" });
    const before = await storedRow(account.id);
    const [token] = (await getTokens(user.id)).body;
    expect(token.token).toMatch(new RegExp(`^access-${base}-`));
    expect(token.scopes).toEqual(["repo", "gist"]);
    // No expires_in: the expiry is unknown rather than invented.
    expect(token.expires_at).toBeNull();
    const after = await storedRow(account.id);
    expect(after.refresh_token_encrypted).toBe(before.refresh_token_encrypted);
  });

  it("refreshes an account that has a refresh token but no access token", async () => {
    const user = await createUser();
    const base = unique("noaccess-");
    await addAccount(user.id, { refresh_token: base, access_token: null, expires_at: null });
    const [token] = (await getTokens(user.id)).body;
    expect(token.token).toMatch(new RegExp(`^access-${base}-`));
    expect(await providerCalls(base)).toHaveLength(1);
  });

  it("sends client credentials in the form body for client_secret_post providers", async () => {
    const user = await createUser();
    const base = unique("post-");
    await addAccount(user.id, { provider: "oauth_github", refresh_token: base, expires_at: Date.now() - MINUTE });
    const result = await getTokens(user.id, "github");
    expect(result.status, JSON.stringify(result.body)).toBe(200);
    expect(result.body[0].provider).toBe("oauth_github");
    const calls = await providerCalls(base);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ path: "/token-post", auth: "post", clientId: "client-id-test", clientSecret: "client-secret-from-secret" });
  });

  it("takes over a lease whose holder never finished once it has lapsed", async () => {
    const user = await createUser();
    const base = unique("crashed-");
    const account = await addAccount(user.id, { refresh_token: base, expires_at: Date.now() - MINUTE });
    await env.DB.prepare("UPDATE external_accounts SET refresh_lease_id = 'lease_crashed', refresh_lease_until = ? WHERE id = ?")
      .bind(Date.now() - 1, account.id)
      .run();
    const result = await getTokens(user.id);
    expect(result.status, JSON.stringify(result.body)).toBe(200);
    expect(await providerCalls(base)).toHaveLength(1);
    expect((await storedRow(account.id)).refresh_lease_id).toBeNull();
  });
});

describe("single flight", () => {
  it("5 concurrent requests for an expired token cause exactly one provider call and get the same token", async () => {
    const user = await createUser();
    const base = unique("concurrent-");
    await addAccount(user.id, { refresh_token: base, expires_at: Date.now() - MINUTE });
    const results = await Promise.all(Array.from({ length: 5 }, () => getTokens(user.id)));
    for (const result of results) expect(result.status, JSON.stringify(result.body)).toBe(200);
    const tokens = new Set(results.map((r) => r.body[0].token));
    expect(tokens.size).toBe(1);
    expect([...tokens][0]).toMatch(new RegExp(`^access-${base}-`));
    expect(await providerCalls(base)).toHaveLength(1);
  });

  it("a request that meets another holder's live lease waits and returns the holder's stored token", async () => {
    const user = await createUser();
    const base = unique("holder-");
    const account = await addAccount(user.id, { refresh_token: base, expires_at: Date.now() - MINUTE });
    await env.DB.prepare("UPDATE external_accounts SET refresh_lease_id = 'lease_other', refresh_lease_until = ? WHERE id = ?")
      .bind(Date.now() + 5_000, account.id)
      .run();
    const pending = getTokens(user.id);
    // The other holder finishes: new sealed token stored, lease released.
    const sealed = await encryptSecret(env.CREDENTIALS_ENCRYPTION_KEY, "holder-token", tokenContext(account.id, "access_token"));
    await env.DB.prepare(
      "UPDATE external_accounts SET access_token_encrypted = ?, token_expires_at = ?, refresh_lease_id = NULL, refresh_lease_until = NULL WHERE id = ?",
    )
      .bind(sealed, Date.now() + 30 * MINUTE, account.id)
      .run();
    const result = await pending;
    expect(result.status, JSON.stringify(result.body)).toBe(200);
    expect(result.body[0].token).toBe("holder-token");
    expect(await providerCalls(base)).toHaveLength(0);
  });

  it("a request waiting on a lease whose holder vanished refreshes itself once the lease lapses", async () => {
    const user = await createUser();
    const base = unique("vanished-");
    const account = await addAccount(user.id, { refresh_token: base, expires_at: Date.now() - MINUTE });
    const lapsesAt = Date.now() + 400;
    await env.DB.prepare("UPDATE external_accounts SET refresh_lease_id = 'lease_vanished', refresh_lease_until = ? WHERE id = ?")
      .bind(lapsesAt, account.id)
      .run();
    const result = await getTokens(user.id);
    expect(result.status, JSON.stringify(result.body)).toBe(200);
    expect(result.body[0].token).toMatch(new RegExp(`^access-${base}-`));
    // It could not take the lease before it lapsed.
    expect(Date.now()).toBeGreaterThanOrEqual(lapsesAt);
    expect(await providerCalls(base)).toHaveLength(1);
  });

  /**
   * SELF.fetch delivers requests to one isolate, which may start them some milliseconds apart;
   * calling the service with independent contexts in the same tick makes every request read the
   * expired row first, as separate isolates would, so only the D1 lease can keep it to one call.
   */
  function sameTick(userId: string, n: number) {
    const contexts = Array.from({ length: n }, () => createContext(env, new Request(`${BASE}/`)));
    return Promise.allSettled(contexts.map((ctx) => listOAuthAccessTokens(ctx, userId, "google", { limit: 10, offset: 0 })));
  }

  it("5 requests that all read the expired row before any takes the lease still cause one provider call", async () => {
    const user = await createUser();
    const base = unique("sametick-");
    await addAccount(user.id, { refresh_token: base, expires_at: Date.now() - MINUTE });
    const settled = await sameTick(user.id, 5);
    const tokens = settled.map((s) => (s.status === "fulfilled" ? s.value.tokens[0].token : String(s.reason)));
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).toMatch(new RegExp(`^access-${base}-`));
    expect(await providerCalls(base)).toHaveLength(1);
  });

  it("5 concurrent requests against a failing provider cause one call, and all report its status", async () => {
    const user = await createUser();
    const base = unique("fail400-");
    await addAccount(user.id, { refresh_token: base, expires_at: Date.now() - MINUTE });
    const settled = await sameTick(user.id, 5);
    for (const outcome of settled) {
      expect(outcome.status).toBe("rejected");
      const error = (outcome as PromiseRejectedResult).reason as ApiError;
      expect(error).toBeInstanceOf(ApiError);
      expect([error.status, error.code]).toEqual([400, "oauth_token_retrieval_error"]);
      expect(error.meta).toMatchObject({ provider_status: 400, provider_error: "invalid_grant" });
    }
    expect(await providerCalls(base)).toHaveLength(1);

    // Over HTTP too: each concurrent request reports the error with the provider's status.
    const httpBase = unique("fail400-");
    const other = await createUser();
    await addAccount(other.id, { refresh_token: httpBase, expires_at: Date.now() - MINUTE });
    const results = await Promise.all(Array.from({ length: 5 }, () => getTokens(other.id)));
    for (const result of results) {
      const error = expectError(result, 400, "oauth_token_retrieval_error");
      expect(error.meta).toMatchObject({ provider_status: 400, provider_error: "invalid_grant" });
    }
  });

  it("refreshes each of a user's accounts once when several are expired", async () => {
    const user = await createUser();
    const bases = [unique("multi-"), unique("multi-"), unique("multi-")];
    for (const base of bases) await addAccount(user.id, { refresh_token: base, expires_at: Date.now() - MINUTE });
    const results = await Promise.all([getTokens(user.id), getTokens(user.id)]);
    for (const result of results) expect(result.status).toBe(200);
    expect(results[0].body.map((t: { token: string }) => t.token)).toEqual(results[1].body.map((t: { token: string }) => t.token));
    for (const base of bases) expect(await providerCalls(base)).toHaveLength(1);
  });
});

describe("an account removed while its refresh is in flight", () => {
  /** Resolves once the provider has received a token request for `base`. */
  async function providerReached(base: string): Promise<void> {
    for (let i = 0; i < 200 && (await providerCalls(base)).length === 0; i += 1) await new Promise((r) => setTimeout(r, 5));
    expect(await providerCalls(base)).toHaveLength(1);
  }

  it("is not resurrected, the holder and a waiter answer 404 (or the waiter, if it arrives after the delete, finds no account), and no token reaches the logs", async () => {
    const logged: string[] = [];
    const spies = (["log", "info", "warn", "error", "debug"] as const).map((level) =>
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(" "))),
    );
    try {
      // An email address, so the external account is not the user's last identification.
      const user = await createUser({ email_address: [`${unique("holder")}@example.com`] });
      const base = unique("hold-");
      const account = await addAccount(user.id, { refresh_token: base, access_token: "before-delete", expires_at: Date.now() - MINUTE });
      const holder = getTokens(user.id);
      await providerReached(base);
      const waiter = getTokens(user.id);
      const removed = await call("DELETE", `/v1/users/${user.id}/external_accounts/${account.id}`);
      expect(removed.status, JSON.stringify(removed.body)).toBe(200);
      const [holderResult, waiterResult] = await Promise.all([holder, waiter]);
      expectError(holderResult, 404, "resource_not_found");
      // The waiter was started before the DELETE but nothing orders its first read: waiting on
      // the removed account's lease it answers 404; reading after the removal, it lists nothing.
      if (waiterResult.status === 200) expect(waiterResult.body).toEqual([]);
      else expectError(waiterResult, 404, "resource_not_found");
      expect(await env.DB.prepare("SELECT count(*) AS n FROM external_accounts WHERE id = ?").bind(account.id).first("n")).toBe(0);
      // The provider was called once and its new tokens went nowhere.
      expect(await providerCalls(base)).toHaveLength(1);
      expect((await getTokens(user.id)).body).toEqual([]);
      for (const line of logged) {
        expect(line).not.toContain(base);
        expect(line).not.toContain(`access-${base}`);
        expect(line).not.toContain("before-delete");
      }
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });
});

describe("new tokens the database refuses to store", () => {
  it("release the lease at once and keep the rotated refresh token, so the next request refreshes with it", async () => {
    const logged: string[] = [];
    const spies = (["log", "info", "warn", "error", "debug"] as const).map((level) =>
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(" "))),
    );
    try {
      const user = await createUser();
      const base = unique("huge-");
      const account = await addAccount(user.id, { refresh_token: base, access_token: "old-access", expires_at: Date.now() - MINUTE });
      const before = await storedRow(account.id);
      // The provider issues a 6 MB access token, which D1 refuses to store (SQLITE_TOOBIG).
      const failed = await getTokens(user.id);
      expectError(failed, 500, "internal_clerk_error");
      const after = await storedRow(account.id);
      // The lease is free, the old access token is still there, and the refresh token is the new
      // one (the provider has spent the old one).
      expect(after.refresh_lease_until).toBeNull();
      expect(after.access_token_encrypted).toBe(before.access_token_encrypted);
      const calls = await providerCalls(base);
      expect(calls.map((c) => c.refreshToken)).toEqual([base]);
      const kept = await decryptSecret(
        env.CREDENTIALS_ENCRYPTION_KEY,
        after.refresh_token_encrypted as string,
        tokenContext(account.id, "refresh_token"),
      );
      expect(kept).toMatch(new RegExp(`^${base}~\\d+$`));

      // The next request does not wait for a lease to lapse, and refreshes with the kept token.
      const next = await getTokens(user.id);
      expect(next.status, JSON.stringify(next.body)).toBe(200);
      expect(next.body[0].token).toMatch(new RegExp(`^access-${base}-\\d+$`));
      expect((await providerCalls(base)).map((c) => c.refreshToken)).toEqual([base, kept]);
      for (const line of logged) {
        expect(line).not.toContain(base);
        expect(line).not.toContain("hhhhhhhh");
      }
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  }, 30_000);
});

describe("refresh failures leave the stored tokens as they were", () => {
  async function expectFailure(prefix: string, meta: Record<string, unknown>) {
    const user = await createUser();
    const base = unique(prefix);
    const account = await addAccount(user.id, { refresh_token: base, access_token: "still-old", expires_at: Date.now() - MINUTE });
    const before = tokenColumns(await storedRow(account.id));
    const result = await getTokens(user.id);
    const error = expectError(result, 400, "oauth_token_retrieval_error");
    expect(error.message).toBe("Token retrieval failed");
    expect(error.meta).toEqual(meta);
    // Neither our tokens nor the provider's error text are echoed.
    expect(JSON.stringify(result.body)).not.toContain(base);
    expect(JSON.stringify(result.body)).not.toContain("still-old");
    expect(tokenColumns(await storedRow(account.id))).toEqual(before);
    return { user, base };
  }

  it("provider 400 invalid_grant → 400 with the provider's status", async () => {
    const { base } = await expectFailure("fail400-", { reason: "http_error", provider_status: 400, provider_error: "invalid_grant" });
    expect(await providerCalls(base)).toHaveLength(1);
  });

  it("provider 503 with an HTML body → 400 with status 503", async () => {
    await expectFailure("fail503-", { reason: "http_error", provider_status: 503 });
  });

  it("a 200 without access_token → 400 invalid_response", async () => {
    await expectFailure("badjson-", { reason: "invalid_response", provider_status: 200 });
  });

  it("provider timeout → 400 within the configured bound, and a later request may try again", async () => {
    const startedAt = Date.now();
    const { user, base } = await expectFailure("slow-", { reason: "timeout", provider_status: null });
    // OAUTH_REFRESH_TIMEOUT_MS is 1000 in the test config; the provider would answer after SLOW_MS.
    expect(Date.now() - startedAt).toBeLessThan(SLOW_MS);
    // The failed lease does not block the next request: it calls the provider again.
    await expectError(await getTokens(user.id), 400, "oauth_token_retrieval_error");
    expect(await providerCalls(base)).toHaveLength(2);
  });

  it("expired without a refresh token → 422 oauth_missing_refresh_token", async () => {
    const user = await createUser();
    await addAccount(user.id, { refresh_token: null, expires_at: Date.now() - 1 });
    const error = expectError(await getTokens(user.id), 422, "oauth_missing_refresh_token");
    expect(error.message).toBe("Cannot refresh OAuth access token");
  });

  it("serves a token inside the 60 s window as is when there is no refresh token", async () => {
    const user = await createUser();
    await addAccount(user.id, { refresh_token: null, access_token: "last-seconds", expires_at: Date.now() + 30_000 });
    expect((await getTokens(user.id)).body[0].token).toBe("last-seconds");
  });

  it("no access token and no refresh token → 422 oauth_missing_access_token", async () => {
    const user = await createUser();
    await addAccount(user.id, { refresh_token: null, access_token: null });
    expectError(await getTokens(user.id), 422, "oauth_missing_access_token");
  });
});

describe("response shapes and lookups", () => {
  it("bare array without paginated, {data,total_count} with paginated=true, honouring limit and offset", async () => {
    const user = await createUser();
    const accounts = [];
    for (let i = 0; i < 3; i++) accounts.push(await addAccount(user.id, { access_token: `page-token-${i}` }));
    // Neither another provider's nor another user's accounts are listed.
    await addAccount(user.id, { provider: "oauth_github", access_token: "other-provider" });
    await addAccount((await createUser()).id, { access_token: "other-user" });

    const bare = await getTokens(user.id);
    expect(bare.body.map((t: { token: string }) => t.token)).toEqual(["page-token-0", "page-token-1", "page-token-2"]);

    const first = await call("GET", tokensPath(user.id, "google", "?paginated=true&limit=2"));
    expect(first.status).toBe(200);
    expect(Object.keys(first.body).sort()).toEqual(["data", "total_count"]);
    assertMatchesSchema("OAuthAccessToken", first.body.data);
    expect(first.body.total_count).toBe(3);
    expect(first.body.data.map((t: { external_account_id: string }) => t.external_account_id)).toEqual([accounts[0].id, accounts[1].id]);

    const second = await call("GET", tokensPath(user.id, "google", "?paginated=true&limit=2&offset=2"));
    expect(second.body).toMatchObject({ total_count: 3, data: [{ external_account_id: accounts[2].id }] });

    // limit and offset apply to the bare array too.
    expect((await getTokens(user.id, "google", "?limit=1&offset=1")).body.map((t: { token: string }) => t.token)).toEqual(["page-token-1"]);
    expect((await getTokens(user.id, "google", "?paginated=false")).body).toHaveLength(3);
  });

  it("a user without accounts for the provider gets an empty list in both shapes", async () => {
    const user = await createUser();
    expect((await getTokens(user.id)).body).toEqual([]);
    const paginated = await call("GET", tokensPath(user.id, "oauth_google", "?paginated=true"));
    expect(paginated.body).toEqual({ data: [], total_count: 0 });
  });

  it.each([
    ["limit=0", "limit"],
    ["limit=501", "limit"],
    ["limit=ten", "limit"],
    ["offset=-1", "offset"],
    ["paginated=maybe", "paginated"],
  ])("rejects %s with 422 naming the parameter", async (query, param) => {
    const user = await createUser();
    expectError(await call("GET", tokensPath(user.id, "oauth_google", `?${query}`)), 422, "form_param_value_invalid", param);
  });

  it("unknown user → 404", async () => {
    expectError(await call("GET", tokensPath("user_doesnotexist")), 404, "resource_not_found");
    expectError(await call("GET", tokensPath("user_' OR 1=1 --")), 404, "resource_not_found");
  });

  it("a provider without refresh settings → 404 oauth_token_provider_not_enabled", async () => {
    const user = await createUser();
    await addAccount(user.id, { provider: "oauth_facebook", access_token: "fb" });
    for (const provider of ["oauth_facebook", "facebook", "oauth_google'%20OR%201=1--", "%C3%BC"]) {
      const error = expectError(await call("GET", tokensPath(user.id, provider)), 404, "oauth_token_provider_not_enabled");
      expect(error.message).toBe("OAuth provider not enabled");
    }
  });

  it("requires the secret key", async () => {
    const user = await createUser();
    expectError(await call("GET", tokensPath(user.id), undefined, { noAuth: true }), 401, "authorization_header_format_invalid");
  });
});
