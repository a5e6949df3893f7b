/**
 * Query strings of the organization, membership and invitation lists and of GET
 * /organizations/{id} (spec ListOrganizations, GetOrganization, ListOrganizationMemberships, …),
 * declared once. Each parses into the typed value its service takes; unknown parameters are
 * ignored.
 */
import { z } from "zod";
import { normalizeEmail } from "../db/normalize";
import { NEWEST_FIRST, type OrderBy } from "../db/order";
import type { InvitationOrderField, InvitationStatus } from "../db/organization-invitations";
import type { MembershipOrderField } from "../db/organization-memberships";
import type { OrganizationFilter, OrganizationOrderField } from "../db/organizations";
import type { IncludeExclude, UserFilter } from "../db/user-search";
import { errors } from "../http/errors";
import { toArray } from "../http/query";
import { fail, pageFields, pageOf, queryBoolean, queryIncludeExclude, queryList, queryOrderBy, queryString, queryValue, type Page } from "./query";
import { memberFilterFields, memberFilterOf } from "./user-queries";

const ORGANIZATION_ORDER_FIELDS: readonly OrganizationOrderField[] = ["created_at", "name", "members_count"];
const MEMBERSHIP_ORDER_FIELDS: readonly MembershipOrderField[] = [
  "created_at",
  "email_address",
  "phone_number",
  "first_name",
  "last_name",
  "username",
];
const INVITATION_ORDER_FIELDS: readonly InvitationOrderField[] = ["created_at", "email_address"];
const INVITATION_STATUSES: readonly InvitationStatus[] = ["pending", "accepted", "revoked", "expired"];

/** A first value with surrounding whitespace removed; empty reads as absent. */
const trimmedString = queryString.transform((value) => value?.trim() || undefined);

/** Invitation statuses: a repeated key and/or a comma-separated list; an unknown status → 422. */
const invitationStatuses = queryValue.transform((value, ctx) => {
  const values = toArray(value)
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter(Boolean);
  for (const status of values) {
    if (!(INVITATION_STATUSES as readonly string[]).includes(status)) {
      return fail(
        ctx,
        errors.paramValueInvalid(
          "status",
          `${status} does not match the allowed values for parameter status. Allowed values: ${INVITATION_STATUSES.join(", ")}`,
        ),
      );
    }
  }
  return values as InvitationStatus[];
});

/** GET /organizations/{id}: `include_members_count`. */
export const getOrganizationQuery = z.object({ include_members_count: queryBoolean }).transform((q) => ({
  includeMembersCount: q.include_members_count ?? false,
}));

export interface ListOrganizationsQuery {
  filter: OrganizationFilter;
  order: OrderBy<OrganizationOrderField>;
  page: Page;
  includeMembersCount: boolean;
}

/** GET /organizations: limit/offset, order_by (±name, created_at, members_count), organization_id and user_id (±), query, include_members_count. */
export const listOrganizationsQuery = z
  .object({
    ...pageFields,
    order_by: queryOrderBy(ORGANIZATION_ORDER_FIELDS, NEWEST_FIRST),
    organization_id: queryIncludeExclude,
    user_id: queryIncludeExclude,
    query: trimmedString,
    include_members_count: queryBoolean,
  })
  .transform(
    (q): ListOrganizationsQuery => ({
      filter: {
        query: q.query,
        includeIds: q.organization_id.include,
        excludeIds: q.organization_id.exclude,
        memberUserIds: q.user_id.include,
        nonMemberUserIds: q.user_id.exclude,
      },
      order: q.order_by,
      page: pageOf(q),
      includeMembersCount: q.include_members_count ?? false,
    }),
  );

export interface ListOrganizationMembershipsQuery {
  userIds: IncludeExclude;
  roles: string[];
  /** The member filters (the user's identifiers, searches, creation and activity times). */
  members: UserFilter;
  order: OrderBy<MembershipOrderField>;
  page: Page;
}

const membershipOrder = queryOrderBy(MEMBERSHIP_ORDER_FIELDS, NEWEST_FIRST);

/** GET /organizations/{id}/memberships: user_id (±), role, the member filters, limit/offset, order_by (newest first by default). */
export const listOrganizationMembershipsQuery = z
  .object({
    user_id: queryIncludeExclude,
    role: queryList,
    ...memberFilterFields,
    ...pageFields,
    order_by: membershipOrder,
  })
  .transform(
    (q, ctx): ListOrganizationMembershipsQuery => ({
      userIds: q.user_id,
      roles: q.role,
      members: memberFilterOf(q, ctx),
      order: q.order_by,
      page: pageOf(q),
    }),
  );

export interface ListInstanceMembershipsQuery {
  order: OrderBy<MembershipOrderField>;
  page: Page;
}

/** GET /organization_memberships: limit/offset and order_by on member fields (the spec's only parameters). */
export const listInstanceMembershipsQuery = z
  .object({ ...pageFields, order_by: membershipOrder })
  .transform((q): ListInstanceMembershipsQuery => ({ order: q.order_by, page: pageOf(q) }));

/** GET /users/{id}/organization_memberships: limit/offset (always newest first). */
export const listUserMembershipsQuery = z.object(pageFields).transform(pageOf);

export interface ListInvitationsQuery {
  statuses: InvitationStatus[];
  /** Folded as stored, so the match ignores case. */
  emailAddressNormalized?: string;
  order: OrderBy<InvitationOrderField>;
  page: Page;
}

const invitationListFields = {
  ...pageFields,
  order_by: queryOrderBy(INVITATION_ORDER_FIELDS, NEWEST_FIRST),
  email_address: trimmedString,
  status: invitationStatuses,
};

/** GET /organizations/{id}/invitations: limit/offset, order_by, email_address, status (repeatable or comma-separated). */
export const listOrganizationInvitationsQuery = z.object(invitationListFields).transform(
  (q): ListInvitationsQuery => ({
    statuses: q.status,
    emailAddressNormalized: q.email_address === undefined ? undefined : normalizeEmail(q.email_address),
    order: q.order_by,
    page: pageOf(q),
  }),
);

/**
 * GET /organizations/{id}/invitations/pending (deprecated in the spec, still served): the same
 * list with the status fixed to pending and the default order; `status` and `order_by` are ignored.
 */
export const listPendingInvitationsQuery = z.object({ ...pageFields, email_address: invitationListFields.email_address }).transform(
  (q): ListInvitationsQuery => ({
    statuses: ["pending"],
    emailAddressNormalized: q.email_address === undefined ? undefined : normalizeEmail(q.email_address),
    order: NEWEST_FIRST,
    page: pageOf(q),
  }),
);

export interface ListUserInvitationsQuery {
  statuses: InvitationStatus[];
  page: Page;
}

/** GET /users/{id}/organization_invitations: limit/offset and status (always newest first). */
export const listUserInvitationsQuery = z
  .object({ ...pageFields, status: invitationStatuses })
  .transform((q): ListUserInvitationsQuery => ({ statuses: q.status, page: pageOf(q) }));
