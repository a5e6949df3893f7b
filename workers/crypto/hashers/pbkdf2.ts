/**
 * PBKDF2 in the five digest layouts Clerk imports:
 *   pbkdf2_sha1          pbkdf2_sha1$<iter>$<salt hex, else raw>$<hash hex>[$<key length>]
 *   pbkdf2_sha256        pbkdf2_sha256$<iter>$<salt base64>$<hash base64>
 *   pbkdf2_sha256_django pbkdf2_sha256$<iter>$<salt text>$<hash base64>
 *   pbkdf2_sha512        pbkdf2_sha512$<iter>$<salt text>$<hash hex>
 *   pbkdf2_sha512_hex    pbkdf2_sha512_hex$<iter>$<salt hex>$<hash hex>
 */
import { sha1 } from "@noble/hashes/legacy.js";
import { pbkdf2Async } from "@noble/hashes/pbkdf2.js";
import { sha256, sha512 } from "@noble/hashes/sha2.js";
import { nativePbkdf2 } from "./native-kdf";
import { defineHasher, type PasswordHasher } from "./types";
import { decodeBase64, decodeHex, equalBytes, isHex, parseCount, utf8 } from "./encoding";

type Digest = "SHA-1" | "SHA-256" | "SHA-512";

/** workerd's WebCrypto refuses PBKDF2 above this many iterations. */
export const WEBCRYPTO_PBKDF2_MAX_ITERATIONS = 100_000;
/**
 * Django 5.x uses 1,000,000; twice that bounds the CPU one verify can cost. PBKDF2 runs its
 * iterations once per output block (ceil(key length / hash length)), so the bound is on
 * iterations × blocks: a 256-byte SHA-1 key at 2,000,000 iterations would be 13 times the work
 * (seconds of native computation that cannot yield). Real digests have one block (Django's
 * 32-byte SHA-256) or two (pbkdf2_sha1's default 32-byte key).
 */
export const PBKDF2_MAX_ITERATIONS = 2_000_000;
const MAX_KEY_BYTES = 256;
const HASH_BYTES = { "SHA-1": 20, "SHA-256": 32, "SHA-512": 64 } as const;

const NOBLE = { "SHA-1": sha1, "SHA-256": sha256, "SHA-512": sha512 } as const;

/**
 * PBKDF2-HMAC: native WebCrypto where workerd allows it; above WebCrypto's iteration limit the
 * runtime's node:crypto (native too, see native-kdf.ts), and @noble's pure JS only if that fails.
 */
export async function derivePbkdf2(
  digest: Digest,
  password: Uint8Array,
  salt: Uint8Array,
  iterations: number,
  keyBytes: number,
): Promise<Uint8Array> {
  if (iterations <= WEBCRYPTO_PBKDF2_MAX_ITERATIONS) {
    const key = await crypto.subtle.importKey("raw", password, "PBKDF2", false, ["deriveBits"]);
    const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: digest, salt, iterations }, key, keyBytes * 8);
    return new Uint8Array(bits);
  }
  return (
    (await nativePbkdf2(digest, password, salt, iterations, keyBytes)) ??
    pbkdf2Async(NOBLE[digest], password, salt, { c: iterations, dkLen: keyBytes })
  );
}

interface Parsed {
  iterations: number;
  salt: Uint8Array;
  hash: Uint8Array;
}

function pbkdf2Hasher(digest: Digest, parseParts: (parts: string[]) => Parsed | null): PasswordHasher<unknown> {
  return defineHasher<Parsed>({
    parse(text) {
      const parsed = parseParts(text.split("$"));
      if (!parsed || parsed.hash.length === 0 || parsed.hash.length > MAX_KEY_BYTES) return null;
      if (parsed.iterations * Math.ceil(parsed.hash.length / HASH_BYTES[digest]) > PBKDF2_MAX_ITERATIONS) return null;
      return parsed;
    },
    async verify(password, { iterations, salt, hash }) {
      return equalBytes(await derivePbkdf2(digest, utf8(password), salt, iterations, hash.length), hash);
    },
  });
}

/** `<prefix>$<iter>$<salt>$<hash>` with per-format decoders for salt and hash. */
function layout(prefix: string, salt: (s: string) => Uint8Array | null, hash: (h: string) => Uint8Array | null) {
  return (parts: string[]): Parsed | null => {
    if (parts.length !== 4 || parts[0] !== prefix || parts[2] === "") return null;
    const iterations = parseCount(parts[1], PBKDF2_MAX_ITERATIONS);
    const saltBytes = salt(parts[2]);
    const hashBytes = hash(parts[3]);
    return iterations !== null && saltBytes && hashBytes ? { iterations, salt: saltBytes, hash: hashBytes } : null;
  };
}

const DEFAULT_SHA1_KEY_BYTES = 32;

export const pbkdf2Sha1Hasher = pbkdf2Hasher("SHA-1", (parts) => {
  if ((parts.length !== 4 && parts.length !== 5) || parts[0] !== "pbkdf2_sha1" || parts[2] === "") return null;
  const iterations = parseCount(parts[1], PBKDF2_MAX_ITERATIONS);
  // The salt is hex when it is valid hex, and otherwise its own bytes.
  const salt = isHex(parts[2]) ? decodeHex(parts[2]) : utf8(parts[2]);
  const hash = decodeHex(parts[3]);
  const keyBytes = parts.length === 5 ? parseCount(parts[4], MAX_KEY_BYTES) : DEFAULT_SHA1_KEY_BYTES;
  if (iterations === null || !salt || !hash || keyBytes === null || hash.length !== keyBytes) return null;
  return { iterations, salt, hash };
});

export const pbkdf2Sha256Hasher = pbkdf2Hasher("SHA-256", layout("pbkdf2_sha256", decodeBase64, decodeBase64));
export const pbkdf2Sha256DjangoHasher = pbkdf2Hasher("SHA-256", layout("pbkdf2_sha256", utf8, decodeBase64));
export const pbkdf2Sha512Hasher = pbkdf2Hasher("SHA-512", layout("pbkdf2_sha512", utf8, decodeHex));
export const pbkdf2Sha512HexHasher = pbkdf2Hasher("SHA-512", layout("pbkdf2_sha512_hex", decodeHex, decodeHex));
