/**
 * Bodies of the extension endpoints that create passkeys and external accounts (Clerk has no
 * backend endpoint for either; they serve migrations from other systems).
 */
import { z } from "zod";
import { emailAddress, httpUrl, metadataObject, shortText } from "./common";

export const createPasskeyBody = z
  .object({
    name: shortText(256),
    credential_id: z.string().min(1).max(1024),
    public_key: z.string().min(1).max(4096),
    sign_count: z.number().int().min(0).optional(),
    transports: z.array(z.string().max(32)).max(10).optional(),
  })
  .strict();

export type CreatePasskeyInput = z.output<typeof createPasskeyBody>;

const token = z
  .string()
  .min(1)
  .max(16 * 1024)
  .nullable()
  .optional();

export const createExternalAccountBody = z
  .object({
    provider: z
      .string()
      .regex(/^(oauth_)?(custom_)?[a-z][a-z0-9_]*$/, "provider must look like oauth_google")
      .max(64),
    provider_user_id: z.string().min(1).max(512),
    email_address: emailAddress.nullable().optional(),
    first_name: shortText().nullable().optional(),
    last_name: shortText().nullable().optional(),
    username: shortText().nullable().optional(),
    image_url: httpUrl().nullable().optional(),
    phone_number: shortText(32).nullable().optional(),
    approved_scopes: z.string().max(4096).nullable().optional(),
    access_token: token,
    refresh_token: token,
    id_token: token,
    token_secret: token,
    expires_at: z.number().int().min(0).nullable().optional(),
    label: shortText().nullable().optional(),
    public_metadata: metadataObject.optional(),
  })
  .strict();

export type CreateExternalAccountInput = z.output<typeof createExternalAccountBody>;
