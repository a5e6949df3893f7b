import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { BASE, call, createUser, expectError, SECRET_KEY, unique } from "../helpers";

async function createOrg(body: Record<string, unknown> = {}): Promise<any> {
  const result = await call("POST", "/v1/organizations", { name: `Org ${unique()}`, ...body }, { schema: "Organization" });
  expect(result.status, JSON.stringify(result.body)).toBe(200);
  return result.body;
}

async function addMember(orgId: string, userId: string, role = "org:member") {
  return call("POST", `/v1/organizations/${orgId}/memberships`, { user_id: userId, role }, { schema: "OrganizationMembership" });
}

describe("POST /v1/organizations", () => {
  it("creates an organization with the spec's shape, a derived slug and a default avatar", async () => {
    const org = await createOrg({ name: "Acme Rockets", public_metadata: { plan: "pro" }, private_metadata: { crm: 7 } });
    expect(org.id).toMatch(/^org_[0-9A-Za-z]{27}$/);
    expect(org.object).toBe("organization");
    expect(org.slug).toBe("acme-rockets");
    expect(org.has_image).toBe(false);
    expect(org.image_url).toBe("https://api.test/images/avatars/AR.svg");
    expect(org.max_allowed_memberships).toBe(0);
    expect(org.admin_delete_enabled).toBe(true);
    expect(org.public_metadata).toEqual({ plan: "pro" });
    expect(org.private_metadata).toEqual({ crm: 7 });
    expect(org).not.toHaveProperty("created_by");
  });

  it("derives a fresh slug when the derived one is taken, and strips accents", async () => {
    const first = await createOrg({ name: "Café Crème" });
    const second = await createOrg({ name: "Café Crème" });
    expect(first.slug).toBe("cafe-creme");
    expect(second.slug).toMatch(/^cafe-creme-[0-9a-z]{6}$/);
    const nonLatin = await createOrg({ name: "東京" });
    expect(nonLatin.slug).toMatch(/^org-[0-9a-z]{6}$/);
  });

  it("refuses a taken slug with form_identifier_exists and an invalid slug with form_param_format_invalid", async () => {
    const slug = unique("slug").toLowerCase();
    await createOrg({ slug });
    expectError(await call("POST", "/v1/organizations", { name: "Other", slug }), 422, "form_identifier_exists", "slug");
    expectError(await call("POST", "/v1/organizations", { name: "Other", slug: "Has Caps" }), 422, "form_param_format_invalid", "slug");
    expectError(
      await call("POST", "/v1/organizations", { name: "Other", slug: "x'; drop table organizations;--" }),
      422,
      "form_param_format_invalid",
      "slug",
    );
  });

  it("gives exactly one of two concurrent creates with the same slug", async () => {
    const slug = unique("race").toLowerCase();
    const results = await Promise.all([1, 2, 3].map(() => call("POST", "/v1/organizations", { name: "Race", slug })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    for (const r of results.filter((r) => r.status !== 200)) expectError(r, 422, "form_identifier_exists", "slug");
  });

  it("validates the name: required, not blank, no URLs or HTML, at most 256 characters", async () => {
    expectError(await call("POST", "/v1/organizations", {}), 422, "form_param_missing", "name");
    expectError(await call("POST", "/v1/organizations", { name: "   " }), 422, "form_param_value_invalid", "name");
    expectError(await call("POST", "/v1/organizations", { name: "Visit https://evil.example" }), 422, "form_param_value_invalid", "name");
    expectError(await call("POST", "/v1/organizations", { name: "<b>bold</b>" }), 422, "form_param_value_invalid", "name");
    expectError(await call("POST", "/v1/organizations", { name: "x".repeat(257) }), 422, "form_param_max_length_exceeded", "name");
    expectError(await call("POST", "/v1/organizations", { name: "Ok", bogus: 1 }), 422, "form_param_unknown", "bogus");
    expectError(await call("POST", "/v1/organizations", { name: "Ok", max_allowed_memberships: -1 }), 422, "form_param_value_invalid");
    expectError(await call("POST", "/v1/organizations", { name: "Ok", created_at: "yesterday" }), 422, "form_param_invalid_time", "created_at");
  });

  it("stores SQL metacharacters and Unicode in names verbatim", async () => {
    const name = `Robert'); DROP TABLE organizations;-- 👩‍💻 Ünïcödé`;
    const org = await createOrg({ name });
    expect(org.name).toBe(name);
    expect((await call("GET", `/v1/organizations/${org.id}`, undefined, { schema: "Organization" })).body.name).toBe(name);
  });

  it("makes created_by an org:admin member in the same write, and refuses an unknown creator", async () => {
    const user = await createUser({ first_name: "Ada" });
    const org = await createOrg({ created_by: user.id });
    expect(org.created_by).toBe(user.id);
    const members = await call("GET", `/v1/organizations/${org.id}/memberships`, undefined, { schema: "OrganizationMemberships" });
    expect(members.body.total_count).toBe(1);
    expect(members.body.data[0].role).toBe("org:admin");
    expect(members.body.data[0].role_name).toBe("Admin");
    expect(members.body.data[0].public_user_data.user_id).toBe(user.id);

    const before = await call("GET", "/v1/organizations?limit=500", undefined, { schema: "Organizations" });
    expectError(await call("POST", "/v1/organizations", { name: "Ghost", created_by: "user_missing" }), 400, "organization_creator_not_found");
    const after = await call("GET", "/v1/organizations?limit=500", undefined, { schema: "Organizations" });
    expect(after.body.total_count).toBe(before.body.total_count);
  });

  it("accepts a custom created_at and the no-op role_set_key", async () => {
    const org = await createOrg({ created_at: "2020-01-02T03:04:05.000Z", role_set_key: "default" });
    expect(org.created_at).toBe(Date.parse("2020-01-02T03:04:05.000Z"));
  });
});

describe("GET /v1/organizations/{id}", () => {
  it("finds an organization by id or by slug and includes counts on request", async () => {
    const user = await createUser();
    const org = await createOrg({ created_by: user.id });
    const byId = await call("GET", `/v1/organizations/${org.id}`, undefined, { schema: "Organization" });
    const bySlug = await call("GET", `/v1/organizations/${org.slug}?include_members_count=true`, undefined, { schema: "Organization" });
    expect(byId.body.id).toBe(org.id);
    expect(byId.body).not.toHaveProperty("members_count");
    expect(bySlug.body.id).toBe(org.id);
    expect(bySlug.body.members_count).toBe(1);
    expect(bySlug.body.pending_invitations_count).toBe(0);
  });

  it("answers 404 resource_not_found for an unknown organization", async () => {
    const error = expectError(await call("GET", "/v1/organizations/org_missing"), 404, "resource_not_found");
    expect(error.long_message).toBe("Given organization not found.");
  });
});

describe("GET /v1/organizations", () => {
  it("pages newest first with total_count, filters by query and by member, and orders by name", async () => {
    const tag = unique("list").toLowerCase();
    const member = await createUser();
    const a = await createOrg({ name: `${tag} Alpha`, created_at: "2021-01-01T00:00:00Z" });
    const b = await createOrg({ name: `${tag} Beta`, created_at: "2022-01-01T00:00:00Z", created_by: member.id });
    const c = await createOrg({ name: `${tag} Gamma`, created_at: "2023-01-01T00:00:00Z" });
    const page = await call("GET", `/v1/organizations?query=${tag}&limit=2`, undefined, { schema: "Organizations" });
    expect(page.body.total_count).toBe(3);
    expect(page.body.data.map((o: any) => o.id)).toEqual([c.id, b.id]);
    const next = await call("GET", `/v1/organizations?query=${tag}&limit=2&offset=2`, undefined, { schema: "Organizations" });
    expect(next.body.data.map((o: any) => o.id)).toEqual([a.id]);
    const byName = await call("GET", `/v1/organizations?query=${tag}&order_by=name`, undefined, { schema: "Organizations" });
    expect(byName.body.data.map((o: any) => o.id)).toEqual([a.id, b.id, c.id]);
    const byMembers = await call("GET", `/v1/organizations?query=${tag}&order_by=-members_count&include_members_count=true`, undefined, {
      schema: "Organizations",
    });
    expect(byMembers.body.data[0].id).toBe(b.id);
    expect(byMembers.body.data[0].members_count).toBe(1);
    const ofMember = await call("GET", `/v1/organizations?user_id=${member.id}`, undefined, { schema: "Organizations" });
    expect(ofMember.body.data.map((o: any) => o.id)).toEqual([b.id]);
    const excluded = await call("GET", `/v1/organizations?query=${tag}&organization_id=-${b.id}`, undefined, { schema: "Organizations" });
    expect(excluded.body.data.map((o: any) => o.id)).toEqual([c.id, a.id]);
    // `+` (encoded, or unencoded and so decoded as a space) includes; empty values are ignored.
    for (const plus of ["%2B", "+"]) {
      const included = await call("GET", `/v1/organizations?query=${tag}&organization_id=${plus}${b.id}&organization_id=`, undefined, {
        schema: "Organizations",
      });
      expect(
        included.body.data.map((o: any) => o.id),
        plus,
      ).toEqual([b.id]);
      const ofPlusMember = await call("GET", `/v1/organizations?user_id=${plus}${member.id}`, undefined, { schema: "Organizations" });
      expect(
        ofPlusMember.body.data.map((o: any) => o.id),
        plus,
      ).toEqual([b.id]);
    }
    const percent = await call("GET", `/v1/organizations?query=${encodeURIComponent("%")}`, undefined, { schema: "Organizations" });
    expect(percent.body.total_count).toBe(0);
  });

  it("refuses an unknown order_by and an out-of-range limit", async () => {
    expectError(await call("GET", "/v1/organizations?order_by=slug"), 422, "form_param_value_invalid", "order_by");
    expectError(await call("GET", "/v1/organizations?limit=501"), 422, "form_param_value_invalid", "limit");
  });
});

describe("PATCH /v1/organizations/{id} and metadata", () => {
  it("updates name, slug, limits and flags; refuses metadata keys and a taken slug", async () => {
    const other = await createOrg();
    const org = await createOrg();
    const newSlug = unique("renamed").toLowerCase();
    const updated = await call(
      "PATCH",
      `/v1/organizations/${org.id}`,
      { name: "Renamed", slug: newSlug, max_allowed_memberships: 5, admin_delete_enabled: false },
      { schema: "Organization" },
    );
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ name: "Renamed", slug: newSlug, max_allowed_memberships: 5, admin_delete_enabled: false });
    expect(updated.body.image_url).toBe("https://api.test/images/avatars/R.svg");
    expectError(await call("PATCH", `/v1/organizations/${org.id}`, { slug: other.slug }), 422, "form_identifier_exists", "slug");
    expectError(await call("PATCH", `/v1/organizations/${org.id}`, { public_metadata: {} }), 422, "form_param_unknown", "public_metadata");
    expectError(await call("PATCH", "/v1/organizations/org_missing", { name: "x" }), 404, "resource_not_found");
  });

  it("merges metadata deeply with PATCH and replaces it with PUT", async () => {
    const org = await createOrg({ public_metadata: { a: { b: 1, c: 2 }, keep: true }, private_metadata: { secret: 1 } });
    const merged = await call(
      "PATCH",
      `/v1/organizations/${org.id}/metadata`,
      { public_metadata: { a: { c: null, d: 3 } } },
      { schema: "Organization" },
    );
    expect(merged.body.public_metadata).toEqual({ a: { b: 1, d: 3 }, keep: true });
    expect(merged.body.private_metadata).toEqual({ secret: 1 });
    const replaced = await call("PUT", `/v1/organizations/${org.id}/metadata`, { public_metadata: { only: 1 } }, { schema: "Organization" });
    expect(replaced.body.public_metadata).toEqual({ only: 1 });
    expect(replaced.body.private_metadata).toEqual({ secret: 1 });
    expectError(
      await call("PUT", `/v1/organizations/${org.id}/metadata`, { public_metadata: [1] }),
      422,
      "form_param_value_invalid",
      "public_metadata",
    );
    expectError(
      await call("PATCH", `/v1/organizations/${org.id}/metadata`, { private_metadata: { big: "x".repeat(9000) } }),
      422,
      "form_param_exceeds_allowed_size",
    );
  });
});

