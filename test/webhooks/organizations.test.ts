/**
 * Organization, membership and invitation events: each write emits its event in its own batch,
 * with data equal to what the route answered (validated against Clerk's webhook spec by
 * verifiedEvent); a refused write emits none.
 */
import { describe, expect, it } from "vitest";
import { call, createUser, unique } from "../helpers";
import { deliveryCount, eventRows, eventsOf, receiverEndpoint } from "./support";

async function ok(method: string, path: string, body?: unknown): Promise<any> {
  const result = await call(method, path, body);
  expect(result.status, JSON.stringify(result.body)).toBe(200);
  return result.body;
}

const ORGANIZATION_TYPES = ["organization.created", "organization.updated", "organization.deleted"];
const MEMBERSHIP_TYPES = ["organizationMembership.created", "organizationMembership.updated", "organizationMembership.deleted"];
const INVITATION_TYPES = ["organizationInvitation.created", "organizationInvitation.accepted", "organizationInvitation.revoked"];

describe("organization events", () => {
  it("create (with its creator's membership), update, metadata PATCH and PUT, delete", async () => {
    const endpoint = await receiverEndpoint("ok", { events: [...ORGANIZATION_TYPES, "organizationMembership.created"] });
    const creator = await createUser({ first_name: "Ada", email_address: [`${unique("creator")}@example.com`] });
    const created = await ok("POST", "/v1/organizations", { name: `Hooks ${unique()}`, created_by: creator.id });
    const [membership] = (await ok("GET", `/v1/organizations/${created.id}/memberships`)).data;
    const updated = await ok("PATCH", `/v1/organizations/${created.id}`, { name: "Renamed" });
    const merged = await ok("PATCH", `/v1/organizations/${created.id}/metadata`, { public_metadata: { a: 1 } });
    const replaced = await ok("PUT", `/v1/organizations/${created.id}/metadata`, { private_metadata: { b: 2 } });
    const deleted = await ok("DELETE", `/v1/organizations/${created.id}`);
    const events = await eventsOf(endpoint, 6);
    const byType = (type: string) => events.filter((e) => e.type === type).map((e) => e.data);
    expect(byType("organization.created")).toEqual([created]);
    expect(byType("organizationMembership.created")).toEqual([membership]);
    expect(byType("organization.updated")).toEqual(expect.arrayContaining([updated, merged, replaced]));
    expect(byType("organization.updated")).toHaveLength(3);
    expect(byType("organization.deleted")).toEqual([deleted]);
    expect(deleted).toEqual({ object: "organization", id: created.id, slug: created.slug, deleted: true });
  });

  it("none for a refused write: a taken slug, metadata over the limit, an unknown organization", async () => {
    const org = await ok("POST", "/v1/organizations", { name: `Refused ${unique()}` });
    const other = await ok("POST", "/v1/organizations", { name: `Other ${unique()}` });
    const endpoint = await receiverEndpoint();
    expect((await call("PATCH", `/v1/organizations/${org.id}`, { slug: other.slug })).status).toBe(422);
    expect((await call("PATCH", `/v1/organizations/${org.id}/metadata`, { public_metadata: { big: "x".repeat(9000) } })).status).toBe(422);
    expect((await call("DELETE", "/v1/organizations/org_missing")).status).toBe(404);
    expect((await call("POST", "/v1/organizations", { name: "Dup", slug: other.slug })).status).toBe(422);
    expect(await deliveryCount(endpoint)).toBe(0);
  });
});

describe("organizationMembership events", () => {
  it("create, role update, metadata merge, delete (the membership as it was)", async () => {
    const org = await ok("POST", "/v1/organizations", { name: `Members ${unique()}` });
    const user = await createUser({ first_name: "Grace", username: unique("member").toLowerCase() });
    const endpoint = await receiverEndpoint("ok", { events: MEMBERSHIP_TYPES });
    const created = await ok("POST", `/v1/organizations/${org.id}/memberships`, { user_id: user.id, role: "org:member" });
    const role = await ok("PATCH", `/v1/organizations/${org.id}/memberships/${user.id}`, { role: "org:admin" });
    const metadata = await ok("PATCH", `/v1/organizations/${org.id}/memberships/${user.id}/metadata`, { public_metadata: { team: "x" } });
    const deleted = await ok("DELETE", `/v1/organizations/${org.id}/memberships/${user.id}`);
    const events = await eventsOf(endpoint, 4);
    expect(events.map((e) => e.type).sort()).toEqual([...MEMBERSHIP_TYPES, "organizationMembership.updated"].sort());
    const byType = (type: string) => events.filter((e) => e.type === type).map((e) => e.data);
    expect(byType("organizationMembership.created")).toEqual([created]);
    expect(byType("organizationMembership.updated")).toEqual(expect.arrayContaining([role, metadata]));
    expect(byType("organizationMembership.deleted")).toEqual([deleted]);
    expect(created.public_user_data).toMatchObject({ user_id: user.id, first_name: "Grace", identifier: user.username });
  });

  it("none for a refused write: already a member, over the quota, an unknown membership", async () => {
    const org = await ok("POST", "/v1/organizations", { name: `Full ${unique()}`, max_allowed_memberships: 1 });
    const [a, b] = [await createUser(), await createUser()];
    await ok("POST", `/v1/organizations/${org.id}/memberships`, { user_id: a.id, role: "org:member" });
    const endpoint = await receiverEndpoint();
    expect((await call("POST", `/v1/organizations/${org.id}/memberships`, { user_id: a.id, role: "org:member" })).status).toBe(400);
    expect((await call("POST", `/v1/organizations/${org.id}/memberships`, { user_id: b.id, role: "org:member" })).status).toBe(403);
    expect((await call("DELETE", `/v1/organizations/${org.id}/memberships/${b.id}`)).status).toBe(404);
    expect(await deliveryCount(endpoint)).toBe(0);
  });
});

