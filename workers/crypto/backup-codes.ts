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
import { isBcryptDigest, verifyBcrypt } from "./hashers/bcrypt";

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

/** How a code supplied at create/update is stored. */
export function sealBackupCode(code: string, salt: string): { kind: BackupCodeKind; digest: string } {
  if (isBcryptDigest(code)) return { kind: "bcrypt", digest: code };
  return { kind: "hmac", digest: bytesToHex(hmac(sha256, fromBase64(salt), new TextEncoder().encode(code))) };
}

/**
 * The stored code that `code` matches, or undefined. HMAC rows are checked first (all of
 * them, in constant time each); bcrypt rows only when no HMAC row matched.
 */
export async function findMatchingBackupCode<T extends StoredBackupCode>(code: string, salt: string | null, rows: T[]): Promise<T | undefined> {
  let found: T | undefined;
  if (salt) {
    const candidate = sealBackupCode(code, salt);
    for (const row of rows) {
      if (row.kind === "hmac" && timingSafeEqualStrings(row.digest, candidate.digest) && !found) found = row;
    }
  }
  if (found) return found;
  for (const row of rows) {
    if (row.kind === "bcrypt" && (await verifyBcrypt(code, row.digest))) return row;
  }
  return undefined;
}
