/**
 * Organization invitations: create (one live pending invitation per address, within the
 * membership quota), list with a status filter, get, revoke, and the accept extension.
 * `expired` is never stored: a pending invitation whose expires_at has passed reads as expired.
 */
import type { AppContext } from "../context";
import { newId } from "../crypto/ids";
import { isForeignKeyViolation } from "../db/constraint-errors";
import { normalizeEmail } from "../db/normalize";
import { NEWEST_FIRST } from "../db/order";
import {
  acceptInvitationRows,
  findInvitation,
  hasLivePendingInvitation,
  insertInvitationIfAllowed,
  listInvitations,
  revokeInvitationRow,
  userHasVerifiedEmail,
  type InvitationView,
} from "../db/organization-invitations";
import { findMembership } from "../db/organization-memberships";
import { isUniqueViolationOn } from "../db/organization-rules";
import { findOrganizationByIdOrSlug } from "../db/organizations";
import { findPublicUsers, type PublicUserRow } from "../db/public-users";
import type { OrganizationInvitationRow, OrganizationRow } from "../db/schema";
import { errors } from "../http/errors";
import type { ListInvitationsQuery, ListUserInvitationsQuery } from "../schemas/organization-queries";
import type { CreateInvitationInput } from "../schemas/organizations";
import { invitationStatusOf } from "../serializers/organization";
import { batchWithEvents, type EventSpec, objectEvent, sqlBatchWithEvents } from "../webhooks/outbox";
import { requireUserRow } from "./require-user";
import { newMetadataColumns, requireOrganization } from "./organizations";

const DAY_MS = 24 * 60 * 60 * 1000;
/** Clerk's default lifetime of an organization invitation. */
export const DEFAULT_INVITATION_DAYS = 30;

export interface InvitationPage {
  data: InvitationView[];
  total: number;
  inviters: Map<string, PublicUserRow>;
}

/** Public data of the inviters of these invitations (one query). */
export async function loadInviters(ctx: AppContext, invitations: OrganizationInvitationRow[]): Promise<Map<string, PublicUserRow>> {
  return findPublicUsers(
    ctx.db,
    invitations.flatMap((i) => (i.inviterUserId ? [i.inviterUserId] : [])),
  );
}

/** Only organization admins may invite or revoke on someone's behalf (Clerk's rule for inviter/requesting user). */
async function assertAdmin(ctx: AppContext, organization: OrganizationRow, userId: string, who: string): Promise<void> {
  const membership = await findMembership(ctx.db, organization.id, userId);
  if (membership?.membership.role !== "org:admin") throw errors.notAnAdminInOrganization(who);
}

/**
 * 404 for an invitation that is not (or no longer) there: the organization's own 404 when the
 * organization went with it (a concurrent delete), as a request arriving after that delete gets.
 */
async function missingInvitationError(ctx: AppContext, organizationId: string, invitationId: string) {
  if (!(await findOrganizationByIdOrSlug(ctx.db, organizationId))) return errors.organizationNotFound();
  return errors.organizationInvitationNotFound(invitationId);
}

/**
 * Creates a pending invitation. A live pending invitation for the same address (compared
 * case-insensitively) → 400 organization_invitation_not_unique; no room under the quota →
 * 403 organization_membership_quota_exceeded. Both rules are checked by the insert itself, which
 * returns the invitation it wrote (nothing when the organization was deleted meanwhile → 404).
 * `redirect_url` and `notify` are accepted and have no effect (no emails are sent).
 */
export async function createInvitation(
  ctx: AppContext,
  organizationIdOrSlug: string,
  input: CreateInvitationInput,
): Promise<OrganizationInvitationRow> {
  const organization = await requireOrganization(ctx, organizationIdOrSlug);
  if (input.inviter_user_id) await assertAdmin(ctx, organization, input.inviter_user_id, "Inviter");
  const metadata = newMetadataColumns(input);
  const now = ctx.now();
  const id = newId("orginv", now);
  const normalized = normalizeEmail(input.email_address);
  const inserted = await insertInvitationIfAllowed(
    // Written only if the insert was (the event reads the invitation the batch left).
    (statements) => sqlBatchWithEvents(ctx, statements, [objectEvent("organizationInvitation.created", "invitation", id)]),
    {
      id,
      organizationId: organization.id,
      emailAddress: input.email_address,
      emailAddressNormalized: normalized,
      role: input.role,
      inviterUserId: input.inviter_user_id ?? null,
      status: "pending",
      ...metadata,
      url: null,
      expiresAt: now + (input.expires_in_days ?? DEFAULT_INVITATION_DAYS) * DAY_MS,
      createdAt: now,
      updatedAt: now,
    },
    now,
  );
  if (!inserted) {
    // Which rule refused it: a deleted organization first, then a duplicate before the quota, as the more specific cause.
    if (!(await findOrganizationByIdOrSlug(ctx.db, organization.id))) throw errors.organizationNotFound();
    if (await hasLivePendingInvitation(ctx.db, organization.id, normalized, now)) throw errors.organizationInvitationNotUnique();
    throw errors.organizationMembershipQuotaExceeded(organization.maxAllowedMemberships);
  }
  return inserted;
}

/** The invitation in this organization, or 404. */
export async function getInvitation(ctx: AppContext, organizationIdOrSlug: string, invitationId: string): Promise<OrganizationInvitationRow> {
  const organization = await requireOrganization(ctx, organizationIdOrSlug);
  const invitation = await findInvitation(ctx.db, organization.id, invitationId);
  if (!invitation) throw errors.organizationInvitationNotFound(invitationId);
  return invitation;
}

