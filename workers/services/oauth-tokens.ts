/**
 * A user's OAuth access tokens (GET /v1/users/:user_id/oauth_access_tokens/:provider), refreshed
 * transparently when expired or about to expire.
 *
 * Single flight: Workers isolates share no memory, so the refresh lease is a row-level lease in
 * D1 (db/oauth-tokens.ts). Exactly one request per account calls the provider — a rotating
 * refresh token must not be spent twice — and the others poll the row until the holder has
 * stored new tokens (and return them) or has recorded a failure (and report it).
 */
import type { AppContext } from "../context";
import { decryptSecret, encryptSecret } from "../crypto/encryption";
import {
  acquireRefreshLease,
  countExternalAccountsByProvider,
  endRefreshLease,
  findExternalAccountById,
  keepRefreshTokenAndReleaseLease,
  listExternalAccountsByProvider,
  storeRefreshedTokens,
  type RefreshedColumns,
} from "../db/oauth-tokens";
import { normalizeProvider } from "../db/normalize";
import type { ExternalAccountRow } from "../db/schema";
import { errors, type ApiErrorMeta } from "../http/errors";
import { tokenContext } from "./identities";
import { findOAuthProvider, type OAuthProviderConfig } from "./oauth-providers";
import { requestTokenRefresh, TokenRefreshError, type RefreshedTokens } from "./oauth-token-endpoint";
import { requireUserRow } from "./require-user";

/** A token expiring within this window is refreshed first, so the caller gets a usable one. */
export const REFRESH_SKEW_MS = 60_000;
/** How long a lease outlives the provider timeout: room for D1 writes before it lapses. */
const LEASE_GRACE_MS = 5_000;
/** Waiters poll the row with doubling delays between these bounds. */
const POLL_FIRST_MS = 20;
const POLL_MAX_MS = 250;
/** A lease id with this prefix records a failed refresh (and its error meta) for the waiters. */
const FAILED_OUTCOME = "failed:";

/** An account's current tokens in plain text; only the route's serializer sees these. */
export interface OAuthTokenView {
  account: ExternalAccountRow;
  token: string;
  idToken: string | null;
  tokenSecret: string | null;
}

export interface OAuthTokenPage {
  tokens: OAuthTokenView[];
  totalCount: number;
}

/**
 * One page of the user's tokens for `provider` (with or without the `oauth_` prefix), each
 * refreshed first if needed. Unknown user → 404; provider without refresh settings → 404
 * oauth_token_provider_not_enabled; a failed refresh fails the request (stored tokens unchanged).
 */
export async function listOAuthAccessTokens(
  ctx: AppContext,
  userId: string,
  provider: string,
  page: { limit: number; offset: number },
): Promise<OAuthTokenPage> {
  await requireUserRow(ctx, userId);
  const config = findOAuthProvider(ctx.env, provider);
  if (!config) throw errors.oauthTokenProviderNotEnabled();
  const name = normalizeProvider(provider);
  const [totalCount, rows] = await Promise.all([
    countExternalAccountsByProvider(ctx.db, userId, name),
    listExternalAccountsByProvider(ctx.db, userId, name, page),
  ]);
  const tokens = await Promise.all(rows.map(async (row) => openTokens(ctx, await ensureFreshTokens(ctx, config, row))));
  return { tokens, totalCount };
}

function needsRefresh(row: ExternalAccountRow, now: number): boolean {
  return row.accessTokenEncrypted === null || (row.tokenExpiresAt !== null && row.tokenExpiresAt - now <= REFRESH_SKEW_MS);
}

