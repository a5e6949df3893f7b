/**
 * A user aggregate → the user record: one line of GET /v1/users/export, and an element of the
 * body POST /v1/users/import takes (the shared contract of issue 15; its zod schema is
 * workers/schemas/user-import.ts). Every field of POST /v1/users that the stored user can give,
 * plus the extensions that let ids, timestamps and per-identification state round-trip.
 *
 * A field is left out when its value is null, an empty list or object, or what create assumes
 * when it is absent, so the import treats the record as create would and the lines stay short.
 * An empty string is written: GET shows "" and null differently, so leaving it out would not
 * round-trip. Credentials are added
 * only by the caller that was allowed to read them (services/user-export.ts).
 */
import type { AppContext } from "../context";
import { storedJsonObject } from "../db/metadata";
import type { UserAggregate } from "../db/users";
import { lockoutState } from "../services/lockout";

type Ctx = Pick<AppContext, "config" | "now">;

/** How create and import name an identification's state. */
export type IdentificationStatus = "verified" | "reserved" | "unverified";

/** The secrets of a record, present only in an export with credentials. */
export interface UserRecordCredentials {
  password_digest?: string;
  password_hasher?: string;
  /** When the password was marked compromised (epoch ms), with its digest. */
  password_compromised_at?: number;
  /** The TOTP secret in base32, decrypted. */
  totp_secret?: string;
  /** Each stored backup code as crypto/backup-codes.ts exportedBackupCodeDigest writes it. */
  backup_code_digests?: string[];
}

export interface UserRecord extends UserRecordCredentials {
  id: string;
  /** RFC 3339, as create accepts it. */
  created_at: string;
  external_id?: string;
  first_name?: string;
  last_name?: string;
  locale?: string;
  username?: string;
  email_address?: string[];
  email_address_ids?: string[];
  email_address_identification_status?: IdentificationStatus[];
  email_address_created_at?: number[];
  phone_number?: string[];
  phone_number_ids?: string[];
  phone_number_identification_status?: IdentificationStatus[];
  phone_number_created_at?: number[];
  phone_number_reserved_for_second_factor?: boolean[];
  phone_number_default_second_factor?: boolean[];
  web3_wallet?: string[];
  web3_wallet_ids?: string[];
  web3_wallet_created_at?: number[];
  public_metadata?: Record<string, unknown>;
  private_metadata?: Record<string, unknown>;
  unsafe_metadata?: Record<string, unknown>;
  delete_self_enabled?: false;
  create_organization_enabled?: false;
  create_organizations_limit?: number;
  /** RFC 3339, as create accepts it. */
  legal_accepted_at?: string;
  bypass_client_trust?: true;
  banned?: true;
  locked?: true;
  password_last_updated_at?: number;
  mfa_enabled_at?: number;
  mfa_disabled_at?: number;
  last_sign_in_at?: number;
  last_active_at?: number;
}

interface Identification {
  id: string;
  createdAt: number;
  reserved?: boolean;
  verificationStatus: string | null;
}

/** The stored row's state in create's and import's words. */
function statusOf(row: Identification): IdentificationStatus {
  if (row.reserved) return "reserved";
  return row.verificationStatus === "verified" ? "verified" : "unverified";
}

/**
 * The list with the primary first: create and import make the first of each list primary, and
 * the ids and created_at the record carries put the list back in its stored order on GET.
 */
function primaryFirst<T extends { id: string }>(list: T[], primaryId: string | null): T[] {
  const index = primaryId === null ? -1 : list.findIndex((item) => item.id === primaryId);
  return index <= 0 ? list : [list[index], ...list.slice(0, index), ...list.slice(index + 1)];
}

/** `values` unless every one is `absent` (the value import assumes for a missing list). */
function unlessAll<T>(values: T[], absent: (value: T) => boolean): T[] | undefined {
  return values.every(absent) ? undefined : values;
}

/** What the record says of one identification list besides the values: ids, states, creation times. */
function listState<T extends Identification>(rows: T[], userCreatedAt: number) {
  return {
    ids: rows.map((row) => row.id),
    statuses: unlessAll(rows.map(statusOf), (status) => status === "verified"),
    createdAt: unlessAll(
      rows.map((row) => row.createdAt),
      (createdAt) => createdAt === userCreatedAt,
    ),
  };
}

