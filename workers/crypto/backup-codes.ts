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

/** Why the bcrypt digests among `codes` (parameter `param`) cannot be stored, as an error text; undefined when they can. */
export function backupCodeDigestsProblem(codes: readonly string[], param = "backup_codes"): string | undefined {
  let work = 0;
  for (const code of codes) {
    const cost = bcryptDigestCost(code);
    if (cost === undefined) continue;
    if (cost < BCRYPT_MIN_COST || cost > BCRYPT_MAX_COST) {
      return `${param} contains a bcrypt digest of cost ${cost}; the accepted costs are ${BCRYPT_MIN_COST} to ${BCRYPT_MAX_COST}.`;
    }
    work += 2 ** cost;
  }
  if (work > MAX_BACKUP_CODE_BCRYPT_WORK) {
    return (
      `The bcrypt digests in ${param} are too costly to check, since every code tried is compared with each of them: ` +
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
 * How an HMAC code is written in a user record's `backup_code_digests` (import/export): the
 * digest alone cannot be checked without the user's salt, so each carries it,
 * `$hmac-sha256$<salt, base64>$<digest, 64 lower-case hex>`. A user's HMAC codes share one salt.
 */
const HMAC_RECORD_RE = /^\$hmac-sha256\$([A-Za-z0-9+/]{4,88}={0,2})\$([0-9a-f]{64})$/;

/**
 * A stored backup code as a user record's `backup_code_digests` holds it: a bcrypt digest as
 * stored, an HMAC digest with the user's salt (HMAC_RECORD_RE). The import stores it back as it
 * was (parseBackupCodeDigests), never re-hashed.
 */
export function exportedBackupCodeDigest(code: { kind: string; digest: string }, salt: string | null): string {
  if (code.kind === "bcrypt") return code.digest;
  if (!salt) throw new Error("an HMAC backup code without its user's salt cannot be exported");
  return `$hmac-sha256$${salt}$${code.digest}`;
}

/**
 * The stored form of a record's `backup_code_digests` (see exportedBackupCodeDigest): the rows
 * and the user's salt, or why they cannot be stored (a text for the 422). Each element must be a
 * bcrypt digest (same cost bounds as backup_codes) or an HMAC code; all HMAC codes one salt.
 * Duplicates are stored once, as create stores a repeated code once.
 */
export function parseBackupCodeDigests(
  list: readonly string[],
): { salt: string | null; codes: { kind: BackupCodeKind; digest: string }[] } | { problem: string } {
  const unique = [...new Set(list)];
  let salt: string | null = null;
  const codes: { kind: BackupCodeKind; digest: string }[] = [];
  for (const item of unique) {
    if (bcryptDigestCost(item) !== undefined) {
      codes.push({ kind: "bcrypt", digest: item });
      continue;
    }
    const match = HMAC_RECORD_RE.exec(item);
    let saltBytes = 0;
    try {
      saltBytes = match ? fromBase64(match[1]).length : 0;
    } catch {
      saltBytes = 0;
    }
    if (!match || saltBytes < 8) {
      return { problem: "backup_code_digests must hold bcrypt digests or $hmac-sha256$<salt>$<hex> codes, as the export writes them." };
    }
    if (salt !== null && salt !== match[1]) return { problem: "The HMAC codes of backup_code_digests must all carry the same salt." };
    salt = match[1];
    codes.push({ kind: "hmac", digest: match[2] });
  }
  const problem = backupCodeDigestsProblem(
    codes.filter((c) => c.kind === "bcrypt").map((c) => c.digest),
    "backup_code_digests",
  );
  return problem ? { problem } : { salt, codes };
}