function leaseDurationMs(ctx: AppContext): number {
  return ctx.config.oauthRefreshTimeoutMs + LEASE_GRACE_MS;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The error meta a failed holder recorded in its lease id, or undefined if the lease did not fail. */
function recordedFailure(leaseId: string | null): ApiErrorMeta | undefined {
  if (!leaseId?.startsWith(FAILED_OUTCOME)) return undefined;
  try {
    return JSON.parse(leaseId.slice(FAILED_OUTCOME.length)) as ApiErrorMeta;
  } catch {
    return { reason: "unknown", provider_status: null };
  }
}

const externalAccountGone = () => errors.notFound("The External Account was not found.");

/**
 * Returns the row with usable tokens: as stored when fresh, otherwise after a refresh done by
 * this request (if it wins the lease) or by the request that holds it.
 */
async function ensureFreshTokens(ctx: AppContext, config: OAuthProviderConfig, initial: ExternalAccountRow): Promise<ExternalAccountRow> {
  // A waiter gives up once a crashed holder's lease would have lapsed and a refresh had time to run.
  const deadline = ctx.now() + leaseDurationMs(ctx) + ctx.config.oauthRefreshTimeoutMs;
  let row = initial;
  // Set once another request is known to have refreshed (or tried to) since this one started.
  let otherAttempt = false;
  let delay = POLL_FIRST_MS;
  for (;;) {
    const now = ctx.now();
    if (!needsRefresh(row, now)) return row;
    if (row.refreshTokenEncrypted === null) {
      if (row.accessTokenEncrypted === null) throw errors.oauthMissingAccessToken();
      // Inside the skew window but not yet expired: still usable, and nothing to refresh with.
      if (row.tokenExpiresAt !== null && row.tokenExpiresAt <= now) throw errors.oauthMissingRefreshToken();
      return row;
    }
    const leaseLive = row.refreshLeaseUntil !== null && row.refreshLeaseUntil > now;
    if (leaseLive) {
      otherAttempt = true;
    } else {
      const failure = otherAttempt ? recordedFailure(row.refreshLeaseId) : undefined;
      // The refresh this request waited on failed: report it rather than call the provider again.
      if (failure) throw errors.oauthTokenRetrievalError(failure);
      const leaseId = `lease_${crypto.randomUUID()}`;
      const taken = await acquireRefreshLease(ctx.db, {
        accountId: row.id,
        leaseId,
        now,
        until: now + leaseDurationMs(ctx),
        expectedAccessToken: row.accessTokenEncrypted,
      });
      if (taken) return refreshUnderLease(ctx, config, row, leaseId);
      // Someone took the lease or stored new tokens between our read and our update.
      otherAttempt = true;
    }
    if (ctx.now() >= deadline) throw errors.oauthTokenRetrievalError({ reason: "refresh_in_progress", provider_status: null });
    await sleep(delay);
    delay = Math.min(delay * 2, POLL_MAX_MS);
    const reread = await findExternalAccountById(ctx.db, row.id);
    if (!reread) throw externalAccountGone();
    row = reread;
  }
}

/** Calls the provider while holding the lease, then stores the new tokens and releases it in one write. */
async function refreshUnderLease(
  ctx: AppContext,
  config: OAuthProviderConfig,
  row: ExternalAccountRow,
  leaseId: string,
): Promise<ExternalAccountRow> {
  const key = ctx.config.encryptionKey;
  let refreshed: RefreshedTokens;
  try {
    const refreshToken = await decryptSecret(key, row.refreshTokenEncrypted!, tokenContext(row.id, "refresh_token"));
    refreshed = await requestTokenRefresh(config, refreshToken, ctx.config.oauthRefreshTimeoutMs);
  } catch (error) {
    if (!(error instanceof TokenRefreshError)) {
      // Not the provider's doing (e.g. a wrong encryption key): free the lease and surface a 500.
      await endRefreshLease(ctx.db, row.id, leaseId, "released", ctx.now());
      throw error;
    }
    const meta: ApiErrorMeta = {
      reason: error.reason,
      provider_status: error.providerStatus,
      ...(error.providerError ? { provider_error: error.providerError } : {}),
    };
    await endRefreshLease(ctx.db, row.id, leaseId, FAILED_OUTCOME + JSON.stringify(meta), ctx.now());
    throw errors.oauthTokenRetrievalError(meta);
  }
  const now = ctx.now();
  const seal = (field: Parameters<typeof tokenContext>[1], value: string) => encryptSecret(key, value, tokenContext(row.id, field));
  // §6: keep the old refresh token unless the provider issued a new one.
  let newRefreshToken: string | undefined;
  let stored: ExternalAccountRow | undefined;
  let columns: RefreshedColumns;
  try {
    newRefreshToken = refreshed.refreshToken ? await seal("refresh_token", refreshed.refreshToken) : undefined;
    columns = {
      accessTokenEncrypted: await seal("access_token", refreshed.accessToken),
      refreshTokenEncrypted: newRefreshToken ?? row.refreshTokenEncrypted!,
      idTokenEncrypted: refreshed.idToken ? await seal("id_token", refreshed.idToken) : row.idTokenEncrypted,
      // No expires_in: the expiry is unknown, so the token is served until the provider rejects it.
      tokenExpiresAt: refreshed.expiresIn !== undefined ? now + refreshed.expiresIn * 1000 : null,
      approvedScopes: refreshed.scope ?? row.approvedScopes,
      updatedAt: now,
    };
    stored = await storeRefreshedTokens(ctx.db, row.id, leaseId, columns);
  } catch (error) {
    // The provider answered but its tokens could not be stored (a D1 error, or a token larger
    // than D1 stores): release the lease now rather than leave waiters until it lapses, keep
    // the new refresh token if there is one, and fail this request (500, the cause logged).
    await releaseAfterFailedStore(ctx, row.id, leaseId, newRefreshToken);
    throw error;
  }
  if (stored) return stored;
  // The account was removed (or its user deleted) during the refresh: the UPDATE wrote nothing,
  // so nothing is resurrected, and the new tokens are not handed out for an unlinked account.
  if (!(await findExternalAccountById(ctx.db, row.id))) throw externalAccountGone();
  // The lease lapsed and was taken over while we stored: the tokens we hold are still valid for
  // this response, but the newer holder's write wins. Logged without any token.
  console.warn(`oauth refresh: lease on external account ${row.id} lapsed before its tokens were stored`);
  return { ...row, ...columns, refreshLeaseId: null, refreshLeaseUntil: null };
}

/**
 * A refresh's tokens could not be stored: keeps the provider's new refresh token (the old one
 * may be spent) and releases the lease in one fenced write; with no new refresh token, only
 * releases it. Requests waiting on the lease then refresh themselves with what is stored. If
 * even this write fails the lease lapses on its own; that is logged, without any token.
 */
async function releaseAfterFailedStore(ctx: AppContext, accountId: string, leaseId: string, newRefreshToken: string | undefined): Promise<void> {
  try {
    if (newRefreshToken) await keepRefreshTokenAndReleaseLease(ctx.db, accountId, leaseId, newRefreshToken, ctx.now());
    else await endRefreshLease(ctx.db, accountId, leaseId, "released", ctx.now());
  } catch {
    console.error(`oauth refresh: could not release the lease on external account ${accountId} after a failed store; it lapses by itself`);
  }
}

async function openTokens(ctx: AppContext, row: ExternalAccountRow): Promise<OAuthTokenView> {
  const key = ctx.config.encryptionKey;
  const open = (field: Parameters<typeof tokenContext>[1], sealed: string | null) =>
    sealed === null ? Promise.resolve(null) : decryptSecret(key, sealed, tokenContext(row.id, field));
  const [token, idToken, tokenSecret] = await Promise.all([
    open("access_token", row.accessTokenEncrypted),
    open("id_token", row.idTokenEncrypted),
    open("token_secret", row.tokenSecretEncrypted),
  ]);
  return { account: row, token: token ?? "", idToken, tokenSecret };
}
