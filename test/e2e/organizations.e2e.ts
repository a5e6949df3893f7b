import type { ClerkClient, DeletedObjectJSON } from "@clerk/backend";
import { describe, expect, it } from "vitest";
import { clerk, seen } from "./client";

/**
 * getCount's parameters plus organizationId, which the Worker (like Clerk) filters counts by: the
 * SDK's UserCountParams does not declare it, but getCount sends every parameter it is given.
 */
type CountParams = NonNullable<Parameters<ClerkClient["users"]["getCount"]>[0]> & { organizationId?: string[] };

const tag = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

describe("official @clerk/backend client: organizations", () => {
  it("creates an organization, adds members and invitations, and lists them", async () => {
    const client = clerk();
    const local = `e2e-org-${tag()}`;
    const owner = await client.users.createUser({ emailAddress: [`${local}-owner@example.com`], firstName: "Olga" });
    const member = await client.users.createUser({ emailAddress: [`${local}-member@example.com`], firstName: "Mo", phoneNumber: ["+15557654321"] });
    const invitee = await client.users.createUser({ emailAddress: [`${local}-invitee@example.com`] });

    const org = await client.organizations.createOrganization({
      name: `E2E ${local}`,
      createdBy: owner.id,
      maxAllowedMemberships: 10,
      publicMetadata: { tier: "gold" },
    });
    expect(org.id).toMatch(/^org_/);
    expect(org.createdBy).toBe(owner.id);
    expect(org.publicMetadata).toEqual({ tier: "gold" });
    expect(org.maxAllowedMemberships).toBe(10);
    expect(org.imageUrl).toContain("/images/avatars/");

    const membership = await client.organizations.createOrganizationMembership({ organizationId: org.id, userId: member.id, role: "org:member" });
    expect(membership.role).toBe("org:member");
    expect(membership.permissions).toEqual(["org:sys_memberships:read"]);
    expect(membership.organization.id).toBe(org.id);
    expect(membership.publicUserData?.userId).toBe(member.id);
    expect(membership.publicUserData?.firstName).toBe("Mo");

    const invitation = await client.organizations.createOrganizationInvitation({
      organizationId: org.id,
      emailAddress: `${local}-INVITEE@Example.com`,
      role: "org:member",
      inviterUserId: owner.id,
      expiresInDays: 3,
    });
    expect(invitation.id).toMatch(/^orginv_/);
    expect(invitation.status).toBe("pending");
    expect(invitation.organizationId).toBe(org.id);
    expect(invitation.expiresAt! - invitation.createdAt).toBe(3 * 24 * 60 * 60 * 1000);

    const members = await client.organizations.getOrganizationMembershipList({ organizationId: org.id, orderBy: "-first_name", limit: 10 });
    expect(members.totalCount).toBe(2);
    expect(members.data.map((m) => m.publicUserData?.firstName)).toEqual(["Olga", "Mo"]);
    expect(members.data[0].role).toBe("org:admin");
    const sent = seen.filter((r) => r.url.includes(`/organizations/${org.id}/memberships?`)).at(-1)!;
    expect(new URL(sent.url).searchParams.get("order_by")).toBe("-first_name");

    // The client's member filters reach the server and narrow the list.
    const byEmail = await client.organizations.getOrganizationMembershipList({
      organizationId: org.id,
      emailAddress: [`${local}-MEMBER@example.com`],
    });
    expect(byEmail.data.map((m) => m.publicUserData?.userId)).toEqual([member.id]);
    expect(byEmail.totalCount).toBe(1);
    const bySearch = await client.organizations.getOrganizationMembershipList({ organizationId: org.id, nameQuery: "olg" });
    expect(bySearch.data.map((m) => m.publicUserData?.userId)).toEqual([owner.id]);

    const instance = await client.organizations.getInstanceOrganizationMembershipList({ orderBy: "phone_number", limit: 500 });
    expect(instance.totalCount).toBeGreaterThanOrEqual(2);
    const ours = instance.data.filter((m) => m.organization.id === org.id);
    // The member with a phone number sorts before the owner, who has none (NULLs last).
    expect(ours.map((m) => m.publicUserData?.userId)).toEqual([member.id, owner.id]);

    const userMemberships = await client.users.getOrganizationMembershipList({ userId: member.id, limit: 5 });
    expect(userMemberships.totalCount).toBe(1);
    expect(userMemberships.data[0].organization.name).toBe(`E2E ${local}`);
    expect(userMemberships.data[0].publicUserData?.identifier).toBe(`${local}-member@example.com`);

    const invitations = await client.users.getOrganizationInvitationList({ userId: invitee.id, status: "pending" });
    expect(invitations.totalCount).toBe(1);
    expect(invitations.data[0].id).toBe(invitation.id);
    expect(invitations.data[0].publicOrganizationData?.slug).toBe(org.slug);

    const orgInvitations = await client.organizations.getOrganizationInvitationList({ organizationId: org.id, status: ["pending"] });
    expect(orgInvitations.data.map((i) => i.id)).toEqual([invitation.id]);
  });

  it("filters getUserList and getCount by organization_id (with + and -) over memberships made by the client", async () => {
    const client = clerk();
    const local = `e2e-orgfilter-${tag()}`;
    // One after another: the list is in created_at order, so the three must not be created at once.
    const ada = await client.users.createUser({ emailAddress: [`${local}-ada@example.com`], skipPasswordRequirement: true });
    const bob = await client.users.createUser({ emailAddress: [`${local}-bob@example.com`], skipPasswordRequirement: true });
    const cy = await client.users.createUser({ emailAddress: [`${local}-cy@example.com`], skipPasswordRequirement: true });
    // Users created in the same millisecond are ordered by id.
    const inOrder = (...users: (typeof ada)[]) =>
      users.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map((u) => u.id);
    const x = await client.organizations.createOrganization({ name: `X ${local}`, createdBy: ada.id });
    const y = await client.organizations.createOrganization({ name: `Y ${local}` });
    await client.organizations.createOrganizationMembership({ organizationId: x.id, userId: bob.id, role: "org:member" });
    await client.organizations.createOrganizationMembership({ organizationId: y.id, userId: cy.id, role: "org:member" });
    const scope = { userId: [ada.id, bob.id, cy.id], orderBy: "+created_at" as const, limit: 10 };
    const ids = async (organizationId: string[]) => {
      const { data, totalCount } = await client.users.getUserList({ ...scope, organizationId });
      const countParams: CountParams = { userId: scope.userId, organizationId };
      expect(await client.users.getCount(countParams)).toBe(data.length);
      // The list's totalCount comes from /users/count, which the client calls alongside.
      expect(totalCount).toBe(data.length);
      return data.map((u) => u.id);
    };
    expect(await ids([x.id])).toEqual(inOrder(ada, bob));
    expect(await ids([`+${x.id}`, `+${y.id}`])).toEqual(inOrder(ada, bob, cy));
    expect(await ids([`-${x.id}`])).toEqual([cy.id]);
    await client.organizations.deleteOrganizationMembership({ organizationId: x.id, userId: bob.id });
    expect(await ids([`-${x.id}`])).toEqual(inOrder(bob, cy));
  });

  it("surfaces Clerk's errors through the client", async () => {
    const client = clerk();
    const user = await client.users.createUser({ emailAddress: [`e2e-org-${tag()}@example.com`] });
    const org = await client.organizations.createOrganization({ name: `Quota ${tag()}`, maxAllowedMemberships: 1 });
    await client.organizations.createOrganizationMembership({ organizationId: org.id, userId: user.id, role: "org:member" });
    const duplicate = await client.organizations
      .createOrganizationMembership({ organizationId: org.id, userId: user.id, role: "org:member" })
      .catch((e) => e);
    expect(duplicate.status).toBe(400);
    expect(duplicate.errors[0].code).toBe("already_a_member_in_organization");
    const other = await client.users.createUser({ emailAddress: [`e2e-org-${tag()}@example.com`] });
    const full = await client.organizations
      .createOrganizationMembership({ organizationId: org.id, userId: other.id, role: "org:member" })
      .catch((e) => e);
    expect(full.status).toBe(403);
    expect(full.errors[0].code).toBe("organization_membership_quota_exceeded");
  });

  it("updates, revokes and deletes through the client", async () => {
    const client = clerk();
    const org = await client.organizations.createOrganization({ name: `Lifecycle ${tag()}` });
    const bySlug = await client.organizations.getOrganization({ slug: org.slug, includeMembersCount: true });
    expect(bySlug.id).toBe(org.id);
    expect(bySlug.membersCount).toBe(0);
    // The deprecated metadata path of updateOrganization goes through PUT …/metadata.
    const updated = await client.organizations.updateOrganization(org.id, { name: "Renamed Co", publicMetadata: { a: 1 } });
    expect(updated.name).toBe("Renamed Co");
    expect(updated.publicMetadata).toEqual({ a: 1 });
    const invitation = await client.organizations.createOrganizationInvitation({
      organizationId: org.id,
      emailAddress: `r-${tag()}@example.com`,
      role: "org:member",
    });
    const revoked = await client.organizations.revokeOrganizationInvitation({ organizationId: org.id, invitationId: invitation.id });
    expect(revoked.status).toBe("revoked");
    const list = await client.organizations.getOrganizationList({ query: org.slug });
    expect(list.data.map((o) => o.id)).toContain(org.id);
    // Declared to return an Organization, but the SDK reads a body with `deleted` as a DeletedObject.
    const deleted = (await client.organizations.deleteOrganization(org.id)) as unknown as DeletedObjectJSON;
    expect(deleted.deleted).toBe(true);
    expect(deleted.id).toBe(org.id);
  });
});
