/**
 * The rows of a new user, built in one place for `POST /v1/users` (services/users.ts createUser)
 * and for every user of `POST /v1/users/import` (services/user-import.ts): identification rows,
 * password/TOTP/backup-code columns, metadata, the primary sort columns, the lock.
 *
 * Two steps, so a caller can check identifiers between them before paying for any hashing:
 * planNewUser (ids, timestamps, identifiers: synchronous, cheap) and buildNewUserRows (metadata,
 * password hashing, TOTP sealing, backup codes). The create body is a subset of the import record
 * (schemas/user-import.ts); the import-only fields are simply absent for a create.
 */
import type { AppContext } from "../context";
import { ksuidTimestamp, newId, newIds } from "../crypto/ids";
import { normalizeEmail, normalizeUsername } from "../db/normalize";
import type { NewUserRows } from "../db/users";
import { errors, type ApiError } from "../http/errors";
import type { UserImportRecord } from "../schemas/user-import";
import { backupCodeRows, passwordColumns, storedBackupCodeRows, totpColumns } from "./credentials";
import { lockedUntilFrom } from "./lockout";
import { metadataForInsert } from "./metadata";

type IdentificationStatus = "verified" | "reserved" | "unverified";

/** One email address, phone number or web3 wallet of a new user. */
export interface PlannedIdentification {
  id: string;
  value: string;
  status: IdentificationStatus;
  createdAt: number;
}

/** What is known of a new user before anything is hashed: its ids, times and identifiers. */
export interface NewUserPlan {
  input: UserImportRecord;
  userId: string;
  createdAt: number;
  now: number;
  emails: (PlannedIdentification & { normalized: string })[];
  phones: (PlannedIdentification & { reservedForSecondFactor: boolean; defaultSecondFactor: boolean })[];
  wallets: PlannedIdentification[];
  usernameNormalized: string | null;
  externalId: string | null;
}

/** The identifiers a new user would take, folded as their unique indexes compare them. */
export interface NewUserIdentifiers {
  emails: string[];
  phones: string[];
  wallets: string[];
  username: string | null;
  externalId: string | null;
}

export function identifiersOf(plan: NewUserPlan): NewUserIdentifiers {
  return {
    emails: plan.emails.map((e) => e.normalized),
    phones: plan.phones.map((p) => p.value),
    wallets: plan.wallets.map((w) => w.value),
    username: plan.usernameNormalized,
    externalId: plan.externalId,
  };
}

function firstDuplicate(values: readonly string[]): string | undefined {
  const seen = new Set<string>();
  for (const v of values) {
    if (seen.has(v)) return v;
    seen.add(v);
  }
  return undefined;
}

/** form_identifier_exists for an identifier the request itself repeats, or undefined. */
export function repeatedIdentifierError(identifiers: Pick<NewUserIdentifiers, "emails" | "phones" | "wallets">): ApiError | undefined {
  if (firstDuplicate(identifiers.emails)) return errors.identifierExists("email_address", "email address");
  if (firstDuplicate(identifiers.phones)) return errors.identifierExists("phone_number", "phone number");
  if (firstDuplicate(identifiers.wallets)) return errors.identifierExists("web3_wallet", "web3 wallet");
  return undefined;
}

/** The per-identification values of `list`: `given` when sent (one per item), else `fallback` for each. */
function parallel<T>(list: readonly unknown[], given: readonly T[] | null | undefined, param: string, listParam: string, fallback: () => T[]): T[] {
  if (given === undefined || given === null || (given.length === 0 && list.length > 0)) return fallback();
  if (given.length !== list.length) throw errors.paramArrayLengthMismatch(param, listParam);
  return [...given];
}

/**
 * created_at of a new user: the one sent; else, for a 27-character KSUID id (Clerk's), the id's
 * own timestamp (whole seconds); else now.
 */
function createdAtOf(input: UserImportRecord, now: number): number {
  if (input.created_at !== undefined && input.created_at !== null) return input.created_at;
  const seconds = input.id === undefined ? null : ksuidTimestamp(input.id);
  return seconds === null ? now : seconds * 1000;
}

/**
 * Ids, times and identifiers of a new user, after the checks that need no database and no
 * hashing (parallel list lengths, phone second-factor flags, the backup-code pair). Throws the
 * request's ApiError.
 */
