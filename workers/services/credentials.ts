/**
 * Credential rules: which columns and rows a password, a password digest, a TOTP secret or
 * backup codes turn into at create/update, and the verify and removal operations on them.
 * Passwords, digests and secrets never leave this module in clear text and are never logged
 * or echoed in an error, with one exception the operator opts into: exportedCredentials, for
 * GET /v1/users/export with EXPORT_CREDENTIALS=true.
 */
import bcrypt from "bcryptjs";
import type { AppContext } from "../context";
import {
  backupCodeDigestsProblem,
  exportedBackupCodeDigest,
  findMatchingBackupCode,
  newBackupCodeSalt,
  parseBackupCodeDigests,
  sealBackupCode,
  type StoredBackupCode,
} from "../crypto/backup-codes";
import { decryptSecret, encryptSecret } from "../crypto/encryption";
import { checkDigest, PASSWORD_HASHERS, verifyDigest } from "../crypto/hashers";
import { BCRYPT_MAX_INPUT_BYTES } from "../crypto/hashers/bcrypt";
import { newId } from "../crypto/ids";
import { isPwnedPassword } from "../crypto/pwned-passwords";
import { decodeBase32Secret, matchTotpStep, normalizeBase32Secret } from "../crypto/totp";
import {
  claimTotpStep,
  clearPhoneSecondFactorsStatement,
  clearTotpStatement,
  consumeBackupCode,
  countBackupCodes,
  deleteBackupCodesStatement,
  listBackupCodes,
  replacePasswordDigest,
} from "../db/credentials";
import type { UserRow } from "../db/schema";
import { aggregateOf, updateUserStatement, type NewUserRows, type Statement, type UserAggregate } from "../db/users";
import { errors } from "../http/errors";
import type { UserRecordCredentials } from "../serializers/user-record";
import { batchWithEvents, userEvent } from "../webhooks/outbox";
import { requireUserRow } from "./require-user";
import { assertNotLocked, beginVerification, recordVerificationFailure, recordVerificationSuccess, verificationSuccessWrite } from "./lockout";

export interface CredentialInput {
  password?: string | null;
  password_digest?: string | null;
  password_hasher?: string | null;
  skip_password_checks?: boolean | null;
  totp_secret?: string | null;
  backup_codes?: string[] | null;
}

export const MIN_PASSWORD_LENGTH = 8;
/** bcrypt ignores every byte after the 72nd, so a longer password would be silently cut. */
export const MAX_PASSWORD_BYTES = BCRYPT_MAX_INPUT_BYTES;
const MAX_DIGEST_LENGTH = 1024;

const utf8Length = (text: string) => new TextEncoder().encode(text).length;
const isSet = <T>(value: T | null | undefined): value is T => value !== undefined && value !== null;

/** Hashes a new plain password with bcrypt at the configured cost. */
export async function hashPassword(ctx: AppContext, password: string): Promise<string> {
  return bcrypt.hash(password, ctx.config.bcryptCost);
}

/**
 * Checks a plain password before it is stored. Whatever `skip` says, it must not be empty and
 * must fit bcrypt's 72 UTF-8 bytes (a longer one would be stored cut, and any string with the
 * same first 72 bytes would then verify). Unless `skip` is set (skip_password_checks, the
 * instance's own rules) it also needs at least 8 characters and must not be on the bundled
 * list of common breached passwords.
 */
export function checkPasswordRules(password: string, skip: boolean): void {
  if (password === "") throw errors.passwordTooShort("password", skip ? 1 : MIN_PASSWORD_LENGTH);
  if (utf8Length(password) > MAX_PASSWORD_BYTES) throw errors.passwordSizeExceeded("password");
  if (skip) return;
  if (Array.from(password).length < MIN_PASSWORD_LENGTH) throw errors.passwordTooShort("password", MIN_PASSWORD_LENGTH);
  if (isPwnedPassword(password)) throw errors.passwordPwned("password");
}

