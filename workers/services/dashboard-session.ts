/**
 * Dashboard sessions (README, Dashboard): an operator proves once that they hold one of the
 * instance's secret keys and gets a signed, expiring token in an HttpOnly cookie instead.
 *
 * Token: `v1.<kid>.<expires_at ms>.<nonce>.<signature>`, the signature being HMAC-SHA256
 * (RFC 2104) over everything before it. It never contains the key. The HMAC key and the key id
 * are both derived from the secret key that signed in, with HKDF-SHA256 (RFC 5869) under
 * different `info` labels:
 *   - a session verifies only while the key it was made with is still in CLERK_SECRET_KEY, so
 *     removing a key (rotation, or a leaked key) ends every session made with it, and only those;
 *   - the key id (8 bytes of HKDF output) names that key without revealing it (HKDF output is
 *     pseudorandom; it cannot be inverted to the key), so verification needs one HMAC, not one per key.
 *
 * Signing out ends the session on the server too (issue 17: "Sign out ends it"): the token's
 * nonce goes into dashboard_revoked_sessions until the token's own expiry, and every cookie
 * request refuses a listed nonce. Only a token whose signature verifies costs that lookup, so a
 * forged or expired cookie is refused without touching D1, and Bearer-key requests never do.
 * After its expiry the signature check refuses the token by itself, so the row can go.
 */
import type { AppContext } from "../context";
import { timingSafeEqualStrings } from "../crypto/constant-time";
import { isSessionRevoked, recordRevokedSession } from "../db/dashboard-sessions";

/** How long a session lasts (issue 17: 8 hours). */
export const SESSION_TTL_MS = 8 * 60 * 60 * 1000;
const TOKEN_VERSION = "v1";
const HKDF_SALT = new TextEncoder().encode("clerk-users-edge dashboard session");
const encoder = new TextEncoder();

interface DerivedKey {
  kid: string;
  hmac: CryptoKey;
}

// Per isolate: deriving costs two HKDF calls per key, and keys change only with a deployment.
const derivedKeys = new Map<string, Promise<DerivedKey>>();

function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/**
 * The bytes of canonical unpadded base64url text, else undefined. Canonical: the unused low bits
 * of the last character are zero (RFC 4648 §3.5), so each signature has exactly one spelling and
 * a token cannot be altered into another string that still verifies.
 */
function fromBase64url(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
  const padded = text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4);
  let bytes: Uint8Array;
  try {
    bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
  return base64url(bytes) === text ? bytes : undefined;
}

async function derive(secretKey: string): Promise<DerivedKey> {
  const ikm = await crypto.subtle.importKey("raw", encoder.encode(secretKey), "HKDF", false, ["deriveBits"]);
  const bits = (info: string, length: number) =>
    crypto.subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt: HKDF_SALT, info: encoder.encode(info) }, ikm, length * 8);
  const [kidBytes, macBytes] = await Promise.all([bits("key id", 8), bits("hmac-sha256 key", 32)]);
  const hmac = await crypto.subtle.importKey("raw", macBytes, { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
  return { kid: base64url(new Uint8Array(kidBytes)), hmac };
}

function derivedKey(secretKey: string): Promise<DerivedKey> {
  let derived = derivedKeys.get(secretKey);
  if (!derived) {
    derived = derive(secretKey);
    derivedKeys.set(secretKey, derived);
  }
  return derived;
}

/**
 * The configured key equal to `candidate`, or undefined. Every key is compared, each in constant
 * time, so timing reveals neither a key's prefix nor which position matched.
 */
export function matchSecretKey(secretKeys: readonly string[], candidate: string): string | undefined {
  let found: string | undefined;
  for (const key of secretKeys) if (timingSafeEqualStrings(key, candidate)) found = key;
  return found;
}

/** A session whose token verified: its expiry (what the API reports) and its nonce (what sign-out revokes). */
export interface DashboardSession {
  expiresAt: number;
  nonce: string;
}

/**
 * Makes a session token for `secretKey` (which the caller has matched against the configured
 * keys), valid from `now` for SESSION_TTL_MS.
 */
export async function createSessionToken(secretKey: string, now: number): Promise<{ token: string; expiresAt: number }> {
  const { kid, hmac } = await derivedKey(secretKey);
  const expiresAt = now + SESSION_TTL_MS;
  const nonce = base64url(crypto.getRandomValues(new Uint8Array(16)));
  const payload = `${TOKEN_VERSION}.${kid}.${expiresAt}.${nonce}`;
  const signature = new Uint8Array(await crypto.subtle.sign("HMAC", hmac, encoder.encode(payload)));
  return { token: `${payload}.${base64url(signature)}`, expiresAt };
}

/**
 * Checks a session token against the configured keys at `now`: the session, or undefined when
 * the token is malformed, its key is no longer configured, its signature is wrong (WebCrypto's
 * verify compares in constant time) or it has expired.
 */
export async function verifySessionToken(token: string, secretKeys: readonly string[], now: number): Promise<DashboardSession | undefined> {
  const parts = token.split(".");
  if (parts.length !== 5 || parts[0] !== TOKEN_VERSION || !/^\d{1,16}$/.test(parts[2])) return undefined;
  const signature = fromBase64url(parts[4]);
  if (!signature) return undefined;
  const expiresAt = Number(parts[2]);
  // The key id is public (it is in the cookie), so finding its key needs no constant-time care.
  let hmac: CryptoKey | undefined;
  for (const key of secretKeys) {
    const derived = await derivedKey(key);
    if (derived.kid === parts[1]) hmac = derived.hmac;
  }
  if (!hmac) return undefined;
  const payload = parts.slice(0, 4).join(".");
  const valid = await crypto.subtle.verify("HMAC", hmac, signature, encoder.encode(payload));
  if (!valid || now >= expiresAt) return undefined;
  return { expiresAt, nonce: parts[3] };
}

/**
 * The signed-in session a cookie's token stands for, or undefined when the token does not verify
 * (verifySessionToken) or the session was signed out. The revocation lookup comes last, so only
 * a genuine, unexpired token costs a D1 read.
 */
export async function authenticateSession(ctx: AppContext, token: string): Promise<DashboardSession | undefined> {
  const session = await verifySessionToken(token, ctx.config.secretKeys, ctx.now());
  if (!session || (await isSessionRevoked(ctx.db, session.nonce))) return undefined;
  return session;
}

/**
 * Signs a session out on the server: its nonce is refused from now until the token expires.
 * A token that does not verify (missing, forged, expired, key removed) is refused already, so
 * there is nothing to record; a session signed out before is recorded again as a no-op. Either
 * way the caller answers the same, so sign-out is idempotent.
 */
export async function revokeSession(ctx: AppContext, token: string | undefined): Promise<void> {
  if (!token) return;
  const now = ctx.now();
  const session = await verifySessionToken(token, ctx.config.secretKeys, now);
  if (!session) return;
  await recordRevokedSession(ctx.db, { nonce: session.nonce, expiresAt: session.expiresAt, now });
}
