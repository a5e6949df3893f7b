/**
 * The user record of bulk import and export (issue 15): one element of `POST /v1/users/import`'s
 * `users`, and one line of `GET /v1/users/export`. It is the create-user body (createUserBody:
 * every field, the same validation) plus the extensions below, all optional. This is the one
 * definition of the record: the export writes exactly these fields.
 *
 * - `id` (`user_` + 1–64 base62 characters) is kept verbatim. Without `created_at`, a 27-character
 *   KSUID id gives created_at (its timestamp); any other id gets now.
 * - `email_address_ids`, `phone_number_ids`, `web3_wallet_ids` (`idn_` + 1–64 base62 characters):
 *   parallel to their list, kept verbatim.
 * - `email_address_identification_status` / `phone_number_identification_status` accept a third
 *   value, `"unverified"` (not reserved, no verification), besides create's two.
 * - `email_address_created_at`, `phone_number_created_at`, `web3_wallet_created_at` (epoch ms),
 *   `phone_number_reserved_for_second_factor`, `phone_number_default_second_factor`: parallel to
 *   their list.
 * - `backup_code_digests`: backup codes as the server stores them (crypto/backup-codes.ts,
 *   exportedBackupCodeDigest), never re-hashed; not together with `backup_codes`.
 * - `password_compromised_at` (epoch ms, with a password digest): the compromised mark.
 * - `password_last_updated_at`, `mfa_enabled_at`, `mfa_disabled_at`, `last_sign_in_at`,
 *   `last_active_at`: epoch milliseconds or null, as the User JSON shows them.
 *
 * Rules that relate fields (parallel lengths, the backup-code pair) are checked where the rows
 * are built (services/new-user.ts), as create checks its own.
 */
import { z } from "zod";
import { errors } from "../http/errors";
import { IMPORTED_IDENTIFICATION_ID_RE, IMPORTED_USER_ID_RE } from "./identifier-formats.mjs";
import { createUserBody } from "./users";

/** The most users one import request may carry. */
export const MAX_IMPORT_USERS = 500;

/** A string matching `re`, else 422 form_param_format_invalid naming the top-level parameter. */
const idMatching = (re: RegExp, shape: string) =>
  z.string().superRefine((value, ctx) => {
    if (!re.test(value)) {
      const param = String(ctx.path[0] ?? "body");
      ctx.addIssue({ code: z.ZodIssueCode.custom, params: { apiError: errors.paramFormatInvalid(param, `${param} must be ${shape}.`) } });
    }
  });

/** Epoch milliseconds as the User JSON shows them: a whole number from 1970 to the end of JavaScript's dates. */
const epochMs = z.number().int().min(0).max(8.64e15);
const epochMsOrNull = epochMs.nullable().optional();

/** On import an identification may also be stored unverified (not reserved, no verification). */
const importIdentificationStatus = z
  .array(z.enum(["verified", "reserved", "unverified"]))
  .max(100)
  .optional();
const identificationIds = idMatching(IMPORTED_IDENTIFICATION_ID_RE, 'an identification id: "idn_" followed by 1 to 64 letters or digits')
  .array()
  .max(100)
  .optional();
const perIdentification = <T extends z.ZodTypeAny>(item: T) => z.array(item).max(100).optional();

export const userImportRecord = createUserBody.extend({
  id: idMatching(IMPORTED_USER_ID_RE, 'a user id: "user_" followed by 1 to 64 letters or digits').optional(),
  email_address_identification_status: importIdentificationStatus,
  phone_number_identification_status: importIdentificationStatus,
  email_address_ids: identificationIds,
  phone_number_ids: identificationIds,
  web3_wallet_ids: identificationIds,
  email_address_created_at: perIdentification(epochMs),
  phone_number_created_at: perIdentification(epochMs),
  web3_wallet_created_at: perIdentification(epochMs),
  phone_number_reserved_for_second_factor: perIdentification(z.boolean()),
  phone_number_default_second_factor: perIdentification(z.boolean()),
  backup_code_digests: z.array(z.string().max(200)).max(100).nullable().optional(),
  password_last_updated_at: epochMsOrNull,
  // When the password was marked compromised (set_compromised); kept with a password digest so a
  // migration does not make a known-compromised password clean again.
  password_compromised_at: epochMsOrNull,
  mfa_enabled_at: epochMsOrNull,
  mfa_disabled_at: epochMsOrNull,
  last_sign_in_at: epochMsOrNull,
  last_active_at: epochMsOrNull,
});

/** One user record, parsed. The create body's output type is assignable to it. */
export type UserImportRecord = z.output<typeof userImportRecord>;

/**
 * The import request. Each element of `users` is validated on its own (userImportRecord), so a
 * bad user fails alone instead of the request.
 */
export const userImportBody = z
  .object({
    users: z
      .array(z.unknown())
      .max(MAX_IMPORT_USERS)
      .superRefine((list, ctx) => {
        if (list.length === 0) ctx.addIssue({ code: z.ZodIssueCode.custom, params: { apiError: errors.arrayItemRequired("users") } });
      }),
  })
  .strict();