/** `{ [key]: value }`, or nothing for a value to leave out. */
function defined<K extends string, V>(key: K, value: V | null | undefined): { [P in K]?: V } {
  return value === null || value === undefined ? {} : ({ [key]: value } as { [P in K]: V });
}

/** A metadata object, or nothing when it is empty. */
function metadata<K extends string>(key: K, stored: string): { [P in K]?: Record<string, unknown> } {
  const object = storedJsonObject(stored);
  return Object.keys(object).length === 0 ? {} : defined(key, object);
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The record of one user. `credentials` are written as given (the caller decides whether the
 * export may carry them); `locked` is the lock as it stands at `ctx.now()`.
 */
export function serializeUserRecord(ctx: Ctx, aggregate: UserAggregate, credentials?: UserRecordCredentials): UserRecord {
  const { user } = aggregate;
  const emails = primaryFirst(aggregate.emailAddresses, user.primaryEmailAddressId);
  const phones = primaryFirst(aggregate.phoneNumbers, user.primaryPhoneNumberId);
  const wallets = primaryFirst(aggregate.web3Wallets, user.primaryWeb3WalletId);
  const [emailState, phoneState, walletState] = [emails, phones, wallets].map((list) => listState<Identification>(list, user.createdAt));
  return {
    id: user.id,
    created_at: iso(user.createdAt),
    ...defined("external_id", user.externalId),
    ...defined("first_name", user.firstName),
    ...defined("last_name", user.lastName),
    ...defined("locale", user.locale),
    ...defined("username", user.username),
    ...(emails.length
      ? {
          email_address: emails.map((e) => e.emailAddress),
          email_address_ids: emailState.ids,
          ...defined("email_address_identification_status", emailState.statuses),
          ...defined("email_address_created_at", emailState.createdAt),
        }
      : {}),
    ...(phones.length
      ? {
          phone_number: phones.map((p) => p.phoneNumber),
          phone_number_ids: phoneState.ids,
          ...defined("phone_number_identification_status", phoneState.statuses),
          ...defined("phone_number_created_at", phoneState.createdAt),
          ...defined(
            "phone_number_reserved_for_second_factor",
            unlessAll(
              phones.map((p) => p.reservedForSecondFactor),
              (flag) => !flag,
            ),
          ),
          ...defined(
            "phone_number_default_second_factor",
            unlessAll(
              phones.map((p) => p.defaultSecondFactor),
              (flag) => !flag,
            ),
          ),
        }
      : {}),
    // Wallets have no state to carry: create and import make every wallet verified.
    ...(wallets.length
      ? {
          web3_wallet: wallets.map((w) => w.web3Wallet),
          web3_wallet_ids: walletState.ids,
          ...defined("web3_wallet_created_at", walletState.createdAt),
        }
      : {}),
    ...metadata("public_metadata", user.publicMetadata),
    ...metadata("private_metadata", user.privateMetadata),
    ...metadata("unsafe_metadata", user.unsafeMetadata),
    ...(user.deleteSelfEnabled ? {} : { delete_self_enabled: false as const }),
    ...(user.createOrganizationEnabled ? {} : { create_organization_enabled: false as const }),
    ...defined("create_organizations_limit", user.createOrganizationsLimit),
    ...defined("legal_accepted_at", user.legalAcceptedAt === null ? null : iso(user.legalAcceptedAt)),
    ...(user.bypassClientTrust ? { bypass_client_trust: true as const } : {}),
    ...(user.banned ? { banned: true as const } : {}),
    ...(lockoutState(user, ctx.config, ctx.now()).locked ? { locked: true as const } : {}),
    ...defined("password_last_updated_at", user.passwordLastUpdatedAt),
    ...defined("mfa_enabled_at", user.mfaEnabledAt),
    ...defined("mfa_disabled_at", user.mfaDisabledAt),
    ...defined("last_sign_in_at", user.lastSignInAt),
    ...defined("last_active_at", user.lastActiveAt),
    ...credentials,
  };
}
