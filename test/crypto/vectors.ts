/**
 * The shared known-answer vectors (../shared/vectors/credentials.json), produced by independent
 * implementations. Read-only test data, imported at build time so workerd tests can use it.
 */
import vectors from "../../../shared/vectors/credentials.json";

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
