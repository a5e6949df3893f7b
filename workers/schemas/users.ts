/**
 * Request bodies of the user operations (spec CreateUser / UpdateUser / metadata), declared
 * once. `.strict()` turns an unknown key into 422 form_param_unknown.
 */
import { z } from "zod";
import { emailAddress, metadataObject, optionalBool, phoneNumber, rfc3339, shortText, username, web3Wallet } from "./common";

const identificationStatus = z
  .array(z.enum(["verified", "reserved"]))
  .max(100)
  .optional();
const nullableText = (max = 256) => shortText(max).nullable().optional();
// 0 = unlimited. Bounded so the stored value stays an exact integer (1e300 is an "integer" to JSON).
const createOrganizationsLimit = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullable().optional();

/** Credential fields, shared by create and update; rules live in services/credentials.ts. */
const credentialFields = {
  password: z.string().nullable().optional(),
  password_digest: z.string().nullable().optional(),
  password_hasher: z.string().nullable().optional(),
  skip_password_checks: optionalBool,
  totp_secret: z.string().nullable().optional(),
  backup_codes: z.array(z.string().max(200)).max(100).nullable().optional(),
};

const metadataFields = {
  public_metadata: metadataObject.optional(),
  private_metadata: metadataObject.optional(),
  unsafe_metadata: metadataObject.optional(),
};

export const createUserBody = z
  .object({
    external_id: nullableText(),
    first_name: nullableText(),
    last_name: nullableText(),
    locale: nullableText(64),
    email_address: z.array(emailAddress).max(100).optional(),
    email_address_identification_status: identificationStatus,
    phone_number: z.array(phoneNumber).max(100).optional(),
    phone_number_identification_status: identificationStatus,
    web3_wallet: z.array(web3Wallet).max(100).optional(),
    username: username.nullable().optional(),
    ...credentialFields,
    skip_password_requirement: optionalBool,
    ...metadataFields,
    delete_self_enabled: optionalBool,
    create_organization_enabled: optionalBool,
    create_organizations_limit: createOrganizationsLimit,
    legal_accepted_at: rfc3339.nullable().optional(),
    skip_legal_checks: optionalBool,
    skip_user_requirement: optionalBool,
    bypass_client_trust: optionalBool,
    created_at: rfc3339.nullable().optional(),
    banned: optionalBool,
    locked: optionalBool,
  })
  .strict();

export type CreateUserInput = z.output<typeof createUserBody>;

export const updateUserBody = z
  .object({
    external_id: nullableText(),
    first_name: nullableText(),
    last_name: nullableText(),
    locale: nullableText(64),
    primary_email_address_id: z.string().nullable().optional(),
    primary_phone_number_id: z.string().nullable().optional(),
    primary_web3_wallet_id: z.string().nullable().optional(),
    notify_primary_email_address_changed: optionalBool,
    // null or "" removes the username.
    username: z
      .union([z.literal(""), username])
      .nullable()
      .optional(),
    profile_image_id: z.string().nullable().optional(),
    ...credentialFields,
    sign_out_of_other_sessions: optionalBool,
    // A deliberate superset of spec 2026-05-12: metadata on PATCH replaces that object.
    ...metadataFields,
    delete_self_enabled: optionalBool,
    create_organization_enabled: optionalBool,
    legal_accepted_at: rfc3339.nullable().optional(),
    skip_legal_checks: optionalBool,
    create_organizations_limit: createOrganizationsLimit,
    created_at: rfc3339.nullable().optional(),
    bypass_client_trust: optionalBool,
  })
  .strict();

export type UpdateUserInput = z.output<typeof updateUserBody>;

export const metadataBody = z
  .object({
    public_metadata: metadataObject.nullable().optional(),
    private_metadata: metadataObject.nullable().optional(),
    unsafe_metadata: metadataObject.nullable().optional(),
  })
  .strict();

export type MetadataInput = z.output<typeof metadataBody>;
