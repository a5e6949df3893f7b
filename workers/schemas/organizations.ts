/**
 * Request bodies of the organization, membership and invitation operations (spec
 * CreateOrganization, UpdateOrganization, CreateOrganizationMembership, …), declared once.
 * `.strict()` turns an unknown key into 422 form_param_unknown.
 *
 * Accepted but without effect here (documented no-ops): `role_set_key` (no role sets),
 * `redirect_url` and `notify` on invitations (no emails are sent).
 */
import { z } from "zod";
import { errors } from "../http/errors";
import { emailAddress, metadataObject, optionalBool, rfc3339 } from "./common";

export const ORGANIZATION_NAME_MAX = 256;

// Clerk: "May not contain URLs or HTML".
const URL_RE = /\b(?:[a-z][a-z0-9+.-]*:\/\/|www\.)\S/i;
const HTML_RE = /<\/?[a-z!][^>]*>/i;
// Clerk: "can contain only lowercase alphanumeric characters and the dash".
export const SLUG_RE = /^[a-z0-9-]+$/;

const organizationName = z.string().superRefine((value, ctx) => {
  const trimmed = value.trim();
  const fail = (apiError: ReturnType<typeof errors.paramValueInvalid>) => ctx.addIssue({ code: z.ZodIssueCode.custom, params: { apiError } });
  if (trimmed === "") fail(errors.paramValueInvalid("name", "name is invalid. Must be not empty"));
  else if (Array.from(value).length > ORGANIZATION_NAME_MAX) fail(errors.paramMaxLengthExceeded("name", ORGANIZATION_NAME_MAX));
  else if (URL_RE.test(value)) fail(errors.organizationNameInvalid(value, "it must not contain URLs."));
  else if (HTML_RE.test(value)) fail(errors.organizationNameInvalid(value, "it must not contain HTML."));
});

const slug = z.string().superRefine((value, ctx) => {
  if (value !== "" && (value.length > ORGANIZATION_NAME_MAX || !SLUG_RE.test(value))) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      params: { apiError: errors.paramFormatInvalid("slug", 'slug can contain only lowercase alphanumeric characters and the dash "-".') },
    });
  }
});

/** A role key such as `org:admin`; any non-empty string (roles are not catalogued here). */
const role = z.string().superRefine((value, ctx) => {
  if (value.trim() === "" || value.length > 256) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, params: { apiError: errors.paramValueInvalid("role", "role is invalid. Must be not empty") } });
  }
});

const metadataFields = {
  public_metadata: metadataObject.nullable().optional(),
  private_metadata: metadataObject.nullable().optional(),
};

const maxAllowedMemberships = z.number().int().min(0).nullable().optional();

export const createOrganizationBody = z
  .object({
    name: organizationName,
    slug: slug.nullable().optional(),
    created_by: z.string().nullable().optional(),
    ...metadataFields,
    max_allowed_memberships: maxAllowedMemberships,
    created_at: rfc3339.nullable().optional(),
    role_set_key: z.string().nullable().optional(),
  })
  .strict();
export type CreateOrganizationInput = z.output<typeof createOrganizationBody>;

/** Since 2026-05-12 PATCH takes no metadata (use /metadata), so a metadata key is form_param_unknown. */
export const updateOrganizationBody = z
  .object({
    name: organizationName.nullable().optional(),
    slug: slug.nullable().optional(),
    max_allowed_memberships: maxAllowedMemberships,
    admin_delete_enabled: optionalBool,
    created_at: rfc3339.nullable().optional(),
    role_set_key: z.string().nullable().optional(),
  })
  .strict();

/**
 * PATCH /organizations/{id} of API versions before 2026-05-12, which also took public and
 * private metadata (each replaces the stored object). @clerk/backend 1.x and 2.x and
 * @clerk/clerk-sdk-node 5 still send them there.
 */
export const updateOrganizationBodyWithMetadata = updateOrganizationBody.extend(metadataFields);
export type UpdateOrganizationInput = z.output<typeof updateOrganizationBodyWithMetadata>;

/** PATCH/PUT …/metadata bodies for organizations and memberships. */
export const organizationMetadataBody = z.object(metadataFields).strict();
export type OrganizationMetadataInput = z.output<typeof organizationMetadataBody>;

export const createMembershipBody = z
  .object({
    user_id: z.string(),
    role,
    ...metadataFields,
  })
  .strict();
export type CreateMembershipInput = z.output<typeof createMembershipBody>;

export const updateMembershipBody = z.object({ role }).strict();

export const createInvitationBody = z
  .object({
    email_address: emailAddress,
    role,
    inviter_user_id: z.string().nullable().optional(),
    ...metadataFields,
    redirect_url: z.string().nullable().optional(),
    expires_in_days: z.number().int().min(1).max(365).nullable().optional(),
    notify: optionalBool,
  })
  .strict();
export type CreateInvitationInput = z.output<typeof createInvitationBody>;

export const revokeInvitationBody = z.object({ requesting_user_id: z.string().nullable().optional() }).strict();

/** Extension: accept an invitation on behalf of a user (Clerk does this in its frontend flow). */
export const acceptInvitationBody = z.object({ user_id: z.string() }).strict();
