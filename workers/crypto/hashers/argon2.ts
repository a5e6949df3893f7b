/**
 * Argon2i and Argon2id from PHC strings: `$argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>`
 * (salt and hash in unpadded base64). The reference library writes m,t,p; node-argon2 writes
 * m,p,t, so the three are accepted in any order, each exactly once. Computed with @noble/hashes'
 * pure-JS Argon2, within the isolate's memory budget for such hashing (memory-gate.ts).
 */
import { argon2iAsync, argon2idAsync } from "@noble/hashes/argon2.js";
import { defineHasher } from "./types";
import { decodeBase64, equalBytes, parseCount, utf8 } from "./encoding";
import { withHashingMemory } from "./memory-gate";

// 64 MiB of a Worker's 128 MB; OWASP's recommended settings use 19–46 MiB.
const MAX_MEMORY_KIB = 64 * 1024;
const MAX_PASSES = 16;
const MAX_LANES = 16;

interface Parsed {
  version: number;
  m: number;
  t: number;
  p: number;
  salt: Uint8Array;
  hash: Uint8Array;
}

function argon2Hasher(variant: "argon2i" | "argon2id") {
  const derive = variant === "argon2i" ? argon2iAsync : argon2idAsync;
  const re = new RegExp(`^\\$${variant}\\$(?:v=(16|19)\\$)?([mtp]=\\d+,[mtp]=\\d+,[mtp]=\\d+)\\$([A-Za-z0-9+/]+)\\$([A-Za-z0-9+/]+)$`);
  return defineHasher<Parsed>({
    parse(digest) {
      const match = re.exec(digest);
      if (!match) return null;
      const params = new Map(match[2].split(",").map((pair) => [pair[0], pair.slice(2)] as const));
      if (params.size !== 3) return null;
      const m = parseCount(params.get("m"), MAX_MEMORY_KIB);
      const t = parseCount(params.get("t"), MAX_PASSES);
      const p = parseCount(params.get("p"), MAX_LANES);
      const salt = decodeBase64(match[3]);
      const hash = decodeBase64(match[4]);
      // Argon2 requires at least 8 KiB per lane, an 8-byte salt and a 4-byte output.
      if (m === null || t === null || p === null || !salt || !hash) return null;
      if (m < 8 * p || salt.length < 8 || hash.length < 4 || hash.length > 1024) return null;
      return { version: match[1] === "16" ? 0x10 : 0x13, m, t, p, salt, hash };
    },
    async verify(password, { version, m, t, p, salt, hash }) {
      // @noble allocates one 1 KiB block per KiB of m (rounded down to 4·p blocks), held until it ends.
      const derived = await withHashingMemory(m * 1024, () => derive(utf8(password), salt, { m, t, p, version, dkLen: hash.length }));
      return equalBytes(derived, hash);
    },
  });
}

export const argon2iHasher = argon2Hasher("argon2i");
export const argon2idHasher = argon2Hasher("argon2id");
