/**
 * Organization memberships: add (within the organization's quota), list per organization,
 * per user and instance-wide, change role, merge metadata, remove.
 */
import type { AppContext } from "../context";
import { newId } from "../crypto/ids";
import { isForeignKeyViolation } from "../db/constraint-errors";
import { NEWEST_FIRST, type OrderBy } from "../db/order";
import {
  deleteMembershipRow,
  findMembership,
  insertMembershipIfRoom,
  listMemberships,
  updateMembershipRow,
  type MembershipFilter,
  type MembershipOrderField,
  type MembershipView,
} from "../db/organization-memberships";
import { isUniqueViolationOn } from "../db/organization-rules";
import { findOrganizationByIdOrSlug } from "../db/organizations";
import { findPublicUsers } from "../db/public-users";
import { organizationMemberships } from "../db/schema";
import { errors } from "../http/errors";
import type { ListInstanceMembershipsQuery, ListOrganizationMembershipsQuery } from "../schemas/organization-queries";
import type { Page } from "../schemas/query";
import type { CreateMembershipInput, OrganizationMetadataInput } from "../schemas/organizations";
import type { Statement } from "../db/users";
import { batchWithEvents, objectEvent, sqlBatchWithEvents } from "../webhooks/outbox";
import { metadataWrite, updateWithMetadata } from "./metadata";
import { newMetadataColumns, requireOrganization } from "./organizations";
import { requireUserRow } from "./require-user";

export interface MembershipPage {
  data: MembershipView[];
  total: number;
}

async function membershipPage(ctx: AppContext, filter: MembershipFilter, order: OrderBy<MembershipOrderField>, page: Page): Promise<MembershipPage> {
  const { rows, total } = await listMemberships(ctx.db, filter, order, page.limit, page.offset);
  return { data: rows, total };
}

/** 404 for a membership that does not exist (or no longer does). */
function membershipNotFound(organizationId: string, userId: string) {
  return errors.notFound(`No membership was found for user ${userId} in organization ${organizationId}.`);
}

/**
 * Adds `user_id` to the organization. Unknown user → 422 form_resource_not_found; already a
 * member → 400 already_a_member_in_organization; no room under max_allowed_memberships → 403
 * organization_membership_quota_exceeded. The quota is enforced by the insert itself, so
 * concurrent adds cannot overshoot it. The membership returned is the row the insert wrote; a
 * user or organization deleted by a concurrent request answers as if it had been gone first.
 */
export async function createMembership(ctx: AppContext, organizationIdOrSlug: string, input: CreateMembershipInput): Promise<MembershipView> {
  const organization = await requireOrganization(ctx, organizationIdOrSlug);
  const member = (await findPublicUsers(ctx.db, [input.user_id])).get(input.user_id);
  if (!member) throw errors.formResourceNotFound("user_id");
  if (await findMembership(ctx.db, organization.id, input.user_id)) throw errors.alreadyAMemberInOrganization(input.user_id);
  const metadata = newMetadataColumns(input);
  const now = ctx.now();
  let inserted: Awaited<ReturnType<typeof insertMembershipIfRoom>>;
  const id = newId("orgmem", now);
  try {
    // Written only if the insert was (the event reads the membership the batch left).
    inserted = await insertMembershipIfRoom(
      (statements) => sqlBatchWithEvents(ctx, statements, [objectEvent("organizationMembership.created", "membership", id)]),
      {
        id,
        organizationId: organization.id,
        userId: input.user_id,
        role: input.role,
        ...metadata,
        createdAt: now,
        updatedAt: now,
      },
      now,
    );
  } catch (error) {
    // A concurrent add of the same user won the race.
    if (isUniqueViolationOn(error, "organization_memberships")) throw errors.alreadyAMemberInOrganization(input.user_id);
    // The user was deleted after it was read above.
    if (isForeignKeyViolation(error)) throw errors.formResourceNotFound("user_id");
    throw error;
  }
  if (!inserted) {
    // The insert selects from the organization: nothing written means it is full, or was deleted meanwhile.
    if (!(await findOrganizationByIdOrSlug(ctx.db, organization.id))) throw errors.organizationNotFound();
    throw errors.organizationMembershipQuotaExceeded(organization.maxAllowedMemberships);
  }
  return { membership: inserted, organization, member };
}

