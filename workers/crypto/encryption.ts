/**
 * Secrets at rest (TOTP secrets, OAuth tokens) are sealed with AES-256-GCM under the
 * CREDENTIALS_ENCRYPTION_KEY secret (base64 of 32 bytes). Stored form:
 * `v1.<base64 iv>.<base64 ciphertext+tag>`. The version prefix leaves room for key rotation.
 */
import { ApiError } from "../http/errors";

const keyCache = new Map<string, Promise<CryptoKey>>();

function fromBase64(text: string): Uint8Array {
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function toBase64(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

function misconfigured(): ApiError {
  // An operator error, not a client one; the message names the setting, never its value.
  return new ApiError(
    500,
    "internal_clerk_error",
    "Oops, an unexpected error occurred",
    "CREDENTIALS_ENCRYPTION_KEY is missing or is not base64 of 32 bytes.",
  );
}

function importKey(keyBase64: string | undefined): Promise<CryptoKey> {
  if (!keyBase64) throw misconfigured();
  let cached = keyCache.get(keyBase64);
  if (!cached) {
    let raw: Uint8Array;
    try {
      raw = fromBase64(keyBase64.trim());
    } catch {
      throw misconfigured();
    }
    if (raw.length !== 32) throw misconfigured();
    cached = crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
    keyCache.set(keyBase64, cached);
  }
  return cached;
}

/** Encrypts `plaintext`; `context` (e.g. the owning row id) is bound as associated data. */
export async function encryptSecret(keyBase64: string | undefined, plaintext: string, context: string): Promise<string> {
  const key = await importKey(keyBase64);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: new TextEncoder().encode(context) },
    key,
    new TextEncoder().encode(plaintext),
  );
  return `v1.${toBase64(iv)}.${toBase64(new Uint8Array(sealed))}`;
}

export async function decryptSecret(keyBase64: string | undefined, stored: string, context: string): Promise<string> {
  const key = await importKey(keyBase64);
  const [version, ivText, dataText] = stored.split(".");
  if (version !== "v1" || !ivText || !dataText) throw new Error("unrecognised sealed secret format");
  const plain = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: fromBase64(ivText), additionalData: new TextEncoder().encode(context) },
    key,
    fromBase64(dataText),
  );
  return new TextDecoder().decode(plain);
}

export { fromBase64, toBase64 };
