/**
 * Metadata values that could not be stored as sent are refused at the edge, on every body that
 * takes metadata: a number beyond a double's range (JSON.parse reads 1e400 as Infinity, which
 * would be stored as null) and an object key holding U+0000 (SQLite's json_patch would merge it
 * into another key). 422 form_param_value_invalid naming the parameter; nothing is written.
 */
import { describe, expect, it } from "vitest";
import { call, createUser, expectError, unique } from "../helpers";

const LEGACY = { "Clerk-API-Version": "2025-04-10" };

/** Every body that accepts a metadata object, for one existing user, organization and membership. */
async function metadataBodies() {
  const user = await createUser({ public_metadata: { keep: 1 }, private_metadata: { keep: 2 }, unsafe_metadata: { keep: 3 } });
  const org = (await call("POST", "/v1/organizations", { name: `Org ${unique()}`, public_metadata: { keep: 4 } })).body;
  const member = await createUser();
  await call("POST", `/v1/organizations/${org.id}/memberships`, { user_id: member.id, role: "org:member", private_metadata: { keep: 5 } });
  const stored = async () => {
    const [u, o, m] = await Promise.all([
      call("GET", `/v1/users/${user.id}`, undefined, { schema: "User" }),
      call("GET", `/v1/organizations/${org.id}`, undefined, { schema: "Organization" }),
      call("GET", `/v1/organizations/${org.id}/memberships?user_id=${member.id}`, undefined, { schema: "OrganizationMemberships" }),
    ]);
    const meta = (x: any) => [x.public_metadata, x.private_metadata, x.unsafe_metadata];
    return [meta(u.body), meta(o.body), meta(m.body.data[0]), u.body.external_accounts.length];
  };
  const targets: { method: string; path: string; params: string[]; rest?: Record<string, unknown>; headers?: Record<string, string> }[] = [
    { method: "POST", path: "/v1/users", params: ["public_metadata", "private_metadata", "unsafe_metadata"] },
    {
      method: "PATCH",
      path: `/v1/users/${user.id}`,
      params: ["public_metadata", "private_metadata", "unsafe_metadata"],
      rest: { first_name: "Changed" },
    },
    { method: "PATCH", path: `/v1/users/${user.id}/metadata`, params: ["public_metadata", "private_metadata", "unsafe_metadata"] },
    { method: "PUT", path: `/v1/users/${user.id}/metadata`, params: ["public_metadata", "private_metadata", "unsafe_metadata"] },
    {
      method: "POST",
      path: `/v1/users/${user.id}/external_accounts`,
      params: ["public_metadata"],
      rest: { provider: "google", provider_user_id: unique("g") },
    },
    { method: "POST", path: "/v1/organizations", params: ["public_metadata", "private_metadata"], rest: { name: "New org" } },
    {
      method: "PATCH",
      path: `/v1/organizations/${org.id}`,
      params: ["public_metadata", "private_metadata"],
      rest: { name: "Changed" },
      headers: LEGACY,
    },
    { method: "PATCH", path: `/v1/organizations/${org.id}/metadata`, params: ["public_metadata", "private_metadata"] },
    { method: "PUT", path: `/v1/organizations/${org.id}/metadata`, params: ["public_metadata", "private_metadata"] },
    {
      method: "POST",
      path: `/v1/organizations/${org.id}/memberships`,
      params: ["public_metadata", "private_metadata"],
      rest: { user_id: user.id, role: "org:member" },
    },
    { method: "PATCH", path: `/v1/organizations/${org.id}/memberships/${member.id}/metadata`, params: ["public_metadata", "private_metadata"] },
    {
      method: "POST",
      path: `/v1/organizations/${org.id}/invitations`,
      params: ["public_metadata", "private_metadata"],
      rest: { email_address: `${unique()}@example.com`, role: "org:member" },
    },
  ];
  return { org, targets, stored };
}

/** Sends `metadata` (raw JSON text) as `param` of each body; every request must be refused and change nothing. */
async function expectRefusedEverywhere(metadata: string) {
  const { org, targets, stored } = await metadataBodies();
  const before = await stored();
  const orgCount = async () => (await call("GET", "/v1/organizations?limit=1", undefined, { schema: "Organizations" })).body.total_count;
  const organizations = await orgCount();
  const invitations = async () =>
    (await call("GET", `/v1/organizations/${org.id}/invitations`, undefined, { schema: "OrganizationInvitations" })).body.total_count;
  const invited = await invitations();
  for (const target of targets) {
    for (const param of target.params) {
      const rest = JSON.stringify(target.rest ?? {}).slice(1, -1);
      const raw = `{${rest}${rest ? "," : ""}"${param}":${metadata}}`;
      const result = await call(target.method, target.path, undefined, { rawBody: raw, headers: target.headers });
      const error = expectError(result, 422, "form_param_value_invalid", param);
      expect(error.long_message, `${target.method} ${target.path}`).toContain(param);
    }
  }
  expect(await stored()).toEqual(before);
  expect([await orgCount(), await invitations()]).toEqual([organizations, invited]);
}

describe("metadata that could not be stored as sent", () => {
  it("refuses a number beyond a double's range, at any depth, on every body that takes metadata", async () => {
    await expectRefusedEverywhere('{"n":1e400}');
    await expectRefusedEverywhere('{"deep":{"list":[1,{"n":-1e309}]}}');
  });

  it("refuses an object key holding U+0000, at any depth, on every body that takes metadata", async () => {
    await expectRefusedEverywhere('{"a\\u0000b":1}');
    await expectRefusedEverywhere('{"deep":[{"\\u0000":true}]}');
  });

  it("keeps numbers a double can carry, and U+0000 inside string values", async () => {
    const raw = '{"public_metadata":{"max":1.7976931348623157e308,"tiny":5e-324,"big":1e21,"nul":"a\\u0000b"}}';
    const user = (await call("POST", "/v1/users", undefined, { rawBody: raw, schema: "User" })).body;
    expect(user.public_metadata).toEqual({ max: 1.7976931348623157e308, tiny: 5e-324, big: 1e21, nul: "a\u0000b" });
    const merged = await call("PATCH", `/v1/users/${user.id}/metadata`, undefined, {
      rawBody: '{"public_metadata":{"max":-1.7976931348623157e308}}',
      schema: "User",
    });
    expect(merged.body.public_metadata.max).toBe(-1.7976931348623157e308);
  });
});