/** The membership of `userId` in the organization, or 404. */
export async function requireMembership(ctx: AppContext, organizationIdOrSlug: string, userId: string): Promise<MembershipView> {
  const organization = await requireOrganization(ctx, organizationIdOrSlug);
  const membership = await findMembership(ctx.db, organization.id, userId);
  if (!membership) throw membershipNotFound(organization.id, userId);
  return membership;
}

/**
 * GET /organizations/{id}/memberships: filtered by user_id (±), role and the member filters
 * (identifiers, searches, created/last-active times).
 */
export async function listOrganizationMemberships(
  ctx: AppContext,
  organizationIdOrSlug: string,
  { userIds, roles, members, order, page }: ListOrganizationMembershipsQuery,
): Promise<MembershipPage> {
  const organization = await requireOrganization(ctx, organizationIdOrSlug);
  const filter = { organizationId: organization.id, includeUserIds: userIds.include, excludeUserIds: userIds.exclude, roles, members };
  return membershipPage(ctx, filter, order, page);
}

/** GET /organization_memberships: every membership of the instance. */
export async function listInstanceMemberships(ctx: AppContext, { order, page }: ListInstanceMembershipsQuery): Promise<MembershipPage> {
  return membershipPage(ctx, {}, order, page);
}

/** GET /users/{id}/organization_memberships: the user's memberships, newest first. Unknown user → 404. */
export async function listUserMemberships(ctx: AppContext, userId: string, page: Page): Promise<MembershipPage> {
  await requireUserRow(ctx, userId);
  return membershipPage(ctx, { userId }, NEWEST_FIRST, page);
}

/**
 * The membership as an update returned it (with the organization and member read before it);
 * none returned means a concurrent request removed it (the membership, its user or its
 * organization) → 404.
 */
function updatedView(view: MembershipView, updated: MembershipView["membership"] | undefined, userId: string): MembershipView {
  if (!updated) throw membershipNotFound(view.organization.id, userId);
  return { ...view, membership: updated };
}

export async function updateMembershipRole(ctx: AppContext, organizationIdOrSlug: string, userId: string, role: string): Promise<MembershipView> {
  const view = await requireMembership(ctx, organizationIdOrSlug, userId);
  const id = view.membership.id;
  const run = (statements: Statement[]) => batchWithEvents(ctx, statements, [objectEvent("organizationMembership.updated", "membership", id)]);
  return updatedView(view, await updateMembershipRow(ctx.db, run, id, { role, updatedAt: ctx.now() }), userId);
}

/** A membership's metadata columns: the 8 KB limit counts the two together. */
const MEMBERSHIP_METADATA_COLUMNS = {
  publicMetadata: organizationMemberships.publicMetadata,
  privateMetadata: organizationMemberships.privateMetadata,
};

/**
 * PATCH …/memberships/{user_id}/metadata: RFC 7396 merge (nested objects merge, `null` removes
 * a key), in one statement so concurrent merges never lose one another's keys.
 */
export async function mergeMembershipMetadata(
  ctx: AppContext,
  organizationIdOrSlug: string,
  userId: string,
  input: OrganizationMetadataInput,
): Promise<MembershipView> {
  const view = await requireMembership(ctx, organizationIdOrSlug, userId);
  const metadata = metadataWrite(MEMBERSHIP_METADATA_COLUMNS, input, "merge");
  const membership = await updateWithMetadata(ctx, organizationMemberships, view.membership.id, metadata, { updatedAt: ctx.now() }, [
    objectEvent("organizationMembership.updated", "membership", view.membership.id),
  ]);
  // None returned: removed since it was looked up (404).
  return updatedView(view, membership, userId);
}

/** Removes the membership and returns it as it was; one already removed (e.g. by a concurrent request) → 404. */
export async function deleteMembership(ctx: AppContext, organizationIdOrSlug: string, userId: string): Promise<MembershipView> {
  const view = await requireMembership(ctx, organizationIdOrSlug, userId);
  // organizationMembership.deleted carries the membership as it was: snapshot before the delete.
  const id = view.membership.id;
  const run = (statements: Statement[]) =>
    batchWithEvents(ctx, statements, [{ ...objectEvent("organizationMembership.deleted", "membership", id), before: true }]);
  if (!(await deleteMembershipRow(ctx.db, run, id))) throw membershipNotFound(view.organization.id, userId);
  return view;
}
