/**
 * How organization data made through the organization API meets the user operations: the
 * GET /v1/users (and /count) organization_id filter, user and organization deletion, and
 * invitations addressed to an email address that a user only gets later.
 */
import { describe, expect, it } from "vitest";
import { call, createUser, expectError, unique } from "../helpers";

async function createOrg(body: Record<string, unknown> = {}): Promise<any> {
  const result = await call("POST", "/v1/organizations", { name: `Org ${unique()}`, ...body }, { schema: "Organization" });
  expect(result.status, JSON.stringify(result.body)).toBe(200);
  return result.body;
}

async function addMember(orgId: string, userId: string, role = "org:member"): Promise<void> {
  const result = await call("POST", `/v1/organizations/${orgId}/memberships`, { user_id: userId, role }, { schema: "OrganizationMembership" });
  expect(result.status, JSON.stringify(result.body)).toBe(200);
}

const email = (local: string) => `${unique(local)}@example.com`;

describe("GET /v1/users?organization_id with memberships made through the organization API", () => {
  it("includes, excludes and counts by organization, and follows membership and organization removal", async () => {
    const ada = await createUser({ email_address: [email("ada")] });
    const bob = await createUser({ email_address: [email("bob")] });
    const cy = await createUser({ email_address: [email("cy")] });
    const x = await createOrg({ created_by: ada.id });
    const y = await createOrg();
    await addMember(x.id, bob.id);
    await addMember(y.id, bob.id, "org:admin");
    await addMember(y.id, cy.id);
    // Other files' users share this storage; scope every query to these three.
    const scope = [ada, bob, cy].map((u) => `user_id=${u.id}`).join("&");

    const ids = async (filter: string): Promise<string[]> => {
      const list = await call("GET", `/v1/users?${filter}&${scope}&order_by=created_at&limit=500`, undefined, { schema: ["User"] });
      expect(list.status, JSON.stringify(list.body)).toBe(200);
      const count = await call("GET", `/v1/users/count?${filter}&${scope}`, undefined, { schema: "TotalCount" });
      expect(count.body.total_count).toBe(list.body.length);
      return list.body.map((u: { id: string }) => u.id);
    };

    expect(await ids(`organization_id=${x.id}`)).toEqual([ada.id, bob.id]);
    expect(await ids(`organization_id=%2B${y.id}`)).toEqual([bob.id, cy.id]);
    // An unencoded "+" arrives as a space: still an include.
    expect(await ids(`organization_id=+${y.id}`)).toEqual([bob.id, cy.id]);
    expect(await ids(`organization_id=${x.id}&organization_id=%2B${y.id}`)).toEqual([ada.id, bob.id, cy.id]);
    expect(await ids(`organization_id=-${x.id}`)).toEqual([cy.id]);
    expect(await ids(`organization_id=${y.id}&organization_id=-${x.id}`)).toEqual([cy.id]);
    expect(await ids(`organization_id=org_unknown`)).toEqual([]);

    // Removing a member, then the whole organization, changes what the filter sees.
    expect((await call("DELETE", `/v1/organizations/${x.id}/memberships/${bob.id}`)).status).toBe(200);
    expect(await ids(`organization_id=${x.id}`)).toEqual([ada.id]);
    expect(await ids(`organization_id=-${x.id}`)).toEqual([bob.id, cy.id]);
    expect((await call("DELETE", `/v1/organizations/${y.id}`)).status).toBe(200);
    expect(await ids(`organization_id=${y.id}`)).toEqual([]);
    expect(await ids(`organization_id=-${y.id}`)).toEqual([ada.id, bob.id, cy.id]);
  });
});

describe("deletion", () => {
  it("a deleted user leaves no membership anywhere, and an invitation they sent loses its inviter data", async () => {
    const owner = await createUser({ email_address: [email("owner")] });
    const org = await createOrg({ created_by: owner.id });
    const sent = await call(
      "POST",
      `/v1/organizations/${org.id}/invitations`,
      { email_address: email("guest"), role: "org:member", inviter_user_id: owner.id },
      { schema: "OrganizationInvitation" },
    );
    expect(sent.body.public_inviter_data.user_id).toBe(owner.id);
    expect((await call("DELETE", `/v1/users/${owner.id}`)).status).toBe(200);

    const instance = await call("GET", "/v1/organization_memberships?limit=500", undefined, { schema: "OrganizationMemberships" });
    expect(instance.body.data.filter((m: any) => m.public_user_data.user_id === owner.id)).toEqual([]);
    const counted = await call("GET", `/v1/organizations/${org.id}?include_members_count=true`, undefined, { schema: "Organization" });
    expect(counted.body.members_count).toBe(0);
    const invitation = await call("GET", `/v1/organizations/${org.id}/invitations/${sent.body.id}`, undefined, { schema: "OrganizationInvitation" });
    expect(invitation.status).toBe(200);
    expect(invitation.body.inviter_id).toBe(owner.id);
    expect(invitation.body.public_inviter_data).toBeNull();
  });

  it("a deleted organization's invitations no longer reach the invited user", async () => {
    const address = email("invitee");
    const user = await createUser({ email_address: [address] });
    const org = await createOrg();
    const sent = await call("POST", `/v1/organizations/${org.id}/invitations`, { email_address: address, role: "org:member" });
    expect(sent.status).toBe(200);
    const before = await call("GET", `/v1/users/${user.id}/organization_invitations`, undefined, {
      schema: "OrganizationInvitationsWithPublicOrganizationData",
    });
    expect(before.body.total_count).toBe(1);
    expect((await call("DELETE", `/v1/organizations/${org.id}`)).status).toBe(200);
    const after = await call("GET", `/v1/users/${user.id}/organization_invitations`, undefined, {
      schema: "OrganizationInvitationsWithPublicOrganizationData",
    });
    expect(after.body).toEqual({ data: [], total_count: 0 });
    expectError(await call("GET", `/v1/organizations/${org.id}/invitations/${sent.body.id}`), 404, "resource_not_found");
  });
});

