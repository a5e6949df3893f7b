/**
 * Memberships removed by the cascade of a user's or an organization's deletion: one
 * organizationMembership.deleted each (the membership as it was, as GET answered it before),
 * written in the deletion's batch; no organization.updated for a user's deletion, nothing for an
 * organization's pending invitations. A membership DELETE racing its organization's DELETE
 * yields exactly one organizationMembership.deleted.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { call, createUser, unique } from "../helpers";
import { importUsers, shortUserId } from "../import-helpers";
import { deliveryCount, eventRows, eventsOf, receiverEndpoint } from "./support";

async function ok(method: string, path: string, body?: unknown): Promise<any> {
  const result = await call(method, path, body);
  expect(result.status, JSON.stringify(result.body)).toBe(200);
  return result.body;
}

const newOrganization = () => ok("POST", "/v1/organizations", { name: `Cascade ${unique()}` });
const addMember = (organizationId: string, userId: string, role = "org:member") =>
  ok("POST", `/v1/organizations/${organizationId}/memberships`, { user_id: userId, role });
/** The data of the events of `type`. */
const dataOf = (events: any[], type: string) => events.filter((e) => e.type === type).map((e) => e.data);
const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);

describe("organizationMembership.deleted from cascades", () => {
  it("DELETE of a user in 3 organizations: 3 organizationMembership.deleted and user.deleted, no organization.updated", async () => {
    const user = await createUser({ first_name: "Grace", email_address: [`${unique("cascade")}@example.com`] });
    const organizations = [await newOrganization(), await newOrganization(), await newOrganization()];
    for (const [i, org] of organizations.entries()) await addMember(org.id, user.id, i === 0 ? "org:admin" : "org:member");
    // Another member stays: the organizations are not otherwise touched.
    const other = await createUser();
    await addMember(organizations[0].id, other.id);
    const memberships = (await ok("GET", `/v1/users/${user.id}/organization_memberships`)).data;
    expect(memberships).toHaveLength(3);
    const endpoint = await receiverEndpoint();
    await ok("DELETE", `/v1/users/${user.id}`);
    const events = await eventsOf(endpoint, 4);
    expect(events.map((e) => e.type).sort()).toEqual([...Array(3).fill("organizationMembership.deleted"), "user.deleted"]);
    expect(dataOf(events, "organizationMembership.deleted").sort(byId)).toEqual([...memberships].sort(byId));
    expect(dataOf(events, "user.deleted")).toEqual([{ deleted: true, id: user.id, object: "user" }]);
    expect(new Set(events.map((e) => e.timestamp)).size).toBe(1);
    const remaining = (await ok("GET", `/v1/organizations/${organizations[0].id}/memberships`)).data;
    expect(remaining.map((m: any) => m.public_user_data.user_id)).toEqual([other.id]);
  });

  it("DELETE of an organization with 2 members and a pending invitation: 2 organizationMembership.deleted and organization.deleted", async () => {
    const org = await newOrganization();
    const [a, b] = [await createUser({ username: unique("cas").toLowerCase() }), await createUser({ first_name: "Ada" })];
    await addMember(org.id, a.id, "org:admin");
    await addMember(org.id, b.id);
    await ok("POST", `/v1/organizations/${org.id}/invitations`, { email_address: `${unique("pending")}@example.com`, role: "org:member" });
    const memberships = (await ok("GET", `/v1/organizations/${org.id}/memberships`)).data;
    expect(memberships).toHaveLength(2);
    const endpoint = await receiverEndpoint();
    const deleted = await ok("DELETE", `/v1/organizations/${org.id}`);
    const events = await eventsOf(endpoint, 3);
    expect(events.map((e) => e.type).sort()).toEqual(["organization.deleted", ...Array(2).fill("organizationMembership.deleted")]);
    expect(dataOf(events, "organizationMembership.deleted").sort(byId)).toEqual([...memberships].sort(byId));
    expect(dataOf(events, "organization.deleted")).toEqual([deleted]);
  });

  it("an organization with more members than D1 binds parameters: one event each, each its own svix-id", async () => {
    const org = await newOrganization();
    const results = await importUsers(Array.from({ length: 120 }, () => ({ id: shortUserId("many") })));
    expect(results.every((r) => r.status === "created")).toBe(true);
    const ids = results.map((r) => r.id!);
    for (let i = 0; i < ids.length; i += 10) await Promise.all(ids.slice(i, i + 10).map((id) => addMember(org.id, id)));
    const endpoint = await receiverEndpoint("ok", { events: ["organizationMembership.deleted"] });
    await ok("DELETE", `/v1/organizations/${org.id}`);
    expect(await deliveryCount(endpoint)).toBe(120);
    const events = await env.DB.prepare(
      "select ev.id, json_extract(ev.snapshot, '$.r.user_id') as user_id from webhook_events ev join webhook_deliveries d on d.event_id = ev.id where d.endpoint_id = ?",
    )
      .bind(endpoint.id)
      .all<{ id: string; user_id: string }>();
    expect(events.results.map((e) => e.user_id).sort()).toEqual([...ids].sort());
    expect(new Set(events.results.map((e) => e.id)).size).toBe(120);
    for (const { id } of events.results) expect(id).toMatch(/^msg_[0-9A-Za-z]{27}$/);
  }, 60_000);

  it("a membership DELETE racing its organization's DELETE: exactly one organizationMembership.deleted (60 trials)", async () => {
    await receiverEndpoint("ok", { events: ["organizationMembership.deleted", "organization.deleted"] });
    const seen = new Set<string>();
    for (let trial = 0; trial < 60; trial++) {
      const org = await newOrganization();
      const user = await createUser();
      const membership = await addMember(org.id, user.id);
      const [membershipDelete, organizationDelete] = await Promise.all([
        call("DELETE", `/v1/organizations/${org.id}/memberships/${user.id}`),
        call("DELETE", `/v1/organizations/${org.id}`),
      ]);
      expect(organizationDelete.status).toBe(200);
      // 200 when it removed the membership, 404 when the organization's delete got there first.
      expect([200, 404]).toContain(membershipDelete.status);
      seen.add(String(membershipDelete.status));
      expect(await eventRows("organizationMembership.deleted", membership.id), `trial ${trial}`).toBe(1);
      expect(await eventRows("organization.deleted", org.id), `trial ${trial}`).toBe(1);
    }
    // Both orders happened, so both paths were raced.
    expect([...seen].sort()).toEqual(["200", "404"]);
  }, 120_000);
});
