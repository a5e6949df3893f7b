/**
 * scrypt in two layouts:
 *   scrypt_firebase  <hash b64>$<salt b64>$<signer key b64>$<salt separator b64>$<rounds>$<mem cost>
 *                    Firebase's variant: scrypt(password, salt‖separator, N=2^memcost, r=rounds,
 *                    p=1) keys AES-256-CTR (zero IV), which encrypts the project's signer key.
 *   scrypt_werkzeug  scrypt:<N>:<r>:<p>$<salt>$<hash hex> (Werkzeug 3's own format; salt as text).
 */
import { scryptAsync } from "@noble/hashes/scrypt.js";
import { concatBytes } from "@noble/hashes/utils.js";
import { withHashingMemory } from "./memory-gate";
import { nativeScrypt } from "./native-kdf";
import { defineHasher } from "./types";
import { decodeBase64, decodeHex, equalBytes, parseCount, utf8 } from "./encoding";

// A Worker has 128 MB; scrypt needs 128·N·r bytes. 64 MiB covers Werkzeug's default
// (N=32768, r=8: 32 MiB) and Firebase's (N=16384, r=8: 16 MiB) with room to spare.
const MAX_SCRYPT_MEMORY = 64 * 1024 * 1024;
const MAX_PARALLELISM = 16;

/**
 * scrypt natively (node:crypto, see native-kdf.ts), or in @noble's pure JS when that fails, within
 * the isolate's memory budget for such hashing (memory-gate.ts).
 */
export async function deriveScrypt(
  password: Uint8Array,
  salt: Uint8Array,
  params: { N: number; r: number; p: number; dkLen: number },
): Promise<Uint8Array> {
  // Both implementations hold 128·r·N bytes of V plus 128·r·p of B and a block or two of scratch.
  const bytes = 128 * params.r * (params.N + params.p + 2);
  return withHashingMemory(bytes, async () => (await nativeScrypt(password, salt, params)) ?? scryptAsync(password, salt, params));
}

function scryptParamsOk(n: number, r: number, p: number): boolean {
  return n >= 2 && (n & (n - 1)) === 0 && 128 * n * r <= MAX_SCRYPT_MEMORY && p <= MAX_PARALLELISM;
}

interface FirebaseParsed {
  hash: Uint8Array;
  salt: Uint8Array;
  signerKey: Uint8Array;
  separator: Uint8Array;
  rounds: number;
  memCost: number;
}

const FIREBASE_KEY_BYTES = 32;

export const scryptFirebaseHasher = defineHasher<FirebaseParsed>({
  parse(digest) {
    const parts = digest.split("$");
    if (parts.length !== 6) return null;
    const [hash, salt, signerKey, separator] = parts.slice(0, 4).map(decodeBase64);
    const rounds = parseCount(parts[4], 64);
    const memCost = parseCount(parts[5], 30);
    if (!hash?.length || !salt || !signerKey?.length || !separator || rounds === null || memCost === null) return null;
    if (!scryptParamsOk(2 ** memCost, rounds, 1)) return null;
    return { hash, salt, signerKey, separator, rounds, memCost };
  },
  async verify(password, parsed) {
    const derived = await deriveScrypt(utf8(password), concatBytes(parsed.salt, parsed.separator), {
      N: 2 ** parsed.memCost,
      r: parsed.rounds,
      p: 1,
      dkLen: FIREBASE_KEY_BYTES,
    });
    const key = await crypto.subtle.importKey("raw", derived, "AES-CTR", false, ["encrypt"]);
    const sealed = await crypto.subtle.encrypt({ name: "AES-CTR", counter: new Uint8Array(16), length: 128 }, key, parsed.signerKey);
    return equalBytes(new Uint8Array(sealed).slice(0, parsed.hash.length), parsed.hash);
  },
});

export const scryptWerkzeugHasher = defineHasher<{ n: number; r: number; p: number; salt: Uint8Array; hash: Uint8Array }>({
  parse(digest) {
    const parts = digest.replace(/^\$/, "").split("$");
    if (parts.length !== 3 || parts[1] === "") return null;
    const method = /^scrypt:(\d+):(\d+):(\d+)$/.exec(parts[0]);
    if (!method) return null;
    const n = parseCount(method[1], 2 ** 24);
    const r = parseCount(method[2], 64);
    const p = parseCount(method[3], MAX_PARALLELISM);
    const hash = decodeHex(parts[2]);
    if (n === null || r === null || p === null || !hash || hash.length > 256 || !scryptParamsOk(n, r, p)) return null;
    return { n, r, p, salt: utf8(parts[1]), hash };
  },
  async verify(password, { n, r, p, salt, hash }) {
    const derived = await deriveScrypt(utf8(password), salt, { N: n, r, p, dkLen: hash.length });
    return equalBytes(derived, hash);
  },
});