export function planNewUser(ctx: Pick<AppContext, "now">, input: UserImportRecord): NewUserPlan {
  const now = ctx.now();
  const createdAt = createdAtOf(input, now);
  const userId = input.id ?? newId("user", createdAt);
  const emails = input.email_address ?? [];
  const phones = input.phone_number ?? [];
  const wallets = input.web3_wallet ?? [];
  const verified = (list: readonly unknown[]) => () => list.map(() => "verified" as const);
  const emailStatuses = parallel(
    emails,
    input.email_address_identification_status,
    "email_address_identification_status",
    "email_address",
    verified(emails),
  );
  const phoneStatuses = parallel(
    phones,
    input.phone_number_identification_status,
    "phone_number_identification_status",
    "phone_number",
    verified(phones),
  );
  // Sorted new ids keep each list in request order (the first is primary, and lists read back
  // in (created_at, id) order); ids sent are kept as they are.
  const ids = (list: readonly unknown[], given: string[] | undefined, param: string, listParam: string) =>
    parallel(list, given, param, listParam, () => newIds("idn", list.length, createdAt));
  const emailIds = ids(emails, input.email_address_ids, "email_address_ids", "email_address");
  const phoneIds = ids(phones, input.phone_number_ids, "phone_number_ids", "phone_number");
  const walletIds = ids(wallets, input.web3_wallet_ids, "web3_wallet_ids", "web3_wallet");
  const times = (list: readonly unknown[], given: number[] | undefined, param: string, listParam: string) =>
    parallel(list, given, param, listParam, () => list.map(() => createdAt));
  const emailTimes = times(emails, input.email_address_created_at, "email_address_created_at", "email_address");
  const phoneTimes = times(phones, input.phone_number_created_at, "phone_number_created_at", "phone_number");
  const walletTimes = times(wallets, input.web3_wallet_created_at, "web3_wallet_created_at", "web3_wallet");
  const flags = (given: boolean[] | undefined, param: string) => parallel(phones, given, param, "phone_number", () => phones.map(() => false));
  const secondFactor = flags(input.phone_number_reserved_for_second_factor, "phone_number_reserved_for_second_factor");
  const defaultSecondFactor = flags(input.phone_number_default_second_factor, "phone_number_default_second_factor");
  // As Clerk keeps them: one default second factor at most, and only among the phones reserved for it.
  if (defaultSecondFactor.filter(Boolean).length > 1 || defaultSecondFactor.some((isDefault, i) => isDefault && !secondFactor[i])) {
    throw errors.paramValueInvalid(
      "phone_number_default_second_factor",
      "At most one phone number can be the default second factor, and it must be reserved for second factor.",
    );
  }
  if (
    input.backup_code_digests !== undefined &&
    input.backup_code_digests !== null &&
    input.backup_codes !== undefined &&
    input.backup_codes !== null
  ) {
    throw errors.paramValueInvalid("backup_code_digests", "backup_code_digests cannot be combined with backup_codes; send one of them.");
  }

  return {
    input,
    userId,
    createdAt,
    now,
    emails: emails.map((value, i) => ({
      id: emailIds[i],
      value,
      normalized: normalizeEmail(value),
      status: emailStatuses[i],
      createdAt: emailTimes[i],
    })),
    phones: phones.map((value, i) => ({
      id: phoneIds[i],
      value,
      status: phoneStatuses[i],
      createdAt: phoneTimes[i],
      reservedForSecondFactor: secondFactor[i],
      defaultSecondFactor: defaultSecondFactor[i],
    })),
    wallets: wallets.map((value, i) => ({ id: walletIds[i], value, status: "verified", createdAt: walletTimes[i] })),
    usernameNormalized: input.username ? normalizeUsername(input.username) : null,
    externalId: input.external_id ?? null,
  };
}

/** The stored columns of an identification's status: verified by the admin, reserved, or neither. */
function statusColumns(status: IdentificationStatus) {
  if (status === "verified") return { reserved: false, verificationStatus: "verified", verificationStrategy: "admin" };
  return { reserved: status === "reserved", verificationStatus: null, verificationStrategy: null };
}