/** Refuses a digest that is not in its hasher's format, at import time rather than at verify. */
function checkImportedDigest(hasher: string, digest: string): void {
  if (hasher === "awscognito") {
    throw errors.paramValueInvalid(
      "password_hasher",
      "awscognito digests can only be verified by Amazon Cognito itself, which this server does not call. Import these users without a password_digest.",
    );
  }
  const check = digest.length > MAX_DIGEST_LENGTH ? "malformed" : checkDigest(hasher, digest);
  if (check === "unknown_hasher") {
    throw errors.paramValueInvalid(
      "password_hasher",
      `The value does not match the allowed values for parameter password_hasher. Allowed values: ${Object.keys(PASSWORD_HASHERS).join(", ")}`,
    );
  }
  if (check === "malformed") throw errors.passwordDigestInvalid("password_digest");
}

/**
 * The user-row columns for the password part of `input`, or undefined when the input does
 * not touch the password. A plain password becomes bcrypt; a digest is kept in its own
 * format (with its hasher) once it parses.
 */
export async function passwordColumns(ctx: AppContext, input: CredentialInput): Promise<Partial<UserRow> | undefined> {
  const hasDigest = isSet(input.password_digest);
  const hasHasher = isSet(input.password_hasher);
  if (hasDigest || hasHasher) {
    if (!hasHasher) throw errors.paramMissing("password_hasher");
    if (!hasDigest) throw errors.paramMissing("password_digest");
    if (isSet(input.password)) {
      throw errors.paramValueInvalid("password", "password cannot be combined with password_digest; send one of them.");
    }
    checkImportedDigest(input.password_hasher!, input.password_digest!);
    return {
      passwordDigest: input.password_digest!,
      passwordHasher: input.password_hasher!,
      passwordLastUpdatedAt: ctx.now(),
      passwordCompromisedAt: null,
    };
  }
  if (!isSet(input.password)) return undefined;
  checkPasswordRules(input.password, input.skip_password_checks === true);
  return {
    passwordDigest: await hashPassword(ctx, input.password),
    passwordHasher: "bcrypt",
    passwordLastUpdatedAt: ctx.now(),
    // A new password is no longer the compromised one.
    passwordCompromisedAt: null,
  };
}

/** Encryption context of a user's TOTP secret: a sealed secret cannot be moved to another user. */
const totpContext = (userId: string) => `totp:${userId}`;

/** TOTP secret columns: the base32 secret sealed with AES-GCM, and a fresh replay marker. */
export async function totpColumns(ctx: AppContext, input: CredentialInput, userId: string): Promise<Partial<UserRow> | undefined> {
  if (!isSet(input.totp_secret)) return undefined;
  if (!decodeBase32Secret(input.totp_secret)) {
    throw errors.paramFormatInvalid("totp_secret", "totp_secret must be a base32 encoded secret of at least 16 characters.");
  }
  const sealed = await encryptSecret(ctx.config.encryptionKey, normalizeBase32Secret(input.totp_secret), totpContext(userId));
  return { totpSecretEncrypted: sealed, totpLastUsedStep: null };
}

/**
 * Backup-code rows replacing the user's codes (an empty list removes them all): plain codes
 * as HMAC-SHA256 under a new per-user salt, `$2a$/$2b$/$2y$` strings as imported bcrypt digests.
 */
export async function backupCodeRows(
  ctx: AppContext,
  input: CredentialInput,
  userId: string,
): Promise<{ columns: Partial<UserRow>; rows: NewUserRows["backupCodes"] } | undefined> {
  if (!isSet(input.backup_codes)) return undefined;
  const codes = [...new Set(input.backup_codes.map((c) => c.trim()))];
  if (codes.some((c) => c === "")) throw errors.paramValueInvalid("backup_codes", "backup_codes must not contain empty codes.");
  const digestProblem = backupCodeDigestsProblem(codes);
  if (digestProblem) throw errors.paramValueInvalid("backup_codes", digestProblem);
  const salt = newBackupCodeSalt();
  const now = ctx.now();
  return {
    columns: { backupCodeSalt: codes.length ? salt : null },
    rows: codes.map((code) => ({ id: newId("bcode", now), userId, ...sealBackupCode(code, salt), createdAt: now })),
  };
}

/**
 * Backup-code rows from a user record's `backup_code_digests` (import): the codes exactly as
 * another instance stored them, with their salt, after a format check; never re-hashed.
 */
