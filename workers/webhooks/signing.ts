/**
 * Webhook signatures the way Svix signs them (the Standard Webhooks specification, which
 * `svix`'s `Webhook.verify` and `@clerk/backend/webhooks`' `verifyWebhook` check):
 *
 * - the secret is `whsec_` + base64 of random bytes; the HMAC key is those bytes, base64-decoded;
 * - the signed content is `{svix-id}.{svix-timestamp}.{body}` (timestamp in epoch seconds);
 * - `svix-signature` is `v1,<base64 HMAC-SHA256>`, and a space-separated list when several
 *   secrets are valid at once (during a rotation): a verifier accepts any one that matches.
 */
import { fromBase64, toBase64 } from "../crypto/encryption";

export const SECRET_PREFIX = "whsec_";
/** Svix's secrets carry 24 random bytes (192 bits); HMAC-SHA256 takes any key length. */
const SECRET_BYTES = 24;

/** A new endpoint signing secret, `whsec_<base64>`. */
export function newSigningSecret(): string {
  return SECRET_PREFIX + toBase64(crypto.getRandomValues(new Uint8Array(SECRET_BYTES)));
}

const keyCache = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keyCache.get(secret);
  if (!key) {
    if (!secret.startsWith(SECRET_PREFIX)) throw new Error("a webhook secret starts with whsec_");
    key = crypto.subtle.importKey("raw", fromBase64(secret.slice(SECRET_PREFIX.length)), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    // A few endpoints' secrets per isolate; bounded so rotated-out ones do not pile up.
    if (keyCache.size >= 256) keyCache.clear();
    keyCache.set(secret, key);
  }
  return key;
}

/** `v1,<base64 HMAC-SHA256 of "{msgId}.{timestampSeconds}.{body}">` under one secret. */
export async function signature(secret: string, msgId: string, timestampSeconds: number, body: string): Promise<string> {
  const mac = await crypto.subtle.sign("HMAC", await hmacKey(secret), new TextEncoder().encode(`${msgId}.${timestampSeconds}.${body}`));
  return `v1,${toBase64(new Uint8Array(mac))}`;
}

/** The three Svix headers of one attempt, signed with every secret given (newest first). */
export async function svixHeaders(
  secrets: readonly string[],
  msgId: string,
  timestampSeconds: number,
  body: string,
): Promise<Record<string, string>> {
  const signatures = await Promise.all(secrets.map((secret) => signature(secret, msgId, timestampSeconds, body)));
  return {
    "svix-id": msgId,
    "svix-timestamp": String(timestampSeconds),
    "svix-signature": signatures.join(" "),
  };
}
