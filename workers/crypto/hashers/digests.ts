/**
 * Unsalted and simply salted message digests: md5 and sha256 (hex), LDAP's {SSHA}
 * (base64 of SHA-1(password‖salt)‖salt) and Symfony's legacy MessageDigestPasswordEncoder
 * with SHA-512 (`sha512_symfony$<iterations>$<salt>$<base64>`). All are weak; a verified
 * password is re-hashed to bcrypt (see hashers/index.ts).
 */
import { md5, sha1 } from "@noble/hashes/legacy.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { concatBytes } from "@noble/hashes/utils.js";
import { turnEventLoop } from "./event-loop";
import { defineHasher } from "./types";
import { decodeBase64, decodeHex, equalBytes, parseCount, utf8 } from "./encoding";

function hexDigestHasher(hash: (data: Uint8Array) => Uint8Array, hexLength: number) {
  return defineHasher<Uint8Array>({
    parse: (digest) => (digest.length === hexLength ? decodeHex(digest) : null),
    verify: async (password, expected) => equalBytes(hash(utf8(password)), expected),
  });
}

export const md5Hasher = hexDigestHasher(md5, 32);
export const sha256Hasher = hexDigestHasher(sha256, 64);

const SHA1_BYTES = 20;

export const ldapSshaHasher = defineHasher<{ hash: Uint8Array; salt: Uint8Array }>({
  parse(digest) {
    if (!digest.startsWith("{SSHA}")) return null;
    const raw = decodeBase64(digest.slice(6));
    if (!raw || raw.length <= SHA1_BYTES) return null;
    return { hash: raw.slice(0, SHA1_BYTES), salt: raw.slice(SHA1_BYTES) };
  },
  verify: async (password, { hash, salt }) => equalBytes(sha1(concatBytes(utf8(password), salt)), hash),
});

/** Rounds of the Symfony loop between two turns of the event loop (about 50 ms of work). */
const YIELD_EVERY_ROUNDS = 10_000;

// More rounds than any real Symfony configuration; bounds the CPU one verify can cost.
const SYMFONY_MAX_ITERATIONS = 1_000_000;

export const sha512SymfonyHasher = defineHasher<{ iterations: number; salt: string; hash: Uint8Array }>({
  parse(digest) {
    const parts = digest.split("$");
    if (parts.length !== 4 || parts[0] !== "sha512_symfony") return null;
    const iterations = parseCount(parts[1], SYMFONY_MAX_ITERATIONS);
    const hash = decodeBase64(parts[3]);
    if (iterations === null || !hash || hash.length !== 64) return null;
    return { iterations, salt: parts[2], hash };
  },
  async verify(password, { iterations, salt, hash }) {
    // Symfony merges as "password{salt}", hashes once, then re-hashes digest‖merged.
    // WebCrypto's native SHA-512 is about five times faster here than pure JS, even awaited per round.
    const salted = utf8(salt === "" ? password : `${password}{${salt}}`);
    let digest = new Uint8Array(await crypto.subtle.digest("SHA-512", salted));
    for (let i = 1; i < iterations; i++) {
      digest = new Uint8Array(await crypto.subtle.digest("SHA-512", concatBytes(digest, salted)));
      // Each awaited digest resolves without the event loop turning (see event-loop.ts).
      if (i % YIELD_EVERY_ROUNDS === 0) await turnEventLoop();
    }
    return equalBytes(digest, hash);
  },
});