export function storedBackupCodeRows(
  ctx: Pick<AppContext, "now">,
  digests: readonly string[],
  userId: string,
): { columns: Partial<UserRow>; rows: NewUserRows["backupCodes"] } {
  const parsed = parseBackupCodeDigests(digests);
  if ("problem" in parsed) throw errors.paramValueInvalid("backup_code_digests", parsed.problem);
  const now = ctx.now();
  return {
    columns: { backupCodeSalt: parsed.salt },
    rows: parsed.codes.map((code) => ({ id: newId("bcode", now), userId, kind: code.kind, digest: code.digest, createdAt: now })),
  };
}

/** Which second factors a user has; MFA is enabled while any of them is. */
export interface MfaFactors {
  totp: boolean;
  backupCodes: boolean;
  phone: boolean;
}

const anyFactor = (f: MfaFactors) => f.totp || f.backupCodes || f.phone;

/**
 * mfa_enabled_at / mfa_disabled_at for a change of factors: set to now when MFA turns on or
 * off. Neither is cleared by the other (Clerk: "not nullified if MFA is disabled").
 */
export function mfaTimestampColumns(before: MfaFactors, after: MfaFactors, now: number): Partial<UserRow> {
  if (!anyFactor(before) && anyFactor(after)) return { mfaEnabledAt: now };
  if (anyFactor(before) && !anyFactor(after)) return { mfaDisabledAt: now };
  return {};
}

/** The user's second factors, from the user row and its children_json copy (no further query). */
export function mfaFactorsOf(aggregate: UserAggregate): MfaFactors {
  return {
    totp: aggregate.user.totpSecretEncrypted !== null,
    backupCodes: aggregate.backupCodeCount > 0,
    phone: aggregate.phoneNumbers.some((p) => p.reservedForSecondFactor),
  };
}

/**
 * POST verify_password. Locked users get 403 without the password being checked; a wrong
 * password counts toward the lockout; a right one resets the password's failure count (not the
 * second factor's) and, for a weak imported hasher, replaces the digest with bcrypt.
 */
export async function verifyUserPassword(ctx: AppContext, userId: string, password: string): Promise<void> {
  const user = await requireUserRow(ctx, userId);
  assertNotLocked(ctx, user);
  if (user.passwordDigest === null || user.passwordHasher === null) throw errors.noPasswordSet();
  await beginVerification(ctx, user, "password");
  const result = await verifyDigest(user.passwordHasher, user.passwordDigest, password);
  if (!result.verified) throw await recordVerificationFailure(ctx, userId, errors.incorrectPassword());
  await recordVerificationSuccess(ctx, user, "password");
  // bcrypt would silently cut a longer password, so such digests stay as they are.
  if (result.rehash && utf8Length(password) <= MAX_PASSWORD_BYTES) {
    await replacePasswordDigest(ctx.db, userId, user.passwordDigest, { digest: await hashPassword(ctx, password), hasher: "bcrypt" });
  }
}

export type VerifiedCodeType = "totp" | "backup_code";

/**
 * POST verify_totp: the code is tried as TOTP (current step ±1, each step accepted once) and
 * then as a backup code, which is consumed. Concurrent requests with the same code: one wins.
 */
export async function verifyUserTotp(ctx: AppContext, userId: string, rawCode: string): Promise<VerifiedCodeType> {
  const user = await requireUserRow(ctx, userId);
  assertNotLocked(ctx, user);
  const code = rawCode.trim();
  const stored = await listBackupCodes(ctx.db, userId);
  const hasTotp = user.totpSecretEncrypted !== null;
  if (!hasTotp && stored.length === 0) throw errors.totpDisabled();
  if (stored.length === 0 && code.length !== 6) throw errors.totpInvalidLength();
  await beginVerification(ctx, user, "second_factor");

  if (hasTotp) {
    const secret = await decryptSecret(ctx.config.encryptionKey, user.totpSecretEncrypted!, totpContext(userId));
    const step = matchTotpStep(decodeBase32Secret(secret)!, code, ctx.now());
    if (step !== null && (await claimTotpStep(ctx.db, userId, step))) {
      await recordVerificationSuccess(ctx, user, "second_factor");
      return "totp";
    }
  }

  const match = await findMatchingBackupCode(code, user.backupCodeSalt, stored);
  if (match && (await consumeBackupCode(ctx.db, userId, match.id))) {
    // Using up the last code can turn MFA off, which mfa_disabled_at records: written with the
    // reset of the failure count, so the verify emits one user.updated, not two.
    if ((await countBackupCodes(ctx.db, userId)) === 0) {
      const success = verificationSuccessWrite(ctx, user, "second_factor");
      await applyMfaChange(ctx, user, { backupCodes: true }, { backupCodes: false }, success?.statements);
    } else {
      await recordVerificationSuccess(ctx, user, "second_factor");
    }
    return "backup_code";
  }
  throw await recordVerificationFailure(ctx, userId, errors.totpIncorrectCode());
}

