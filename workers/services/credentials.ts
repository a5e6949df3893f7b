/**
 * Credential rules shared by create and update: which columns and rows a password, a
 * password digest, a TOTP secret or backup codes turn into. Passwords and secrets never
 * leave this module in clear text and are never logged.
 */
import bcrypt from "bcryptjs";
import type { AppContext } from "../context";
import type { NewUserRows } from "../db/users";
import type { UserRow } from "../db/schema";
import { errors } from "../http/errors";

export interface CredentialInput {
  password?: string | null;
  password_digest?: string | null;
  password_hasher?: string | null;
  skip_password_checks?: boolean | null;
  totp_secret?: string | null;
  backup_codes?: string[] | null;
}

export const MIN_PASSWORD_LENGTH = 8;

/** Hashes a new plain password with bcrypt at the configured cost. */
export async function hashPassword(ctx: AppContext, password: string): Promise<string> {
  return bcrypt.hash(password, ctx.config.bcryptCost);
}

/** Checks a plain password against the instance's rules unless `skip` is set. */
export function checkPasswordRules(password: string, skip: boolean): void {
  if (skip) return;
  if (Array.from(password).length < MIN_PASSWORD_LENGTH) throw errors.passwordTooShort("password", MIN_PASSWORD_LENGTH);
}

/**
 * The user-row columns for the password part of `input`, or undefined when the input does
 * not touch the password. A plain password and a digest together are refused.
 */
export async function passwordColumns(ctx: AppContext, input: CredentialInput): Promise<Partial<UserRow> | undefined> {
  if (input.password_digest !== undefined && input.password_digest !== null) {
    // Digest import arrives with the credentials work; until then the parameter is refused.
    throw errors.paramUnknown("password_digest");
  }
  if (input.password_hasher !== undefined && input.password_hasher !== null) throw errors.paramUnknown("password_hasher");
  if (input.password === undefined || input.password === null) return undefined;
  checkPasswordRules(input.password, input.skip_password_checks === true);
  return {
    passwordDigest: await hashPassword(ctx, input.password),
    passwordHasher: "bcrypt",
    passwordLastUpdatedAt: ctx.now(),
  };
}

/** TOTP secret columns; refused until the credentials work lands. */
export async function totpColumns(_ctx: AppContext, input: CredentialInput, _userId: string): Promise<Partial<UserRow> | undefined> {
  if (input.totp_secret === undefined || input.totp_secret === null) return undefined;
  throw errors.paramUnknown("totp_secret");
}

/** Backup-code rows; refused until the credentials work lands. */
export async function backupCodeRows(
  _ctx: AppContext,
  input: CredentialInput,
  _userId: string,
): Promise<{ columns: Partial<UserRow>; rows: NewUserRows["backupCodes"] } | undefined> {
  if (input.backup_codes === undefined || input.backup_codes === null) return undefined;
  throw errors.paramUnknown("backup_codes");
}
