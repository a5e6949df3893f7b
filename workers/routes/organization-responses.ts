/**
 * The JSON responses that the organization routes and a user's organization routes share:
 * pages of memberships and invitations as `{data, total_count}`, and one invitation.
 */
import type { AppContext } from "../context";
import type { OrganizationInvitationRow } from "../db/schema";
import { json } from "../http/respond";
import { serializeInvitation, serializeInvitationWithOrganization, serializeMembership } from "../serializers/organization";
import { loadInviters, type InvitationPage } from "../services/organization-invitations";
import type { MembershipPage } from "../services/organization-memberships";

/** `{data, total_count}` of OrganizationMembership. */
export function membershipsJson(ctx: AppContext, page: MembershipPage): Response {
  return json({ data: page.data.map((m) => serializeMembership(ctx, m)), total_count: page.total });
}

/** `{data, total_count}` of OrganizationInvitation. */
export function invitationsJson(ctx: AppContext, page: InvitationPage): Response {
  return json({ data: page.data.map((v) => serializeInvitation(ctx, v.invitation, page.inviters)), total_count: page.total });
}

/** `{data, total_count}` of OrganizationInvitationWithPublicOrganizationData (a user's invitations). */
export function invitationsWithOrganizationJson(ctx: AppContext, page: InvitationPage): Response {
  return json({ data: page.data.map((v) => serializeInvitationWithOrganization(ctx, v, page.inviters)), total_count: page.total });
}

/** One OrganizationInvitation, with its inviter's public data. */
export async function invitationJson(ctx: AppContext, invitation: OrganizationInvitationRow): Promise<Response> {
  return json(serializeInvitation(ctx, invitation, await loadInviters(ctx, [invitation])));
}