describe("organizationInvitation events", () => {
  it("create, revoke; accept (with the accepting user, the organization, and the new membership's event)", async () => {
    const org = await ok("POST", "/v1/organizations", { name: `Invites ${unique()}` });
    const endpoint = await receiverEndpoint("ok", { events: [...INVITATION_TYPES, "organizationMembership.created"] });
    const revokedOne = await ok("POST", `/v1/organizations/${org.id}/invitations`, {
      email_address: `${unique("r")}@example.com`,
      role: "org:member",
    });
    const revoked = await ok("POST", `/v1/organizations/${org.id}/invitations/${revokedOne.id}/revoke`, {});
    const local = unique("accept");
    const acceptedOne = await ok("POST", `/v1/organizations/${org.id}/invitations`, { email_address: `${local}@example.com`, role: "org:admin" });
    const user = await createUser({ email_address: [`${local}@example.com`] });
    const accepted = await ok("POST", `/v1/organizations/${org.id}/invitations/${acceptedOne.id}/accept`, { user_id: user.id });
    const [membership] = (await ok("GET", `/v1/users/${user.id}/organization_memberships`)).data;
    const events = await eventsOf(endpoint, 5);
    const byType = (type: string) => events.filter((e) => e.type === type).map((e) => e.data);
    expect(byType("organizationInvitation.created")).toEqual(expect.arrayContaining([revokedOne, acceptedOne]));
    expect(byType("organizationInvitation.created")).toHaveLength(2);
    expect(byType("organizationInvitation.revoked")).toEqual([revoked]);
    expect(revoked.status).toBe("revoked");
    expect(byType("organizationInvitation.accepted")).toEqual([
      {
        ...accepted,
        user_id: user.id,
        data: { public_organization_data: { id: org.id, name: org.name, slug: org.slug, image_url: org.image_url, has_image: false } },
      },
    ]);
    expect(byType("organizationMembership.created")).toEqual([membership]);
  });

  it("none for a refused write: a second live invitation, revoking a revoked one, accepting for a stranger", async () => {
    const org = await ok("POST", "/v1/organizations", { name: `Refused invites ${unique()}` });
    const email = `${unique("dup")}@example.com`;
    const invitation = await ok("POST", `/v1/organizations/${org.id}/invitations`, { email_address: email, role: "org:member" });
    await ok("POST", `/v1/organizations/${org.id}/invitations/${invitation.id}/revoke`, {});
    const live = await ok("POST", `/v1/organizations/${org.id}/invitations`, { email_address: email, role: "org:member" });
    const stranger = await createUser({ email_address: [`${unique("stranger")}@example.com`] });
    const endpoint = await receiverEndpoint();
    expect((await call("POST", `/v1/organizations/${org.id}/invitations`, { email_address: email, role: "org:member" })).status).toBe(400);
    expect((await call("POST", `/v1/organizations/${org.id}/invitations/${invitation.id}/revoke`, {})).status).toBe(404);
    expect((await call("POST", `/v1/organizations/${org.id}/invitations/${live.id}/accept`, { user_id: stranger.id })).status).toBe(422);
    expect(await deliveryCount(endpoint)).toBe(0);
  });
});

describe("concurrent deletes", () => {
  it("two deletes of one organization at once: one organization.deleted (60 trials)", async () => {
    await receiverEndpoint("ok", { events: ["organization.deleted"] });
    let raced = 0;
    for (let trial = 0; trial < 60; trial++) {
      const org = await ok("POST", "/v1/organizations", { name: `Race ${unique()}` });
      const statuses = (await Promise.all([1, 2].map(() => call("DELETE", `/v1/organizations/${org.id}`)))).map((r) => r.status).sort();
      expect(statuses[0]).toBe(200);
      // Both found it before either deleted it (the route then answers 200 twice): the second
      // delete removed nothing, so it must write no event.
      if (statuses[1] === 200) raced += 1;
      expect(await eventRows("organization.deleted", org.id), `trial ${trial}: ${statuses}`).toBe(1);
    }
    expect(raced).toBeGreaterThan(0);
  }, 60_000);

  it("two deletes of one membership at once: one organizationMembership.deleted (60 trials)", async () => {
    await receiverEndpoint("ok", { events: ["organizationMembership.deleted"] });
    const org = await ok("POST", "/v1/organizations", { name: `Race members ${unique()}` });
    for (let trial = 0; trial < 60; trial++) {
      const user = await createUser();
      const membership = await ok("POST", `/v1/organizations/${org.id}/memberships`, { user_id: user.id, role: "org:member" });
      const path = `/v1/organizations/${org.id}/memberships/${user.id}`;
      const statuses = (await Promise.all([1, 2].map(() => call("DELETE", path)))).map((r) => r.status).sort();
      expect(statuses).toEqual([200, 404]);
      expect(await eventRows("organizationMembership.deleted", membership.id), `trial ${trial}`).toBe(1);
    }
  }, 60_000);
});
