/**
 * Backup codes at rest. A plain code is stored as hex HMAC-SHA256 keyed by the user's random
 * salt: fast on purpose, since a verify may compare a wrong code against every stored code,
 * while a leaked table alone still needs a per-user brute force. An imported bcrypt digest
 * (Clerk accepts "the plain format or the corresponding bcrypt digest") is kept as it is.
 */
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { timingSafeEqualStrings } from "./constant-time";
import { fromBase64, toBase64 } from "./encryption";
import { BCRYPT_MAX_COST, BCRYPT_MIN_COST, bcryptDigestCost, verifyBcrypt } from "./hashers/bcrypt";

export type BackupCodeKind = "hmac" | "bcrypt";

export interface StoredBackupCode {
  id: string;
  kind: string;
  digest: string;
}

/** A new random per-user salt (base64 of 16 bytes). */
export function newBackupCodeSalt(): string {
  return toBase64(crypto.getRandomValues(new Uint8Array(16)));
}

/**
 * The most bcrypt work (the sum of 2^cost over a user's bcrypt digests) that one verify_totp may
 * do: a wrong code is compared with every digest, since each has its own salt. 10 × 2^12 is ten
 * digests at cost 12, the largest real-world set (Rails' and Django's default cost, ten codes),
 * or forty at Go's cost 10 (Clerk's); a wrong code then costs about 3.5 s of CPU (README).
 * Larger sets are refused at import.
 */
export const MAX_BACKUP_CODE_BCRYPT_WORK = 10 * 2 ** 12;

/** Why the bcrypt digests among `codes` cannot be stored, as an error text; undefined when they can. */
export function backupCodeDigestsProblem(codes: readonly string[]): string | undefined {
  let work = 0;
  for (const code of codes) {
    const cost = bcryptDigestCost(code);
    if (cost === undefined) continue;
    if (cost < BCRYPT_MIN_COST || cost > BCRYPT_MAX_COST) {
      return `backup_codes contains a bcrypt digest of cost ${cost}; the accepted costs are ${BCRYPT_MIN_COST} to ${BCRYPT_MAX_COST}.`;
    }
    work += 2 ** cost;
  }
  if (work > MAX_BACKUP_CODE_BCRYPT_WORK) {
    return (
      "The bcrypt digests in backup_codes are too costly to check, since every code tried is compared with each of them: " +
      "their summed work (2^cost each) may be at most that of ten digests at cost 12 or forty at cost 10."
    );
  }
  return undefined;
}

/** How a code supplied at create/update is stored (bcrypt digests already checked by backupCodeDigestsProblem). */
export function sealBackupCode(code: string, salt: string): { kind: BackupCodeKind; digest: string } {
  if (bcryptDigestCost(code) !== undefined) return { kind: "bcrypt", digest: code };
  return { kind: "hmac", digest: bytesToHex(hmac(sha256, fromBase64(salt), new TextEncoder().encode(code))) };
}

/**
 * The stored code that `code` matches, or undefined. HMAC rows are checked first (all of
 * them, in constant time each); bcrypt rows only when no HMAC row matched, and only up to
 * `maxBcryptWork` (Σ 2^cost) in total, so rows stored before that bound cannot exceed it either.
 */
export async function findMatchingBackupCode<T extends StoredBackupCode>(
  code: string,
  salt: string | null,
  rows: T[],
  maxBcryptWork = MAX_BACKUP_CODE_BCRYPT_WORK,
): Promise<T | undefined> {
  let found: T | undefined;
  if (salt) {
    const candidate = sealBackupCode(code, salt);
    for (const row of rows) {
      if (row.kind === "hmac" && timingSafeEqualStrings(row.digest, candidate.digest) && !found) found = row;
    }
  }
  if (found) return found;
  let work = 0;
  for (const row of rows) {
    if (row.kind !== "bcrypt") continue;
    work += 2 ** (bcryptDigestCost(row.digest) ?? 0);
    if (work > maxBcryptWork) break;
    if (await verifyBcrypt(code, row.digest)) return row;
  }
  return undefined;
}

/**
 * The portable form of a stored backup code, as the user record's `backup_code_digests` carries
 * it (GET /v1/users/export, POST /v1/users/import). An imported bcrypt digest is written as it is
 * stored. An HMAC digest is only checkable with its user's salt, so it is written together with
 * it, in the modular-crypt style bcrypt uses: `$hmac-sha256$<base64 salt>$<hex digest>`. Nothing
 * is re-hashed, so the codes the user holds keep working wherever the record is imported.
 */
export const HMAC_DIGEST_PREFIX = "$hmac-sha256$";

const EXPORTED_HMAC_RE = /^\$hmac-sha256\$([A-Za-z0-9+/]+={0,2})\$([0-9a-f]{64})$/;

/**
 * The portable form of one stored code; undefined for an HMAC code without a salt, which no
 * code can match (findMatchingBackupCode checks HMAC rows only under the user's salt).
 */
export function exportedBackupCodeDigest(row: Pick<StoredBackupCode, "kind" | "digest">, salt: string | null): string | undefined {
  if (row.kind !== "hmac") return row.digest;
  return salt ? `${HMAC_DIGEST_PREFIX}${salt}$${row.digest}` : undefined;
}

/**
 * How a portable digest is stored: `{kind, digest}` and, for an HMAC digest, the salt it was made
 * under (a user's HMAC codes share one salt); undefined when `text` is neither form. bcrypt
 * digests still go through backupCodeDigestsProblem for their cost.
 */
export function parseExportedBackupCodeDigest(text: string): { kind: BackupCodeKind; digest: string; salt?: string } | undefined {
  if (bcryptDigestCost(text) !== undefined) return { kind: "bcrypt", digest: text };
  const match = EXPORTED_HMAC_RE.exec(text);
  return match ? { kind: "hmac", digest: match[2], salt: match[1] } : undefined;
}