describe("invitations follow the addresses a user has now", () => {
  it("an invitation sent before the user had the address reaches them, and the next owner of the address after deletion", async () => {
    const local = unique("later");
    const org = await createOrg();
    const sent = await call("POST", `/v1/organizations/${org.id}/invitations`, { email_address: `${local}@Example.com`, role: "org:member" });
    expect(sent.status).toBe(200);

    const first = await createUser({ email_address: [`${local.toUpperCase()}@example.com`] });
    const listFor = (userId: string) =>
      call("GET", `/v1/users/${userId}/organization_invitations?status=pending`, undefined, {
        schema: "OrganizationInvitationsWithPublicOrganizationData",
      });
    expect((await listFor(first.id)).body.data.map((i: any) => i.id)).toEqual([sent.body.id]);

    // The address moves to another user: the invitation goes with it.
    expect((await call("DELETE", `/v1/users/${first.id}`)).status).toBe(200);
    expectError(await listFor(first.id), 404, "resource_not_found");
    const second = await createUser({ email_address: [`${local}@example.com`] });
    expect((await listFor(second.id)).body.data.map((i: any) => i.id)).toEqual([sent.body.id]);

    // Accepted by the new owner: it leaves the pending list and shows as accepted.
    const accepted = await call("POST", `/v1/organizations/${org.id}/invitations/${sent.body.id}/accept`, { user_id: second.id });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect((await listFor(second.id)).body.total_count).toBe(0);
    const all = await call("GET", `/v1/users/${second.id}/organization_invitations?status=accepted`, undefined, {
      schema: "OrganizationInvitationsWithPublicOrganizationData",
    });
    expect(all.body.data.map((i: any) => [i.id, i.status])).toEqual([[sent.body.id, "accepted"]]);
  });
});

describe("GET /v1/organizations/{id}/memberships member filters (the spec's and the official client's)", () => {
  it("filters by the member's identifiers, searches and creation time, combined with role and order", async () => {
    const tag = unique("mf").toLowerCase();
    const ada = await createUser({
      email_address: [`ada.${tag}@example.com`],
      phone_number: ["+15550001001"],
      username: `ada_${tag}`,
      first_name: "Ada",
      last_name: "Lovelace",
    });
    const bob = await createUser({
      email_address: [`bob.${tag}@example.com`],
      phone_number: ["+15550001002"],
      username: `bob_${tag}`,
      first_name: "Bob",
      last_name: "Byron",
    });
    const cy = await createUser({ email_address: [`cy.${tag}@example.com`], first_name: "Cy", last_name: "Lovell" });
    const outsider = await createUser({ email_address: [`ada.${tag}@other.example`], first_name: "Ada" });
    const org = await createOrg({ created_by: ada.id });
    await addMember(org.id, bob.id);
    await addMember(org.id, cy.id);
    expect(outsider.id).toBeDefined();

    const members = async (filter: string): Promise<string[]> => {
      const result = await call("GET", `/v1/organizations/${org.id}/memberships?order_by=first_name&${filter}`, undefined, {
        schema: "OrganizationMemberships",
      });
      expect(result.status, JSON.stringify(result.body)).toBe(200);
      expect(result.body.total_count).toBe(result.body.data.length);
      return result.body.data.map((m: any) => m.public_user_data.user_id);
    };

    expect(await members(`email_address=BOB.${tag}@Example.com`)).toEqual([bob.id]);
    expect(await members(`email_address=ada.${tag}@example.com&email_address=cy.${tag}@example.com`)).toEqual([ada.id, cy.id]);
    expect(await members(`phone_number=%2B15550001002`)).toEqual([bob.id]);
    expect(await members(`username=ADA_${tag}`)).toEqual([ada.id]);
    expect(await members(`query=lovel`)).toEqual([ada.id, cy.id]);
    expect(await members(`email_address_query=${tag}`)).toEqual([ada.id, bob.id, cy.id]);
    expect(await members(`name_query=byron`)).toEqual([bob.id]);
    expect(await members(`username_query=bob_`)).toEqual([bob.id]);
    expect(await members(`phone_number_query=0001001`)).toEqual([ada.id]);
    expect(await members(`query=lovel&role=org:admin`)).toEqual([ada.id]);
    expect(await members(`created_at_after=${bob.created_at}`)).toEqual([cy.id]);
    expect(await members(`created_at_before=${bob.created_at}`)).toEqual([ada.id]);
    expect(await members(`email_address=nobody.${tag}@example.com`)).toEqual([]);
    expectError(
      await call("GET", `/v1/organizations/${org.id}/memberships?created_at_after=soon`),
      422,
      "form_param_value_invalid",
      "created_at_after",
    );
    const tooMany = Array.from({ length: 101 }, (_, i) => `email_address=a${i}@x.test`).join("&");
    expectError(await call("GET", `/v1/organizations/${org.id}/memberships?${tooMany}`), 422, "form_param_array_size_exceeded", "email_address");
  });
});