/**
 * Every row of the new user of `plan`: checks the metadata limit, hashes a plain password (bcrypt
 * at BCRYPT_COST: the slow part), parses an imported digest (never re-hashed), seals the TOTP
 * secret, and seals or keeps the backup codes. Throws the request's ApiError.
 */
export async function buildNewUserRows(ctx: AppContext, plan: NewUserPlan): Promise<NewUserRows> {
  const { input, userId, createdAt, now } = plan;
  const metadata = metadataForInsert({
    public_metadata: input.public_metadata,
    private_metadata: input.private_metadata,
    unsafe_metadata: input.unsafe_metadata,
  });
  const password = await passwordColumns(ctx, input);
  if (password && input.password_last_updated_at !== undefined) password.passwordLastUpdatedAt = input.password_last_updated_at;
  if (password && input.password_compromised_at !== undefined) password.passwordCompromisedAt = input.password_compromised_at;
  const totp = await totpColumns(ctx, input, userId);
  const codes =
    input.backup_code_digests !== undefined && input.backup_code_digests !== null
      ? storedBackupCodeRows(ctx, input.backup_code_digests, userId)
      : await backupCodeRows(ctx, input, userId);

  const rows: NewUserRows = {
    user: {} as NewUserRows["user"],
    emailAddresses: plan.emails.map((email) => ({
      id: email.id,
      userId,
      emailAddress: email.value,
      emailAddressNormalized: email.normalized,
      ...statusColumns(email.status),
      createdAt: email.createdAt,
      updatedAt: now,
    })),
    phoneNumbers: plan.phones.map((phone) => ({
      id: phone.id,
      userId,
      phoneNumber: phone.value,
      ...statusColumns(phone.status),
      reservedForSecondFactor: phone.reservedForSecondFactor,
      defaultSecondFactor: phone.defaultSecondFactor,
      createdAt: phone.createdAt,
      updatedAt: now,
    })),
    web3Wallets: plan.wallets.map((wallet) => ({
      id: wallet.id,
      userId,
      web3Wallet: wallet.value,
      ...statusColumns(wallet.status),
      createdAt: wallet.createdAt,
      updatedAt: now,
    })),
    backupCodes: codes?.rows ?? [],
  };
  const mfaEnabled = Boolean(totp || codes?.rows.length || plan.phones.some((p) => p.reservedForSecondFactor));
  rows.user = {
    id: userId,
    externalId: plan.externalId,
    username: input.username ?? null,
    usernameNormalized: plan.usernameNormalized,
    firstName: input.first_name ?? null,
    lastName: input.last_name ?? null,
    locale: input.locale ?? null,
    primaryEmailAddressId: plan.emails[0]?.id ?? null,
    primaryEmailAddressSort: plan.emails[0]?.normalized ?? null,
    primaryPhoneNumberId: plan.phones[0]?.id ?? null,
    primaryPhoneNumberSort: plan.phones[0]?.value ?? null,
    primaryWeb3WalletId: plan.wallets[0]?.id ?? null,
    primaryWeb3WalletSort: plan.wallets[0]?.value ?? null,
    publicMetadata: metadata.public_metadata,
    privateMetadata: metadata.private_metadata,
    unsafeMetadata: metadata.unsafe_metadata,
    ...password,
    ...totp,
    ...codes?.columns,
    mfaEnabledAt: input.mfa_enabled_at !== undefined ? input.mfa_enabled_at : mfaEnabled ? now : null,
    mfaDisabledAt: input.mfa_disabled_at ?? null,
    banned: input.banned ?? false,
    lockedAt: input.locked ? now : null,
    lockedUntil: input.locked ? lockedUntilFrom(ctx, now) : null,
    deleteSelfEnabled: input.delete_self_enabled ?? true,
    createOrganizationEnabled: input.create_organization_enabled ?? true,
    createOrganizationsLimit: input.create_organizations_limit ?? null,
    bypassClientTrust: input.bypass_client_trust ?? false,
    legalAcceptedAt: input.legal_accepted_at ?? null,
    lastSignInAt: input.last_sign_in_at ?? null,
    lastActiveAt: input.last_active_at ?? null,
    createdAt,
    updatedAt: now,
  };
  return rows;
}
