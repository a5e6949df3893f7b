/**
 * The known-answer vectors (test/fixtures/vectors/credentials.json, vendored), produced by independent
 * implementations. Read-only test data, imported at build time so workerd tests can use it.
 */
import vectors from "../fixtures/vectors/credentials.json";

export interface DigestVector {
  password_hasher: string;
  password: string;
  password_digest: string;
  note: string;
}

export const DIGEST_VECTORS = vectors.password_digests as DigestVector[];
export const MALFORMED_DIGESTS = vectors.malformed_digests as { password_hasher: string; password_digest: string }[];
export const TOTP_VECTORS = vectors.totp as { secret: string; unix_time: number; code: string }[];
export const BACKUP_CODE_VECTORS = vectors.backup_codes as { code: string; bcrypt_digest: string }[];

// RFC 6238 appendix B, SHA1 seed "12345678901234567890" (base32 below); 6-digit codes are the
// last six digits of the RFC's 8-digit values.
export const RFC6238_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
export const RFC6238_SHA1: [number, string][] = [
  [59, "287082"],
  [1111111109, "081804"],
  [1111111111, "050471"],
  [1234567890, "005924"],
  [2000000000, "279037"],
  [20000000000, "353130"],
];
