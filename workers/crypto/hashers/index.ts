/**
 * The table of password hashers Clerk imports (`password_hasher` names) and the two operations
 * the services need: check a digest's format at import, and verify a password against a
 * stored digest. Each family lives in its own module behind the PasswordHasher interface.
 */
import { argon2idHasher, argon2iHasher } from "./argon2";
import { bcryptHasher, bcryptPepperedHasher, bcryptSha256DjangoHasher } from "./bcrypt";
import { ldapSshaHasher, md5Hasher, sha256Hasher, sha512SymfonyHasher } from "./digests";
import { pbkdf2Sha1Hasher, pbkdf2Sha256DjangoHasher, pbkdf2Sha256Hasher, pbkdf2Sha512HexHasher, pbkdf2Sha512Hasher } from "./pbkdf2";
import { phpassHasher } from "./phpass";
import { scryptFirebaseHasher, scryptWerkzeugHasher } from "./scrypt";
import type { PasswordHasher } from "./types";

interface HasherEntry {
  hasher: PasswordHasher;
  /**
   * Re-hash to bcrypt after a successful verify. Wider than Clerk's documented list
   * (md5, sha256, sha512_symfony): unsalted or fast-salted digests and low-cost PBKDF2-SHA1
   * are all cheap to brute-force if the database leaks.
   */
  weak: boolean;
}

export const PASSWORD_HASHERS: Readonly<Record<string, HasherEntry>> = {
  bcrypt: { hasher: bcryptHasher, weak: false },
  bcrypt_peppered: { hasher: bcryptPepperedHasher, weak: false },
  bcrypt_sha256_django: { hasher: bcryptSha256DjangoHasher, weak: false },
  md5: { hasher: md5Hasher, weak: true },
  sha256: { hasher: sha256Hasher, weak: true },
  sha512_symfony: { hasher: sha512SymfonyHasher, weak: true },
  ldap_ssha: { hasher: ldapSshaHasher, weak: true },
  phpass: { hasher: phpassHasher, weak: true },
  md5_phpass: { hasher: phpassHasher, weak: true },
  pbkdf2_sha1: { hasher: pbkdf2Sha1Hasher, weak: true },
  pbkdf2_sha256: { hasher: pbkdf2Sha256Hasher, weak: false },
  pbkdf2_sha256_django: { hasher: pbkdf2Sha256DjangoHasher, weak: false },
  pbkdf2_sha512: { hasher: pbkdf2Sha512Hasher, weak: false },
  pbkdf2_sha512_hex: { hasher: pbkdf2Sha512HexHasher, weak: false },
  scrypt_firebase: { hasher: scryptFirebaseHasher, weak: false },
  scrypt_werkzeug: { hasher: scryptWerkzeugHasher, weak: false },
  argon2i: { hasher: argon2iHasher, weak: false },
  argon2id: { hasher: argon2idHasher, weak: false },
};

export type DigestCheck = "ok" | "unknown_hasher" | "malformed";

/** Whether `digest` is a well-formed digest of the named hasher. */
export function checkDigest(hasherName: string, digest: string): DigestCheck {
  const entry = Object.hasOwn(PASSWORD_HASHERS, hasherName) ? PASSWORD_HASHERS[hasherName] : undefined;
  if (!entry) return "unknown_hasher";
  return entry.hasher.parse(digest) === null ? "malformed" : "ok";
}

/**
 * Verifies `password` against a stored digest. Returns `verified` and whether the digest
 * should now be replaced by bcrypt. A stored digest that no longer parses verifies nothing.
 */
export async function verifyDigest(hasherName: string, digest: string, password: string): Promise<{ verified: boolean; rehash: boolean }> {
  const entry = Object.hasOwn(PASSWORD_HASHERS, hasherName) ? PASSWORD_HASHERS[hasherName] : undefined;
  const parsed = entry?.hasher.parse(digest);
  if (!entry || parsed === null || parsed === undefined) return { verified: false, rehash: false };
  const verified = await entry.hasher.verify(password, parsed);
  return { verified, rehash: verified && entry.weak };
}
