/**
 * scrypt and PBKDF2 from the runtime's own `node:crypto` (workerd implements it in C++ under the
 * nodejs_compat flag; nothing is bundled and there is no native addon). Measured in workerd:
 * scrypt N=32768,r=8 takes ~0.55 s native against ~7.7 s in @noble's pure JS, and PBKDF2-SHA256
 * at Django 5's 1,000,000 iterations ~0.4 s against tens of seconds, beyond a Worker's CPU limit.
 * Each function returns null when the runtime refuses, and the callers then use @noble, so a
 * runtime without these functions still verifies, only slower.
 */
import * as nodeCrypto from "node:crypto";

const toBytes = (key: ArrayBufferView) => new Uint8Array(key.buffer, key.byteOffset, key.byteLength);

function settle(run: (callback: (error: Error | null, key: ArrayBufferView) => void) => void): Promise<Uint8Array | null> {
  return new Promise((resolve) => {
    try {
      run((error, key) => resolve(error ? null : toBytes(key)));
    } catch {
      resolve(null);
    }
  });
}

/** scrypt(password, salt) with the given cost, or null when the runtime cannot compute it. */
export function nativeScrypt(
  password: Uint8Array,
  salt: Uint8Array,
  params: { N: number; r: number; p: number; dkLen: number },
): Promise<Uint8Array | null> {
  const { N, r, p, dkLen } = params;
  // OpenSSL's bound counts the 128·r·(N+2) work area plus 128·r·p of blocks; callers cap N·r.
  const maxmem = 128 * r * (N + 2 + p) + 1024 * 1024;
  return settle((callback) => nodeCrypto.scrypt(password, salt, dkLen, { N, r, p, maxmem }, callback));
}

const NODE_DIGEST = { "SHA-1": "sha1", "SHA-256": "sha256", "SHA-512": "sha512" } as const;

/** PBKDF2-HMAC with any iteration count, or null when the runtime cannot compute it. */
export function nativePbkdf2(
  digest: keyof typeof NODE_DIGEST,
  password: Uint8Array,
  salt: Uint8Array,
  iterations: number,
  keyBytes: number,
): Promise<Uint8Array | null> {
  return settle((callback) => nodeCrypto.pbkdf2(password, salt, iterations, keyBytes, NODE_DIGEST[digest], callback));
}
