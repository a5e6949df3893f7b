import { afterEach, describe, expect, it, vi } from "vitest";
import { call, createUser, expectError, unique } from "../helpers";

const DAY = 24 * 60 * 60 * 1000;

async function createOrg(body: Record<string, unknown> = {}): Promise<any> {
  const result = await call("POST", "/v1/organizations", { name: `Org ${unique()}`, ...body }, { schema: "Organization" });
  expect(result.status, JSON.stringify(result.body)).toBe(200);
  return result.body;
}

function invite(orgId: string, body: Record<string, unknown>) {
  return call("POST", `/v1/organizations/${orgId}/invitations`, { role: "org:member", ...body }, { schema: "OrganizationInvitation" });
}

function listOrgInvitations(orgId: string, query = "") {
  return call("GET", `/v1/organizations/${orgId}/invitations${query}`, undefined, { schema: "OrganizationInvitations" });
}

function listUserInvitations(userId: string, query = "") {
  return call("GET", `/v1/users/${userId}/organization_invitations${query}`, undefined, {
    schema: "OrganizationInvitationsWithPublicOrganizationData",
  });
}

/** Freezes only Date, so the Worker's ctx.now() follows while timers and I/O run normally. */
function freezeTime(at: number) {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(at);
}

afterEach(() => {
  vi.useRealTimers();
});

