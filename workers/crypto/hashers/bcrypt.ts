/**
 * bcrypt and the formats built on it: plain `$2a$/$2b$/$2y$`, Devise's peppered variant
 * (bcrypt of password+pepper, the pepper after a final `$`), and Django's
 * BCryptSHA256PasswordHasher (bcrypt of the hex SHA-256 of the password).
 */
import bcrypt from "bcryptjs";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { defineHasher } from "./types";
import { utf8 } from "./encoding";

// Version, two-digit cost 04..31, 22 salt + 31 hash characters of bcrypt's base64 alphabet.
const BCRYPT_RE = /^\$2[aby]\$(0[4-9]|[12]\d|3[01])\$[./A-Za-z0-9]{53}$/;

/**
 * The bcrypt costs accepted in a digest (2^cost rounds; each step doubles the work, and cost 14
 * takes about 1.4 s in a Worker, see the README). Real digests come from the defaults of the
 * systems users are imported from: Go's x/crypto/bcrypt (Clerk), PHP < 8.4, Spring and Laravel
 * < 11 use 10; Ruby's bcrypt gem (Rails, Devise), Django's BCryptSHA256PasswordHasher, PHP 8.4
 * and Laravel 11 use 12. 14 leaves two doublings of headroom above that; 4 is bcrypt's own floor.
 * A digest outside the range is refused at import, and a stored one never computed, so no verify
 * can cost more than one bcrypt at cost 14 (cost 31 would be about 36 hours).
 */
export const BCRYPT_MIN_COST = 4;
export const BCRYPT_MAX_COST = 14;

/**
 * The cost of a string in bcrypt's digest layout, whatever the cost; undefined when `text` is
 * not laid out like a bcrypt digest. Lets a caller tell "a bcrypt digest at a refused cost"
 * from "not a digest at all" (a plain backup code).
 */
export function bcryptDigestCost(text: string): number | undefined {
  const match = BCRYPT_RE.exec(text);
  return match ? Number(match[1]) : undefined;
}

/** True when `text` is a well-formed bcrypt digest at an accepted cost (also used for imported backup codes). */
export function isBcryptDigest(text: string): boolean {
  const cost = bcryptDigestCost(text);
  return cost !== undefined && cost >= BCRYPT_MIN_COST && cost <= BCRYPT_MAX_COST;
}

/** bcrypt reads at most this many bytes of its input and silently ignores the rest. */
export const BCRYPT_MAX_INPUT_BYTES = 72;

/**
 * Whether `password` is the input `digest` was made from; bcryptjs compares in constant time.
 * A digest outside the accepted costs verifies nothing. An input over 72 UTF-8 bytes never verifies: bcrypt would only compare its first 72 bytes, so
 * it could not tell the password from any other string sharing them.
 */
export async function verifyBcrypt(password: string, digest: string): Promise<boolean> {
  // A digest stored before the cost range existed is not computed either.
  if (utf8(password).length > BCRYPT_MAX_INPUT_BYTES || !isBcryptDigest(digest)) return false;
  return bcrypt.compare(password, digest);
}

export const bcryptHasher = defineHasher<string>({
  parse: (digest) => (isBcryptDigest(digest) ? digest : null),
  verify: verifyBcrypt,
});

export const bcryptPepperedHasher = defineHasher<{ digest: string; pepper: string }>({
  parse(digest) {
    const cut = digest.indexOf("$", 7 + 53);
    if (cut !== 60) return null;
    const pepper = digest.slice(61);
    const base = digest.slice(0, 60);
    return isBcryptDigest(base) && pepper.length > 0 ? { digest: base, pepper } : null;
  },
  // The password alone is held to bcrypt's 72 bytes; the pepper after it may be cut, as it was
  // when Devise made the digest (its generated peppers are 128 characters).
  verify: async (password, parsed) => utf8(password).length <= BCRYPT_MAX_INPUT_BYTES && bcrypt.compare(password + parsed.pepper, parsed.digest),
});

const DJANGO_PREFIX = "bcrypt_sha256$";

export const bcryptSha256DjangoHasher = defineHasher<string>({
  parse(digest) {
    if (!digest.startsWith(DJANGO_PREFIX)) return null;
    const base = digest.slice(DJANGO_PREFIX.length);
    return isBcryptDigest(base) ? base : null;
  },
  // Django hashes the password with SHA-256 first so bcrypt's 72-byte limit does not truncate it.
  verify: (password, base) => verifyBcrypt(bytesToHex(sha256(utf8(password))), base),
});