describe("PATCH /v1/organizations/{id} from clients of older API versions", () => {
  const patchAs = (version: string, id: string, body: unknown) =>
    call("PATCH", `/v1/organizations/${id}`, body, { schema: "Organization", headers: { "Clerk-API-Version": version } });

  it("accepts public/private metadata before 2026-05-12, each object sent replacing the stored one", async () => {
    const org = await createOrg({ public_metadata: { a: { b: 1 }, keep: true }, private_metadata: { secret: 1 } });
    // @clerk/backend 1.x sends 2025-04-10, 2.x sends 2025-11-10.
    const renamed = await patchAs("2025-04-10", org.id, { name: "Legacy", public_metadata: { a: { c: 2 } } });
    expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);
    expect([renamed.body.name, renamed.body.public_metadata, renamed.body.private_metadata]).toEqual(["Legacy", { a: { c: 2 } }, { secret: 1 }]);
    const cleared = await patchAs("2025-11-10", org.id, { private_metadata: null, max_allowed_memberships: 3 });
    expect([cleared.body.max_allowed_memberships, cleared.body.public_metadata, cleared.body.private_metadata]).toEqual([3, { a: { c: 2 } }, {}]);
    // A request without any version is an older client too.
    const bare = await SELF.fetch(`${BASE}/v1/organizations/${org.id}`, {
      method: "PATCH",
      headers: { Authorization: `Bearer ${SECRET_KEY}`, "Content-Type": "application/json" },
      body: JSON.stringify({ private_metadata: { again: true } }),
    });
    expect(bare.status).toBe(200);
    expect(((await bare.json()) as { private_metadata: unknown }).private_metadata).toEqual({ again: true });
    const stored = await call("GET", `/v1/organizations/${org.id}`, undefined, { schema: "Organization" });
    expect([stored.body.name, stored.body.public_metadata, stored.body.private_metadata]).toEqual(["Legacy", { a: { c: 2 } }, { again: true }]);
    // 2026-05-12 moved metadata to …/metadata.
    expectError(await patchAs("2026-05-12", org.id, { private_metadata: {} }), 422, "form_param_unknown", "private_metadata");
  });

  it("applies nothing when the metadata would exceed 8 KB", async () => {
    const org = await createOrg({ private_metadata: { stored: "p".repeat(4000) } });
    const error = expectError(
      await patchAs("2025-04-10", org.id, { name: "Too big", public_metadata: { big: "b".repeat(5000) } }),
      422,
      "form_param_exceeds_allowed_size",
      "public_metadata",
    );
    expect(error.long_message).toBe("Metadata (public and private together) must not exceed 8192 bytes; got 9023.");
    const stored = await call("GET", `/v1/organizations/${org.id}`, undefined, { schema: "Organization" });
    expect([stored.body.name, stored.body.public_metadata, stored.body.updated_at]).toEqual([org.name, {}, org.updated_at]);
  });
});