/** GET /organizations/{id}/invitations (and …/pending): a page filtered by status and email address. */
export async function listOrganizationInvitations(
  ctx: AppContext,
  organizationIdOrSlug: string,
  { statuses, emailAddressNormalized, order, page }: ListInvitationsQuery,
): Promise<InvitationPage> {
  const organization = await requireOrganization(ctx, organizationIdOrSlug);
  return withInviters(
    ctx,
    await listInvitations(ctx.db, { organizationId: organization.id, statuses, emailAddressNormalized }, order, ctx.now(), page.limit, page.offset),
  );
}

/**
 * GET /users/{id}/organization_invitations: invitations addressed to any of the user's verified
 * email addresses (case-insensitively), newest first; `status=pending` leaves out expired ones.
 */
export async function listUserInvitations(ctx: AppContext, userId: string, { statuses, page }: ListUserInvitationsQuery): Promise<InvitationPage> {
  await requireUserRow(ctx, userId);
  return withInviters(ctx, await listInvitations(ctx.db, { addressedToUserId: userId, statuses }, NEWEST_FIRST, ctx.now(), page.limit, page.offset));
}

/** A page of invitations with the public data of their inviters, read once for the page. */
async function withInviters(ctx: AppContext, { rows, total }: { rows: InvitationView[]; total: number }): Promise<InvitationPage> {
  return {
    data: rows,
    total,
    inviters: await loadInviters(
      ctx,
      rows.map((r) => r.invitation),
    ),
  };
}

/**
 * Revokes a pending, unexpired invitation and returns it as revoked; anything else → 404
 * organization_invitation_not_pending, and one deleted meanwhile (with its organization) → 404.
 */
export async function revokeInvitation(
  ctx: AppContext,
  organizationIdOrSlug: string,
  invitationId: string,
  requestingUserId: string | null | undefined,
): Promise<OrganizationInvitationRow> {
  const organization = await requireOrganization(ctx, organizationIdOrSlug);
  if (!(await findInvitation(ctx.db, organization.id, invitationId))) throw errors.organizationInvitationNotFound(invitationId);
  if (requestingUserId) await assertAdmin(ctx, organization, requestingUserId, "Requesting user");
  // The guarded update leaves a refused invitation in place: its event only if it changed it.
  const event = { ...objectEvent("organizationInvitation.revoked", "invitation", invitationId), onlyIfChanged: true };
  const revoked = await revokeInvitationRow(ctx.db, (statements) => batchWithEvents(ctx, statements, [event]), invitationId, ctx.now());
  if (revoked) return revoked;
  if (!(await findInvitation(ctx.db, organization.id, invitationId))) throw await missingInvitationError(ctx, organization.id, invitationId);
  throw errors.organizationInvitationNotPending();
}

/** Why a pending-only operation cannot proceed on this invitation as it reads now. */
function notPendingError(invitation: OrganizationInvitationRow, now: number) {
  const status = invitationStatusOf(invitation, now);
  if (status === "accepted") return errors.organizationInvitationAlreadyAccepted();
  if (status === "revoked") return errors.organizationInvitationRevoked();
  return errors.organizationInvitationNotPending();
}

/**
 * Extension (Clerk accepts through its frontend): `userId` accepts the invitation. The user
 * must have a verified email address equal (case-insensitively) to the invited one. In one
 * transaction the membership is created, with the invitation's role and metadata, and the
 * invitation becomes `accepted`; that transaction returns the accepted invitation. A user or
 * organization deleted by a concurrent request answers 404, as when it had been gone first.
 */
export async function acceptInvitation(
  ctx: AppContext,
  organizationIdOrSlug: string,
  invitationId: string,
  userId: string,
): Promise<OrganizationInvitationRow> {
  const organization = await requireOrganization(ctx, organizationIdOrSlug);
  const invitation = await findInvitation(ctx.db, organization.id, invitationId);
  if (!invitation) throw errors.organizationInvitationNotFound(invitationId);
  const now = ctx.now();
  if (invitationStatusOf(invitation, now) !== "pending") throw notPendingError(invitation, now);
  if (!(await userHasVerifiedEmail(ctx.db, userId, invitation.emailAddressNormalized))) {
    // No such user (or one deleted meanwhile, its addresses with it) is a 404, not a mismatch.
    await requireUserRow(ctx, userId);
    throw errors.paramValueInvalid("user_id", "The user has no verified email address matching this invitation.");
  }
  if (await findMembership(ctx.db, organization.id, userId)) throw errors.alreadyAMemberInOrganization(userId);
  let accepted: OrganizationInvitationRow | undefined;
  try {
    const membershipId = newId("orgmem", now);
    // organizationInvitation.accepted if the guarded update accepted it (the last statement),
    // and the new membership's organizationMembership.created.
    const events: EventSpec[] = [
      { type: "organizationInvitation.accepted", source: { kind: "invitation", id: invitationId, acceptedBy: userId }, onlyIfChanged: true },
      objectEvent("organizationMembership.created", "membership", membershipId),
    ];
    accepted = await acceptInvitationRows((statements) => sqlBatchWithEvents(ctx, statements, events), invitationId, membershipId, userId, now);
  } catch (error) {
    if (isUniqueViolationOn(error, "organization_memberships")) throw errors.alreadyAMemberInOrganization(userId);
    // The user was deleted after it was read above.
    if (isForeignKeyViolation(error)) throw errors.userNotFound(userId);
    throw error;
  }
  if (!accepted) {
    // A concurrent request changed or deleted the invitation (or its organization), or the organization is full.
    const current = await findInvitation(ctx.db, organization.id, invitationId);
    if (!current) throw await missingInvitationError(ctx, organization.id, invitationId);
    if (invitationStatusOf(current, now) !== "pending") throw notPendingError(current, now);
    throw errors.organizationMembershipQuotaExceeded(organization.maxAllowedMemberships);
  }
  return accepted;
}
