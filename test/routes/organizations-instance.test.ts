/**
 * GET /v1/organization_memberships lists every membership of the instance, so this file owns
 * all memberships in its storage and can assert complete orderings.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { call, createUser, expectError } from "../helpers";

interface Member {
  key: string;
  body: Record<string, unknown>;
  userId?: string;
  membershipId?: string;
  createdAt?: number;
}

// Deliberate gaps: some members lack a phone, an email, a first or last name, or a username.
const MEMBERS: Member[] = [
  {
    key: "ann",
    body: { first_name: "Ann", last_name: "Young", username: "ann_y", email_address: ["ann@example.com"], phone_number: ["+15550000003"] },
  },
  { key: "bea", body: { first_name: "Bea", last_name: "Xu", username: "bea_x", email_address: ["bea@example.com"] } },
  { key: "cat", body: { first_name: "Cat", username: "cat_w", phone_number: ["+15550000001"] } },
  { key: "dan", body: { last_name: "Abbott", email_address: ["dan@example.com"], phone_number: ["+15550000002"] } },
  { key: "eve", body: { first_name: "Eve", last_name: "Vance", email_address: ["eve@example.com"] } },
];

const START = Date.UTC(2034, 0, 1);
const byKey = new Map<string, Member>();

async function ordered(orderBy?: string): Promise<string[]> {
  const query = orderBy === undefined ? "" : `?order_by=${encodeURIComponent(orderBy)}`;
  const result = await call("GET", `/v1/organization_memberships${query}`, undefined, { schema: "OrganizationMemberships" });
  expect(result.status, JSON.stringify(result.body)).toBe(200);
  expect(result.body.total_count).toBe(MEMBERS.length);
  const keyOf = new Map(MEMBERS.map((m) => [m.membershipId, m.key]));
  return result.body.data.map((m: any) => keyOf.get(m.id));
}

beforeAll(async () => {
  vi.useFakeTimers({ toFake: ["Date"] });
  const org = (await call("POST", "/v1/organizations", { name: "Instance Org" })).body;
  for (const [i, member] of MEMBERS.entries()) {
    // Distinct membership creation times, in the order listed.
    vi.setSystemTime(START + i * 1000);
    member.userId = (await createUser(member.body)).id;
    const membership = await call("POST", `/v1/organizations/${org.id}/memberships`, { user_id: member.userId, role: "org:member" });
    member.membershipId = membership.body.id;
    member.createdAt = membership.body.created_at;
    byKey.set(member.key, member);
  }
});

afterAll(() => {
  vi.useRealTimers();
});

describe("GET /v1/organization_memberships", () => {
  it("defaults to newest first", async () => {
    expect(await ordered()).toEqual(["eve", "dan", "cat", "bea", "ann"]);
    expect(await ordered("-created_at")).toEqual(["eve", "dan", "cat", "bea", "ann"]);
    expect(await ordered("created_at")).toEqual(["ann", "bea", "cat", "dan", "eve"]);
    expect(await ordered("+created_at")).toEqual(["ann", "bea", "cat", "dan", "eve"]);
  });

  it("orders by the primary phone number with members without one last in both directions", async () => {
    expect(await ordered("phone_number")).toEqual(["cat", "dan", "ann"].concat(tail(["bea", "eve"], false)));
    expect(await ordered("-phone_number")).toEqual(["ann", "dan", "cat"].concat(tail(["bea", "eve"], true)));
  });

  it("orders by email address, first name, last name and username, NULLs last", async () => {
    expect(await ordered("email_address")).toEqual(["ann", "bea", "dan", "eve", "cat"]);
    expect(await ordered("-email_address")).toEqual(["eve", "dan", "bea", "ann", "cat"]);
    expect(await ordered("first_name")).toEqual(["ann", "bea", "cat", "eve", "dan"]);
    expect(await ordered("-first_name")).toEqual(["eve", "cat", "bea", "ann", "dan"]);
    expect(await ordered("last_name")).toEqual(["dan", "eve", "bea", "ann", "cat"]);
    expect(await ordered("-last_name")).toEqual(["ann", "bea", "eve", "dan", "cat"]);
    expect(await ordered("username")).toEqual(["ann", "bea", "cat"].concat(tail(["dan", "eve"], false)));
    expect(await ordered("-username")).toEqual(["cat", "bea", "ann"].concat(tail(["dan", "eve"], true)));
  });

  it("pages with limit and offset and reports the total", async () => {
    const page = await call("GET", "/v1/organization_memberships?order_by=created_at&limit=2&offset=3", undefined, {
      schema: "OrganizationMemberships",
    });
    expect(page.body.total_count).toBe(5);
    expect(page.body.data.map((m: any) => m.id)).toEqual([byKey.get("dan")!.membershipId, byKey.get("eve")!.membershipId]);
    for (const m of page.body.data) {
      expect(m.organization).toMatchObject({ object: "organization", name: "Instance Org" });
      expect(m.public_user_data).not.toBeNull();
    }
    const phoneOnly = (await call("GET", "/v1/organization_memberships?order_by=created_at&limit=1&offset=2")).body.data[0];
    expect(phoneOnly.public_user_data.identifier).toBe("+15550000001");
  });

  it("refuses an unknown order_by field and out-of-range paging", async () => {
    const error = expectError(await call("GET", "/v1/organization_memberships?order_by=role"), 422, "form_param_value_invalid", "order_by");
    expect(error.long_message).toContain("phone_number");
    expectError(await call("GET", "/v1/organization_memberships?order_by=-"), 422, "form_param_value_invalid", "order_by");
    expectError(await call("GET", "/v1/organization_memberships?limit=0"), 422, "form_param_value_invalid", "limit");
    expectError(await call("GET", "/v1/organization_memberships?limit=501"), 422, "form_param_value_invalid", "limit");
    expectError(await call("GET", "/v1/organization_memberships?offset=-1"), 422, "form_param_value_invalid", "offset");
  });
});

/** Members sharing a NULL sort value: ties broken by membership id in the sort's direction. */
function tail(keys: string[], descending: boolean): string[] {
  const sorted = [...keys].sort((a, b) => (byKey.get(a)!.membershipId! < byKey.get(b)!.membershipId! ? -1 : 1));
  return descending ? sorted.reverse() : sorted;
}