describe("DELETE /v1/organizations/{id}", () => {
  it("returns a DeletedObject and removes memberships and invitations with it", async () => {
    const user = await createUser();
    const org = await createOrg({ created_by: user.id });
    await call("POST", `/v1/organizations/${org.id}/invitations`, { email_address: `${unique()}@example.com`, role: "org:member" });
    const deleted = await call("DELETE", `/v1/organizations/${org.id}`, undefined, { schema: "DeletedObject" });
    expect(deleted.body).toEqual({ object: "organization", id: org.id, slug: org.slug, deleted: true });
    expectError(await call("GET", `/v1/organizations/${org.id}`), 404, "resource_not_found");
    const leftovers = await env.DB.prepare(
      "select (select count(*) from organization_memberships where organization_id = ?1) + (select count(*) from organization_invitations where organization_id = ?1) as n",
    )
      .bind(org.id)
      .first<{ n: number }>();
    expect(leftovers?.n).toBe(0);
    const memberships = await call("GET", `/v1/users/${user.id}/organization_memberships`, undefined, { schema: "OrganizationMemberships" });
    expect(memberships.body.total_count).toBe(0);
    expectError(await call("DELETE", `/v1/organizations/${org.id}`), 404, "resource_not_found");
  });
});

describe("organization memberships", () => {
  it("adds a member with permissions from the role and non-null organization and public_user_data", async () => {
    const user = await createUser({
      first_name: "Grace",
      last_name: "Hopper",
      username: unique("grace"),
      email_address: [`${unique()}@example.com`],
    });
    const org = await createOrg();
    const created = await addMember(org.id, user.id, "org:member");
    expect(created.status).toBe(200);
    const m = created.body;
    expect(m.id).toMatch(/^orgmem_[0-9A-Za-z]{27}$/);
    expect(m.permissions).toEqual(["org:sys_memberships:read"]);
    expect(m.role_name).toBe("Member");
    expect(m.organization.id).toBe(org.id);
    expect(m.public_user_data).toEqual({
      user_id: user.id,
      first_name: "Grace",
      last_name: "Hopper",
      profile_image_url: user.image_url,
      image_url: user.image_url,
      has_image: false,
      identifier: user.email_addresses[0].email_address,
      username: user.username,
      banned: false,
    });
  });

  it("gives org:admin the org:sys_* set and a custom role no permissions", async () => {
    const org = await createOrg();
    const admin = await addMember(org.id, (await createUser()).id, "org:admin");
    expect(admin.body.permissions).toEqual([
      "org:sys_profile:manage",
      "org:sys_profile:delete",
      "org:sys_memberships:read",
      "org:sys_memberships:manage",
      "org:sys_domains:read",
      "org:sys_domains:manage",
    ]);
    const custom = await addMember(org.id, (await createUser()).id, "org:billing_manager");
    expect(custom.body.permissions).toEqual([]);
    expect(custom.body.role_name).toBe("Billing manager");
  });

  it("refuses a second membership of the same user with already_a_member_in_organization, also when concurrent", async () => {
    const org = await createOrg();
    const user = await createUser();
    expect((await addMember(org.id, user.id)).status).toBe(200);
    expectError(await addMember(org.id, user.id), 400, "already_a_member_in_organization");
    const racer = await createUser();
    const results = await Promise.all([1, 2, 3].map(() => addMember(org.id, racer.id)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    for (const r of results.filter((r) => r.status !== 200)) expectError(r, 400, "already_a_member_in_organization");
  });

  it("validates the body and refers to unknown users and organizations", async () => {
    const org = await createOrg();
    const user = await createUser();
    expectError(await call("POST", `/v1/organizations/${org.id}/memberships`, { user_id: user.id }), 422, "form_param_missing", "role");
    expectError(
      await call("POST", `/v1/organizations/${org.id}/memberships`, { user_id: user.id, role: "" }),
      422,
      "form_param_value_invalid",
      "role",
    );
    expectError(
      await call("POST", `/v1/organizations/${org.id}/memberships`, { user_id: "user_missing", role: "org:member" }),
      422,
      "form_resource_not_found",
      "user_id",
    );
    expectError(await call("POST", "/v1/organizations/org_missing/memberships", { user_id: user.id, role: "org:member" }), 404, "resource_not_found");
  });

  it("enforces max_allowed_memberships, counting pending invitations, with 0 meaning unlimited", async () => {
    const org = await createOrg({ max_allowed_memberships: 2 });
    expect((await addMember(org.id, (await createUser()).id)).status).toBe(200);
    const invite = await call("POST", `/v1/organizations/${org.id}/invitations`, { email_address: `${unique()}@example.com`, role: "org:member" });
    expect(invite.status).toBe(200);
    const over = expectError(await addMember(org.id, (await createUser()).id), 403, "organization_membership_quota_exceeded");
    expect(over.long_message).toBe("You have reached your limit of 2 organization memberships, including outstanding invitations.");
    await call("POST", `/v1/organizations/${org.id}/invitations/${invite.body.id}/revoke`);
    expect((await addMember(org.id, (await createUser()).id)).status).toBe(200);
    expectError(await addMember(org.id, (await createUser()).id), 403, "organization_membership_quota_exceeded");
    await call("PATCH", `/v1/organizations/${org.id}`, { max_allowed_memberships: 0 });
    expect((await addMember(org.id, (await createUser()).id)).status).toBe(200);
  });

  it("never overshoots the quota when adds race at its edge", async () => {
    const org = await createOrg({ max_allowed_memberships: 3 });
    expect((await addMember(org.id, (await createUser()).id)).status).toBe(200);
    const users = await Promise.all([1, 2, 3, 4, 5, 6].map(() => createUser()));
    const results = await Promise.all(users.map((u) => addMember(org.id, u.id)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(2);
    for (const r of results.filter((r) => r.status !== 200)) expectError(r, 403, "organization_membership_quota_exceeded");
    const list = await call("GET", `/v1/organizations/${org.id}/memberships?limit=100`, undefined, { schema: "OrganizationMemberships" });
    expect(list.body.total_count).toBe(3);
  });

  it("lists an organization's memberships with total_count, order_by and user_id/role filters", async () => {
    const org = await createOrg();
    const zed = await createUser({ first_name: "Zed" });
    const amy = await createUser({ first_name: "Amy" });
    const bob = await createUser({ first_name: "Bob" });
    await addMember(org.id, zed.id, "org:admin");
    await addMember(org.id, amy.id);
    await addMember(org.id, bob.id);
    const byName = await call("GET", `/v1/organizations/${org.id}/memberships?order_by=first_name&limit=2`, undefined, {
      schema: "OrganizationMemberships",
    });
    expect(byName.body.total_count).toBe(3);
    expect(byName.body.data.map((m: any) => m.public_user_data.first_name)).toEqual(["Amy", "Bob"]);
    const admins = await call("GET", `/v1/organizations/${org.id}/memberships?role=org:admin`, undefined, { schema: "OrganizationMemberships" });
    expect(admins.body.data.map((m: any) => m.public_user_data.user_id)).toEqual([zed.id]);
    const notZed = await call("GET", `/v1/organizations/${org.slug}/memberships?user_id=-${zed.id}&order_by=-first_name`, undefined, {
      schema: "OrganizationMemberships",
    });
    expect(notZed.body.data.map((m: any) => m.public_user_data.first_name)).toEqual(["Bob", "Amy"]);
    const onlyZed = await call("GET", `/v1/organizations/${org.id}/memberships?user_id=+${zed.id}&role=`, undefined, {
      schema: "OrganizationMemberships",
    });
    expect(onlyZed.body.data.map((m: any) => m.public_user_data.user_id)).toEqual([zed.id]);
    expectError(await call("GET", `/v1/organizations/${org.id}/memberships?order_by=role`), 422, "form_param_value_invalid", "order_by");
    expectError(await call("GET", "/v1/organizations/org_missing/memberships"), 404, "resource_not_found");
  });

  it("changes a role, merges membership metadata and removes a member", async () => {
    const org = await createOrg();
    const user = await createUser();
    await addMember(org.id, user.id);
    const promoted = await call(
      "PATCH",
      `/v1/organizations/${org.id}/memberships/${user.id}`,
      { role: "org:admin" },
      { schema: "OrganizationMembership" },
    );
    expect(promoted.body.role).toBe("org:admin");
    expect(promoted.body.permissions).toContain("org:sys_memberships:manage");
    const meta = await call(
      "PATCH",
      `/v1/organizations/${org.id}/memberships/${user.id}/metadata`,
      { public_metadata: { team: "core" }, private_metadata: { note: "x" } },
      { schema: "OrganizationMembership" },
    );
    expect(meta.body.public_metadata).toEqual({ team: "core" });
    expect(meta.body.private_metadata).toEqual({ note: "x" });
    expectError(await call("PATCH", `/v1/organizations/${org.id}/memberships/${user.id}`, {}), 422, "form_param_missing", "role");
    const removed = await call("DELETE", `/v1/organizations/${org.id}/memberships/${user.id}`, undefined, { schema: "OrganizationMembership" });
    expect(removed.body.id).toBe(promoted.body.id);
    expectError(await call("DELETE", `/v1/organizations/${org.id}/memberships/${user.id}`), 404, "resource_not_found");
    expectError(await call("PATCH", `/v1/organizations/${org.id}/memberships/${user.id}`, { role: "org:member" }), 404, "resource_not_found");
  });

  it("drops a deleted user's memberships", async () => {
    const org = await createOrg();
    const user = await createUser();
    await addMember(org.id, user.id);
    await call("DELETE", `/v1/users/${user.id}`);
    const list = await call("GET", `/v1/organizations/${org.id}/memberships`, undefined, { schema: "OrganizationMemberships" });
    expect(list.body.total_count).toBe(0);
  });
});

describe("GET /v1/users/{id}/organization_memberships", () => {
  it("lists the user's memberships newest first with limit/offset, and 404s an unknown user", async () => {
    const user = await createUser();
    const orgs = [];
    for (let i = 0; i < 3; i += 1) {
      const org = await createOrg();
      await addMember(org.id, user.id);
      orgs.push(org);
    }
    const all = await call("GET", `/v1/users/${user.id}/organization_memberships`, undefined, { schema: "OrganizationMemberships" });
    expect(all.body.total_count).toBe(3);
    expect(new Set(all.body.data.map((m: any) => m.organization.id))).toEqual(new Set(orgs.map((o) => o.id)));
    for (const m of all.body.data) {
      expect(m.organization).not.toBeNull();
      expect(m.public_user_data.user_id).toBe(user.id);
    }
    const page = await call("GET", `/v1/users/${user.id}/organization_memberships?limit=1&offset=1`, undefined, {
      schema: "OrganizationMemberships",
    });
    expect(page.body.data).toHaveLength(1);
    expect(page.body.total_count).toBe(3);
    expectError(await call("GET", `/v1/users/${user.id}/organization_memberships?limit=0`), 422, "form_param_value_invalid", "limit");
    expectError(await call("GET", "/v1/users/user_missing/organization_memberships"), 404, "resource_not_found");
  });
});