describe("POST /v1/organizations/{id}/invitations", () => {
  it("creates a pending invitation that expires in 30 days by default", async () => {
    const now = Date.UTC(2030, 0, 1);
    freezeTime(now);
    const org = await createOrg();
    const email = `${unique()}@Example.com`;
    const created = await invite(org.id, { email_address: email, public_metadata: { source: "test" }, private_metadata: { ref: 1 } });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      object: "organization_invitation",
      email_address: email,
      role: "org:member",
      role_name: "Member",
      organization_id: org.id,
      inviter_id: null,
      public_inviter_data: null,
      status: "pending",
      public_metadata: { source: "test" },
      private_metadata: { ref: 1 },
      url: null,
      expires_at: now + 30 * DAY,
      created_at: now,
    });
    expect(created.body.id).toMatch(/^orginv_[0-9A-Za-z]{27}$/);
    const got = await call("GET", `/v1/organizations/${org.id}/invitations/${created.body.id}`, undefined, { schema: "OrganizationInvitation" });
    expect(got.body.id).toBe(created.body.id);
  });

  it("accepts the no-op redirect_url and notify, and honours expires_in_days", async () => {
    const now = Date.UTC(2030, 5, 1);
    freezeTime(now);
    const org = await createOrg();
    const created = await invite(org.id, {
      email_address: `${unique()}@example.com`,
      redirect_url: "https://app.example/join",
      notify: false,
      expires_in_days: 7,
    });
    expect(created.body.expires_at).toBe(now + 7 * DAY);
    expect(created.body.url).toBeNull();
  });

  it("fills public_inviter_data from an admin inviter and refuses a non-admin inviter", async () => {
    const admin = await createUser({ first_name: "Ada", email_address: [`${unique()}@example.com`] });
    const member = await createUser();
    const org = await createOrg({ created_by: admin.id });
    await call("POST", `/v1/organizations/${org.id}/memberships`, { user_id: member.id, role: "org:member" });
    const created = await invite(org.id, { email_address: `${unique()}@example.com`, inviter_user_id: admin.id });
    expect(created.body.inviter_id).toBe(admin.id);
    expect(created.body.public_inviter_data).toEqual({
      user_id: admin.id,
      first_name: "Ada",
      last_name: null,
      image_url: admin.image_url,
      has_image: false,
      identifier: admin.email_addresses[0].email_address,
    });
    expectError(await invite(org.id, { email_address: `${unique()}@example.com`, inviter_user_id: member.id }), 403, "not_an_admin_in_organization");
    expectError(
      await invite(org.id, { email_address: `${unique()}@example.com`, inviter_user_id: "user_missing" }),
      403,
      "not_an_admin_in_organization",
    );
  });

  it("refuses a second pending invitation for the same address in any letter case", async () => {
    const org = await createOrg();
    const local = unique("dup");
    expect((await invite(org.id, { email_address: `${local}@example.com` })).status).toBe(200);
    const error = expectError(
      await invite(org.id, { email_address: `${local.toUpperCase()}@EXAMPLE.com` }),
      400,
      "organization_invitation_not_unique",
    );
    expect(error.long_message).toBe("Organizations cannot have duplicate pending invitations for an email address.");
    // Non-ASCII letters fold too.
    expect((await invite(org.id, { email_address: "élodie@example.com" })).status).toBe(200);
    expectError(await invite(org.id, { email_address: "ÉLODIE@example.com" }), 400, "organization_invitation_not_unique");
    // Another organization may invite the same address.
    expect((await invite((await createOrg()).id, { email_address: `${local}@example.com` })).status).toBe(200);
  });

  it("lets only one of several concurrent invitations for one address through", async () => {
    const org = await createOrg();
    const email = `${unique("race")}@example.com`;
    const results = await Promise.all([1, 2, 3, 4].map(() => invite(org.id, { email_address: email })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    for (const r of results.filter((r) => r.status !== 200)) expectError(r, 400, "organization_invitation_not_unique");
  });

  it("counts invitations against max_allowed_memberships", async () => {
    const org = await createOrg({ max_allowed_memberships: 1 });
    expect((await invite(org.id, { email_address: `${unique()}@example.com` })).status).toBe(200);
    expectError(await invite(org.id, { email_address: `${unique()}@example.com` }), 403, "organization_membership_quota_exceeded");
  });

  it("validates the body", async () => {
    const org = await createOrg();
    expectError(await call("POST", `/v1/organizations/${org.id}/invitations`, { role: "org:member" }), 422, "form_param_missing", "email_address");
    expectError(await invite(org.id, { email_address: "not-an-email" }), 422, "form_param_format_invalid", "email_address");
    expectError(
      await call("POST", `/v1/organizations/${org.id}/invitations`, { email_address: `${unique()}@example.com` }),
      422,
      "form_param_missing",
      "role",
    );
    expectError(
      await invite(org.id, { email_address: `${unique()}@example.com`, expires_in_days: 366 }),
      422,
      "form_param_value_invalid",
      "expires_in_days",
    );
    expectError(await invite(org.id, { email_address: `${unique()}@example.com`, nope: true }), 422, "form_param_unknown", "nope");
    expectError(await invite("org_missing", { email_address: `${unique()}@example.com` }), 404, "resource_not_found");
  });
});

