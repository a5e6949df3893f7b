/**
 * DB rows → Clerk's Organization, OrganizationMembership and OrganizationInvitation JSON
 * (spec schemas of the same names). Derived values (permissions, role names, an invitation's
 * `expired` status) are computed here from the stored facts.
 */
import type { AppContext } from "../context";
import type { InvitationView, MembershipView, OrganizationCounts, PublicUserRow } from "../db/organizations";
import type { OrganizationInvitationRow, OrganizationRow } from "../db/schema";
import { defaultAvatarUrl, uploadedImageUrl, userImageUrl } from "../storage/image-urls";
import { storedJsonObject } from "../db/metadata";

type Ctx = Pick<AppContext, "config" | "origin" | "now">;

/** Clerk's system permissions of the two system roles; any other role has none here. */
export const ORG_ADMIN_PERMISSIONS = [
  "org:sys_profile:manage",
  "org:sys_profile:delete",
  "org:sys_memberships:read",
  "org:sys_memberships:manage",
  "org:sys_domains:read",
  "org:sys_domains:manage",
] as const;
export const ORG_MEMBER_PERMISSIONS = ["org:sys_memberships:read"] as const;

export function permissionsOf(role: string): string[] {
  if (role === "org:admin") return [...ORG_ADMIN_PERMISSIONS];
  if (role === "org:member") return [...ORG_MEMBER_PERMISSIONS];
  return [];
}

/** Display name of a role key: the system roles' names, else the key humanised ("org:billing_manager" → "Billing manager"). */
export function roleNameOf(role: string): string {
  if (role === "org:admin") return "Admin";
  if (role === "org:member") return "Member";
  const words = role
    .replace(/^org:/, "")
    .replace(/[_:-]+/g, " ")
    .trim();
  return words ? words.charAt(0).toUpperCase() + words.slice(1) : role;
}

/** Status as read now: a pending invitation past its expiry reads as `expired`. */
export function invitationStatusOf(invitation: OrganizationInvitationRow, now: number): string {
  if (invitation.status === "pending" && invitation.expiresAt !== null && invitation.expiresAt <= now) return "expired";
  return invitation.status;
}

export function organizationImageUrl(ctx: Ctx, organization: OrganizationRow): string {
  if (organization.imageId) return uploadedImageUrl(ctx, organization.imageId);
  // Initials of the first two words of the name, like a user's first and last name.
  const [first, second] = organization.name.trim().split(/\s+/);
  return defaultAvatarUrl(ctx, first, second);
}

export function serializeOrganization(ctx: Ctx, organization: OrganizationRow, counts?: OrganizationCounts) {
  return {
    object: "organization",
    id: organization.id,
    name: organization.name,
    slug: organization.slug,
    image_url: organizationImageUrl(ctx, organization),
    has_image: organization.imageId !== null,
    ...(counts ? { members_count: counts.members, pending_invitations_count: counts.pendingInvitations } : {}),
    max_allowed_memberships: organization.maxAllowedMemberships,
    admin_delete_enabled: organization.adminDeleteEnabled,
    public_metadata: storedJsonObject(organization.publicMetadata),
    private_metadata: storedJsonObject(organization.privateMetadata),
    // The spec types created_by as a non-null string, so it is left out when there is no creator.
    ...(organization.createdBy ? { created_by: organization.createdBy } : {}),
    created_at: organization.createdAt,
    updated_at: organization.updatedAt,
    role_set_key: null,
  };
}

/** The member's primary identifier: email address, else phone number, else username, else web3 wallet. */
function identifierOf(user: PublicUserRow): string | null {
  return user.email ?? user.phone ?? user.username ?? user.wallet ?? null;
}

export function serializePublicUserData(ctx: Ctx, user: PublicUserRow) {
  const imageUrl = userImageUrl(ctx, user);
  return {
    user_id: user.id,
    first_name: user.firstName,
    last_name: user.lastName,
    profile_image_url: imageUrl,
    image_url: imageUrl,
    has_image: user.imageId !== null,
    identifier: identifierOf(user),
    username: user.username,
    banned: user.banned,
  };
}

export function serializeMembership(ctx: Ctx, view: MembershipView) {
  const { membership } = view;
  return {
    object: "organization_membership",
    id: membership.id,
    role: membership.role,
    role_name: roleNameOf(membership.role),
    permissions: permissionsOf(membership.role),
    public_metadata: storedJsonObject(membership.publicMetadata),
    private_metadata: storedJsonObject(membership.privateMetadata),
    organization: serializeOrganization(ctx, view.organization),
    public_user_data: serializePublicUserData(ctx, view.member),
    created_at: membership.createdAt,
    updated_at: membership.updatedAt,
  };
}

function serializeInviterData(ctx: Ctx, inviter: PublicUserRow | undefined) {
  if (!inviter) return null;
  const { user_id, first_name, last_name, image_url, has_image, identifier } = serializePublicUserData(ctx, inviter);
  // The spec requires a string identifier here.
  return { user_id, first_name, last_name, image_url, has_image, identifier: identifier ?? "" };
}

export function serializeInvitation(ctx: Ctx, invitation: OrganizationInvitationRow, inviters: Map<string, PublicUserRow>) {
  return {
    object: "organization_invitation",
    id: invitation.id,
    email_address: invitation.emailAddress,
    role: invitation.role,
    role_name: roleNameOf(invitation.role),
    organization_id: invitation.organizationId,
    inviter_id: invitation.inviterUserId,
    public_inviter_data: serializeInviterData(ctx, invitation.inviterUserId ? inviters.get(invitation.inviterUserId) : undefined),
    status: invitationStatusOf(invitation, ctx.now()),
    public_metadata: storedJsonObject(invitation.publicMetadata),
    private_metadata: storedJsonObject(invitation.privateMetadata),
    url: invitation.url,
    expires_at: invitation.expiresAt,
    created_at: invitation.createdAt,
    updated_at: invitation.updatedAt,
  };
}

/** OrganizationInvitationPublicOrganizationData. */
export function publicOrganizationData(ctx: Ctx, organization: OrganizationRow) {
  return {
    id: organization.id,
    name: organization.name,
    slug: organization.slug,
    image_url: organizationImageUrl(ctx, organization),
    has_image: organization.imageId !== null,
  };
}

/** OrganizationInvitationWithPublicOrganizationData, as listed for a user. */
export function serializeInvitationWithOrganization(ctx: Ctx, view: InvitationView, inviters: Map<string, PublicUserRow>) {
  return { ...serializeInvitation(ctx, view.invitation, inviters), public_organization_data: publicOrganizationData(ctx, view.organization) };
}