/** Writes the mfa timestamps (and `statements`) for a change of some factors. */
async function applyMfaChange(
  ctx: AppContext,
  user: UserRow,
  known: Partial<MfaFactors>,
  change: Partial<MfaFactors>,
  statements: Statement[] = [],
): Promise<void> {
  const before = { ...mfaFactorsOf(aggregateOf(user)), ...known };
  const now = ctx.now();
  const timestamps = mfaTimestampColumns(before, { ...before, ...change }, now);
  // A change of factors changes the User JSON (totp_enabled, backup_code_enabled, two_factor_enabled, …).
  await batchWithEvents(
    ctx,
    [...statements, updateUserStatement(ctx.db, user.id, { ...timestamps, updatedAt: now })],
    [userEvent("user.updated", user.id)],
  );
}

/** DELETE /totp: removes the user's TOTP secret. */
export async function deleteUserTotp(ctx: AppContext, userId: string): Promise<void> {
  const user = await requireUserRow(ctx, userId);
  await applyMfaChange(ctx, user, {}, { totp: false }, [clearTotpStatement(ctx.db, userId)]);
}

/** DELETE /backup_code: removes all of the user's backup codes. */
export async function deleteUserBackupCodes(ctx: AppContext, userId: string): Promise<void> {
  const user = await requireUserRow(ctx, userId);
  await applyMfaChange(ctx, user, {}, { backupCodes: false }, [deleteBackupCodesStatement(ctx.db, userId)]);
}

/** DELETE /mfa: removes TOTP, backup codes and the phone numbers' second-factor flags at once. */
export async function disableUserMfa(ctx: AppContext, userId: string): Promise<void> {
  const user = await requireUserRow(ctx, userId);
  await applyMfaChange(ctx, user, {}, { totp: false, backupCodes: false, phone: false }, [
    clearTotpStatement(ctx.db, userId),
    deleteBackupCodesStatement(ctx.db, userId),
    clearPhoneSecondFactorsStatement(ctx.db, userId, ctx.now()),
  ]);
}

/**
 * A user's credentials in the user record's form, for an export the operator allowed: the stored
 * password digest with its hasher's name (one POST /v1/users accepts: only such names are ever
 * stored), the TOTP secret decrypted to base32, and the backup codes (`codes`, the user's rows)
 * in their portable form. Nothing is re-hashed. A TOTP secret that does not decrypt (another
 * CREDENTIALS_ENCRYPTION_KEY) throws: an export that left it out would silently lose the factor.
 */
export async function exportedCredentials(
  ctx: AppContext,
  user: UserRow,
  codes: readonly Pick<StoredBackupCode, "kind" | "digest">[],
): Promise<UserRecordCredentials> {
  const out: UserRecordCredentials = {};
  if (user.passwordDigest !== null && user.passwordHasher !== null) {
    out.password_digest = user.passwordDigest;
    out.password_hasher = user.passwordHasher;
    if (user.passwordCompromisedAt !== null) out.password_compromised_at = user.passwordCompromisedAt;
  }
  if (user.totpSecretEncrypted !== null) {
    out.totp_secret = await decryptSecret(ctx.config.encryptionKey, user.totpSecretEncrypted, totpContext(user.id));
  }
  // Sorted by their text, not by row id: an import gives the rows new ids, and the same codes
  // should export the same way wherever they are stored.
  const digests = codes.map((code) => exportedBackupCodeDigest(code, user.backupCodeSalt)).sort();
  if (digests.length) out.backup_code_digests = digests;
  return out;
}