describe("invitation status: expiry, revoke, accept", () => {
  it("reads a pending invitation as expired past expires_at, with status filters to match", async () => {
    const start = Date.UTC(2031, 0, 1);
    freezeTime(start);
    const org = await createOrg();
    const email = `${unique()}@example.com`;
    const short = await invite(org.id, { email_address: email, expires_in_days: 1 });
    const long = await invite(org.id, { email_address: `${unique()}@example.com`, expires_in_days: 30 });
    expect((await listOrgInvitations(org.id, "?status=pending")).body.total_count).toBe(2);

    vi.setSystemTime(start + DAY - 1);
    expect((await call("GET", `/v1/organizations/${org.id}/invitations/${short.body.id}`)).body.status).toBe("pending");

    vi.setSystemTime(start + DAY);
    expect((await call("GET", `/v1/organizations/${org.id}/invitations/${short.body.id}`)).body.status).toBe("expired");
    const pending = await listOrgInvitations(org.id, "?status=pending");
    expect(pending.body.data.map((i: any) => i.id)).toEqual([long.body.id]);
    const expired = await listOrgInvitations(org.id, "?status=expired");
    expect(expired.body.data.map((i: any) => i.id)).toEqual([short.body.id]);
    expect(expired.body.data[0].status).toBe("expired");
    const both = await listOrgInvitations(org.id, "?status=expired&status=pending");
    expect(both.body.total_count).toBe(2);

    // An expired invitation can be neither revoked nor accepted, and no longer blocks a new one.
    expectError(await call("POST", `/v1/organizations/${org.id}/invitations/${short.body.id}/revoke`), 404, "organization_invitation_not_pending");
    const user = await createUser({ email_address: [email] });
    expectError(
      await call("POST", `/v1/organizations/${org.id}/invitations/${short.body.id}/accept`, { user_id: user.id }),
      404,
      "organization_invitation_not_pending",
    );
    expect((await invite(org.id, { email_address: email })).status).toBe(200);
    // Expired invitations no longer count against the quota.
    const counted = await call("GET", `/v1/organizations/${org.id}?include_members_count=true`, undefined, { schema: "Organization" });
    expect(counted.body.pending_invitations_count).toBe(2);
  });

  it("revokes a pending invitation once", async () => {
    const org = await createOrg();
    const created = await invite(org.id, { email_address: `${unique()}@example.com` });
    const revoked = await call("POST", `/v1/organizations/${org.id}/invitations/${created.body.id}/revoke`, {}, { schema: "OrganizationInvitation" });
    expect(revoked.status).toBe(200);
    expect(revoked.body.status).toBe("revoked");
    expect((await listOrgInvitations(org.id, "?status=revoked")).body.data.map((i: any) => i.id)).toEqual([created.body.id]);
    expectError(await call("POST", `/v1/organizations/${org.id}/invitations/${created.body.id}/revoke`), 404, "organization_invitation_not_pending");
    expectError(await call("POST", `/v1/organizations/${org.id}/invitations/orginv_missing/revoke`), 404, "resource_not_found");
    // An invitation of another organization is not found through this one.
    expectError(await call("GET", `/v1/organizations/${(await createOrg()).id}/invitations/${created.body.id}`), 404, "resource_not_found");
  });

  it("checks requesting_user_id on revoke", async () => {
    const admin = await createUser();
    const org = await createOrg({ created_by: admin.id });
    const created = await invite(org.id, { email_address: `${unique()}@example.com` });
    const outsider = await createUser();
    expectError(
      await call("POST", `/v1/organizations/${org.id}/invitations/${created.body.id}/revoke`, { requesting_user_id: outsider.id }),
      403,
      "not_an_admin_in_organization",
    );
    const ok = await call("POST", `/v1/organizations/${org.id}/invitations/${created.body.id}/revoke`, { requesting_user_id: admin.id });
    expect(ok.body.status).toBe("revoked");
  });

  it("accepts for a user whose verified address matches in another case, creating the membership", async () => {
    const local = unique("accept");
    const org = await createOrg({ max_allowed_memberships: 1 });
    const created = await invite(org.id, {
      email_address: `${local}@example.com`,
      role: "org:admin",
      public_metadata: { from: "invite" },
      private_metadata: { p: 1 },
    });
    const user = await createUser({ email_address: [`${local.toUpperCase()}@Example.COM`] });
    // At the quota edge: the invitation itself holds the seat it turns into.
    const accepted = await call(
      "POST",
      `/v1/organizations/${org.id}/invitations/${created.body.id}/accept`,
      { user_id: user.id },
      { schema: "OrganizationInvitation" },
    );
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect(accepted.body.status).toBe("accepted");
    const memberships = await call("GET", `/v1/users/${user.id}/organization_memberships`, undefined, { schema: "OrganizationMemberships" });
    expect(memberships.body.total_count).toBe(1);
    expect(memberships.body.data[0]).toMatchObject({ role: "org:admin", public_metadata: { from: "invite" }, private_metadata: { p: 1 } });
    expect(memberships.body.data[0].organization.id).toBe(org.id);
    expectError(
      await call("POST", `/v1/organizations/${org.id}/invitations/${created.body.id}/accept`, { user_id: user.id }),
      400,
      "organization_invitation_already_accepted",
    );
    expect((await listOrgInvitations(org.id, "?status=accepted")).body.total_count).toBe(1);
  });

  it("refuses to accept a revoked invitation, for a non-matching or unverified address, or for a member", async () => {
    const org = await createOrg();
    const local = unique("refuse");
    const revoked = await invite(org.id, { email_address: `${local}@example.com` });
    await call("POST", `/v1/organizations/${org.id}/invitations/${revoked.body.id}/revoke`);
    const owner = await createUser({ email_address: [`${local}@example.com`] });
    expectError(
      await call("POST", `/v1/organizations/${org.id}/invitations/${revoked.body.id}/accept`, { user_id: owner.id }),
      400,
      "organization_invitation_revoked_code",
    );

    const pending = await invite(org.id, { email_address: `${local}@example.com` });
    const stranger = await createUser({ email_address: [`${unique()}@example.com`] });
    expectError(
      await call("POST", `/v1/organizations/${org.id}/invitations/${pending.body.id}/accept`, { user_id: stranger.id }),
      422,
      "form_param_value_invalid",
      "user_id",
    );
    const unverifiedLocal = unique("unverified");
    const unverifiedInvite = await invite(org.id, { email_address: `${unverifiedLocal}@example.com` });
    const unverified = await createUser({ email_address: [`${unverifiedLocal}@example.com`], email_address_identification_status: ["reserved"] });
    expectError(
      await call("POST", `/v1/organizations/${org.id}/invitations/${unverifiedInvite.body.id}/accept`, { user_id: unverified.id }),
      422,
      "form_param_value_invalid",
      "user_id",
    );
    expectError(
      await call("POST", `/v1/organizations/${org.id}/invitations/${pending.body.id}/accept`, { user_id: "user_missing" }),
      404,
      "resource_not_found",
    );
    expectError(await call("POST", `/v1/organizations/${org.id}/invitations/${pending.body.id}/accept`, {}), 422, "form_param_missing", "user_id");

    await call("POST", `/v1/organizations/${org.id}/memberships`, { user_id: owner.id, role: "org:member" });
    expectError(
      await call("POST", `/v1/organizations/${org.id}/invitations/${pending.body.id}/accept`, { user_id: owner.id }),
      400,
      "already_a_member_in_organization",
    );
    expect((await call("GET", `/v1/organizations/${org.id}/invitations/${pending.body.id}`)).body.status).toBe("pending");
  });

  it("accepts once when two accepts race", async () => {
    const org = await createOrg();
    const email = `${unique("accrace")}@example.com`;
    const created = await invite(org.id, { email_address: email });
    const user = await createUser({ email_address: [email] });
    const results = await Promise.all(
      [1, 2, 3].map(() => call("POST", `/v1/organizations/${org.id}/invitations/${created.body.id}/accept`, { user_id: user.id })),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    for (const r of results.filter((r) => r.status !== 200)) expect(r.status).toBe(400);
    const members = await call("GET", `/v1/organizations/${org.id}/memberships`, undefined, { schema: "OrganizationMemberships" });
    expect(members.body.total_count).toBe(1);
  });

  it("lists an organization's invitations newest first with total_count and filters", async () => {
    const start = Date.UTC(2032, 0, 1);
    freezeTime(start);
    const org = await createOrg();
    const ids: string[] = [];
    for (const [i, address] of ["b@example.com", "a@example.com", "c@example.com"].entries()) {
      vi.setSystemTime(start + i * 1000);
      ids.push((await invite(org.id, { email_address: address })).body.id);
    }
    const page = await listOrgInvitations(org.id, "?limit=2");
    expect(page.body.total_count).toBe(3);
    expect(page.body.data.map((i: any) => i.id)).toEqual([ids[2], ids[1]]);
    const byEmail = await listOrgInvitations(org.id, "?order_by=email_address");
    expect(byEmail.body.data.map((i: any) => i.email_address)).toEqual(["a@example.com", "b@example.com", "c@example.com"]);
    const one = await listOrgInvitations(org.id, `?email_address=${encodeURIComponent("A@EXAMPLE.COM")}`);
    expect(one.body.data.map((i: any) => i.id)).toEqual([ids[1]]);
    expectError(await call("GET", `/v1/organizations/${org.id}/invitations?status=lost`), 422, "form_param_value_invalid", "status");
    await call("POST", `/v1/organizations/${org.id}/invitations/${ids[0]}/revoke`);
    const pending = await call("GET", `/v1/organizations/${org.id}/invitations/pending`, undefined, { schema: "OrganizationInvitations" });
    expect(pending.body.data.map((i: any) => i.id)).toEqual([ids[2], ids[1]]);
  });
});

describe("GET /v1/users/{id}/organization_invitations", () => {
  it("lists invitations to the user's verified addresses in any case, with public organization data", async () => {
    const start = Date.UTC(2033, 0, 1);
    freezeTime(start);
    const local = unique("mine");
    const secondLocal = unique("second");
    const unverifiedLocal = unique("unv");
    const user = await createUser({
      email_address: [`${local}@Example.com`, `${secondLocal}@example.com`, `${unverifiedLocal}@example.com`],
      email_address_identification_status: ["verified", "verified", "reserved"],
    });
    const orgA = await createOrg({ name: "Alpha Team" });
    const orgB = await createOrg();
    vi.setSystemTime(start + 1000);
    const toA = await invite(orgA.id, { email_address: `${local.toUpperCase()}@EXAMPLE.COM` });
    vi.setSystemTime(start + 2000);
    const toB = await invite(orgB.id, { email_address: `${secondLocal}@example.com`, expires_in_days: 1 });
    await invite(orgB.id, { email_address: `${unverifiedLocal}@example.com` });
    await invite(orgB.id, { email_address: `${unique("other")}@example.com` });

    const all = await listUserInvitations(user.id);
    expect(all.status).toBe(200);
    expect(all.body.total_count).toBe(2);
    expect(all.body.data.map((i: any) => i.id)).toEqual([toB.body.id, toA.body.id]);
    expect(all.body.data[1].public_organization_data).toEqual({
      id: orgA.id,
      name: "Alpha Team",
      slug: orgA.slug,
      image_url: "https://api.test/images/avatars/AT.svg",
      has_image: false,
    });

    vi.setSystemTime(start + 2000 + DAY);
    const pending = await listUserInvitations(user.id, "?status=pending");
    expect(pending.body.data.map((i: any) => i.id)).toEqual([toA.body.id]);
    const expired = await listUserInvitations(user.id, "?status=expired");
    expect(expired.body.data.map((i: any) => i.id)).toEqual([toB.body.id]);
    expect(expired.body.data[0].status).toBe("expired");

    await call("POST", `/v1/organizations/${orgA.id}/invitations/${toA.body.id}/revoke`);
    expect((await listUserInvitations(user.id, "?status=revoked")).body.data.map((i: any) => i.id)).toEqual([toA.body.id]);
    expect((await listUserInvitations(user.id, "?status=pending")).body.total_count).toBe(0);
    const page = await listUserInvitations(user.id, "?limit=1&offset=1");
    expect(page.body.data.map((i: any) => i.id)).toEqual([toA.body.id]);
    expect(page.body.total_count).toBe(2);
  });

  it("answers 404 for an unknown user and 422 for an unknown status", async () => {
    expectError(await call("GET", "/v1/users/user_missing/organization_invitations"), 404, "resource_not_found");
    const user = await createUser();
    expectError(await call("GET", `/v1/users/${user.id}/organization_invitations?status=maybe`), 422, "form_param_value_invalid", "status");
  });
});
