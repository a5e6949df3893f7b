/**
 * Writes racing the deletion of what they write to (docs/wire-contract.md, Where we differ: the
 * answers chosen for concurrent deletes). Each race runs TRIALS
 * independent trials, ROUND of them at once: every trial has its own objects and sends its two
 * requests together. Every answer must be a success or the Clerk error of the object that went
 * missing (the error a request arriving after the delete gets) — never a 500 — and the stored
 * state must be what the answers say.
 *
 * Fixture users are seeded straight into D1 (fast); every other write goes through the API.
 */
import { env } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { call as callThroughSelf, expectError, unique, type ApiResult, type CallOptions } from "../helpers";
import { seedUsers } from "../perf-helpers";

/** Enough to catch a 1-in-20 loss: (19/20)^60 < 5 %. */
const TRIALS = 60;
const ROUND = 30;
/** Head starts of 0..MAX_HEAD_START D1 round trips cover every point where these requests can meet. */
const MAX_HEAD_START = 5;
vi.setConfig({ testTimeout: 60_000 });

/**
 * `call`, dispatched to the Worker's fetch directly (the helper's `vars` path, with no extra
 * vars) rather than through SELF: in this pool every SELF.fetch of a test file is slower than
 * the one before (measured: the 400th takes over 20× the first), and a race here makes hundreds.
 * The requests still run concurrently in the one isolate, interleaving at every D1 call.
 */
const call = (method: string, path: string, body?: unknown, options: CallOptions = {}) =>
  callThroughSelf(method, path, body, { ...options, vars: {} });

interface Trial<S> {
  setup: S;
  a: ApiResult;
  b: ApiResult;
}

/** Resolves after `turns` D1 round trips: a head start measured in the unit the races are decided in. */
async function d1Turns(turns: number): Promise<void> {
  for (let i = 0; i < turns; i++) await env.DB.prepare("select 1").first();
}

/**
 * Sends each setup's pair of requests together, ROUND setups at a time. Requests in one isolate
 * would otherwise interleave the same way every time, so the trials vary it: each gives one
 * request of its pair a head start of 0..MAX_HEAD_START D1 round trips, the first and the second in turn.
 */
async function race<S>(setups: S[], requests: (s: S) => [() => Promise<ApiResult>, () => Promise<ApiResult>]): Promise<Trial<S>[]> {
  const trials: Trial<S>[] = [];
  for (let i = 0; i < setups.length; i += ROUND) {
    const round = setups.slice(i, i + ROUND).map(async (setup, j) => {
      const [sendA, sendB] = requests(setup);
      const lead = Math.floor((i + j) / 2) % (MAX_HEAD_START + 1);
      const [aLag, bLag] = (i + j) % 2 === 0 ? [0, lead] : [lead, 0];
      const [a, b] = await Promise.all([d1Turns(aLag).then(sendA), d1Turns(bLag).then(sendB)]);
      return { setup, a, b };
    });
    trials.push(...(await Promise.all(round)));
  }
  return trials;
}

/** A 200, or the given Clerk error; a 500 (or anything else) fails with the body in the message. */
function expectOkOr(result: ApiResult, status: number, code: string, paramName?: string): void {
  expect([200, status], JSON.stringify(result.body)).toContain(result.status);
  if (result.status !== 200) expectError(result, status, code, paramName);
}

const ok = (result: ApiResult) => expect(result.status, JSON.stringify(result.body)).toBe(200);

/** The race was really run both ways: some trials saw `firstWon`, some did not. */
function expectBothOrders<S>(trials: Trial<S>[], firstWon: (trial: Trial<S>) => boolean): void {
  const wins = trials.filter(firstWon).length;
  expect(wins, "trials won by the first request").toBeGreaterThan(0);
  expect(wins, "trials won by the first request").toBeLessThan(trials.length);
}

/** Rows of `table` whose `column` is one of `values`. */
async function countIn(table: string, column: string, values: string[]): Promise<number> {
  const row = await env.DB.prepare(`select count(*) as n from ${table} where ${column} in (select value from json_each(?))`)
    .bind(JSON.stringify(values))
    .first<{ n: number }>();
  return Number(row?.n);
}

let seeded = 0;
/** TRIALS fresh users, each with a verified email address; returns their ids and addresses. */
async function newUsers(): Promise<{ id: string; email: string }[]> {
  const ids = await seedUsers(TRIALS, { startIndex: 1_000_000 + seeded, organizations: 0 });
  seeded += TRIALS;
  const { results } = await env.DB.prepare(
    "select u.id, e.email_address as email from users u join email_addresses e on e.id = u.primary_email_address_id where u.id in (select value from json_each(?))",
  )
    .bind(JSON.stringify(ids))
    .all<{ id: string; email: string }>();
  return ids.map((id) => results.find((r) => r.id === id)!);
}

async function createOrg(body: Record<string, unknown> = {}): Promise<any> {
  const result = await call("POST", "/v1/organizations", { name: `Org ${unique()}`, ...body }, { schema: "Organization" });
  ok(result);
  return result.body;
}

/** TRIALS organizations, each with its own member (its creator, an org:admin). */
async function orgsWithMember() {
  const users = await newUsers();
  return Promise.all(users.map(async (user) => ({ user, org: await createOrg({ created_by: user.id }) })));
}

/** TRIALS organizations, and TRIALS users not in any. */
async function orgsAndUsers() {
  const users = await newUsers();
  return Promise.all(users.map(async (user) => ({ user, org: await createOrg() })));
}

/** TRIALS organizations, each with a pending invitation to the primary address of a user of its own. */
async function orgsWithInvitation() {
  const users = await newUsers();
  return Promise.all(
    users.map(async (user) => {
      const org = await createOrg();
      const invitation = await call("POST", `/v1/organizations/${org.id}/invitations`, { email_address: user.email, role: "org:member" });
      ok(invitation);
      return { user, org, invitation: invitation.body };
    }),
  );
}

const membershipPath = (s: { org: { id: string }; user: { id: string } }) => `/v1/organizations/${s.org.id}/memberships/${s.user.id}`;
const deleteUser = (id: string) => call("DELETE", `/v1/users/${id}`, undefined, { schema: "DeletedObject" });
const deleteOrg = (idOrSlug: string) => call("DELETE", `/v1/organizations/${idOrSlug}`, undefined, { schema: "DeletedObject" });
const userIds = (trials: Trial<{ user: { id: string } }>[]) => trials.map((t) => t.setup.user.id);
const orgIds = (trials: Trial<{ org: { id: string } }>[]) => trials.map((t) => t.setup.org.id);

describe("memberships racing their removal", () => {
  it("PATCH role racing DELETE of the membership answers 200 or 404, and the membership is gone", async () => {
    const trials = await race(await orgsWithMember(), (s) => [
      () => call("PATCH", membershipPath(s), { role: "org:member" }, { schema: "OrganizationMembership" }),
      () => call("DELETE", membershipPath(s), undefined, { schema: "OrganizationMembership" }),
    ]);
    for (const { a, b } of trials) {
      expectOkOr(a, 404, "resource_not_found");
      if (a.status === 200) expect(a.body.role).toBe("org:member");
      ok(b);
    }
    expect(await countIn("organization_memberships", "user_id", userIds(trials))).toBe(0);
    expectBothOrders(trials, (t) => t.a.status === 200);
  });

  it("PATCH metadata racing DELETE of the membership answers 200 or 404", async () => {
    const trials = await race(await orgsWithMember(), (s) => [
      () => call("PATCH", `${membershipPath(s)}/metadata`, { public_metadata: { raced: true } }, { schema: "OrganizationMembership" }),
      () => call("DELETE", membershipPath(s), undefined, { schema: "OrganizationMembership" }),
    ]);
    for (const { a, b } of trials) {
      expectOkOr(a, 404, "resource_not_found");
      if (a.status === 200) expect(a.body.public_metadata).toEqual({ raced: true });
      ok(b);
    }
    expect(await countIn("organization_memberships", "user_id", userIds(trials))).toBe(0);
    expectBothOrders(trials, (t) => t.a.status === 200);
  });

  it("two DELETEs of one membership: exactly one answers 200, the other 404", async () => {
    const trials = await race(await orgsWithMember(), (s) => [() => call("DELETE", membershipPath(s)), () => call("DELETE", membershipPath(s))]);
    for (const { a, b } of trials) {
      const [won, lost] = a.status === 200 ? [a, b] : [b, a];
      ok(won);
      expectError(lost, 404, "resource_not_found");
    }
    expect(await countIn("organization_memberships", "user_id", userIds(trials))).toBe(0);
    expectBothOrders(trials, (t) => t.a.status === 200);
  });

  it("adding a member racing the user's deletion answers 200 or 422 form_resource_not_found (user_id), and counts stay right", async () => {
    const trials = await race(await orgsAndUsers(), (s) => [
      () =>
        call("POST", `/v1/organizations/${s.org.id}/memberships`, { user_id: s.user.id, role: "org:member" }, { schema: "OrganizationMembership" }),
      () => deleteUser(s.user.id),
    ]);
    for (const { setup, a, b } of trials) {
      // As when the user was deleted first: the user named in the body does not exist.
      expectOkOr(a, 422, "form_resource_not_found", "user_id");
      if (a.status === 200) expect(a.body.public_user_data.user_id).toBe(setup.user.id);
      ok(b);
    }
    expect(await countIn("organization_memberships", "organization_id", orgIds(trials))).toBe(0);
    const query = orgIds(trials)
      .map((id) => `organization_id=${id}`)
      .join("&");
    const listed = await call("GET", `/v1/organizations?limit=100&include_members_count=true&${query}`, undefined, { schema: "Organizations" });
    expect(listed.body.data.map((o: any) => o.members_count)).toEqual(orgIds(trials).map(() => 0));
    expectBothOrders(trials, (t) => t.a.status === 200);
  });

  it("adding a member racing the organization's deletion answers 200 or 404, and no membership is left", async () => {
    const trials = await race(await orgsAndUsers(), (s) => [
      () =>
        call("POST", `/v1/organizations/${s.org.id}/memberships`, { user_id: s.user.id, role: "org:member" }, { schema: "OrganizationMembership" }),
      () => deleteOrg(s.org.id),
    ]);
    for (const { a, b } of trials) {
      expectOkOr(a, 404, "resource_not_found");
      ok(b);
    }
    expect(await countIn("organization_memberships", "user_id", userIds(trials))).toBe(0);
    expectBothOrders(trials, (t) => t.a.status === 200);
  });
});

describe("invitations racing their organization's or invitee's removal", () => {
  it("creating an invitation racing the organization's deletion answers 200 or 404", async () => {
    const trials = await race(await orgsAndUsers(), (s) => [
      () =>
        call(
          "POST",
          `/v1/organizations/${s.org.id}/invitations`,
          { email_address: s.user.email, role: "org:member" },
          { schema: "OrganizationInvitation" },
        ),
      () => deleteOrg(s.org.id),
    ]);
    for (const { a, b } of trials) {
      expectOkOr(a, 404, "resource_not_found");
      ok(b);
    }
    expect(await countIn("organization_invitations", "organization_id", orgIds(trials))).toBe(0);
    expectBothOrders(trials, (t) => t.a.status === 200);
  });

  it("revoking racing the organization's deletion answers 200 or 404", async () => {
    const trials = await race(await orgsWithInvitation(), (s) => [
      () => call("POST", `/v1/organizations/${s.org.id}/invitations/${s.invitation.id}/revoke`, {}, { schema: "OrganizationInvitation" }),
      () => deleteOrg(s.org.id),
    ]);
    for (const { a, b } of trials) {
      expectOkOr(a, 404, "resource_not_found");
      if (a.status === 200) expect(a.body.status).toBe("revoked");
      ok(b);
    }
    expect(await countIn("organization_invitations", "organization_id", orgIds(trials))).toBe(0);
    expectBothOrders(trials, (t) => t.a.status === 200);
  });

  it("accepting racing the invitee's deletion answers 200 or 404, and the invitation says accepted exactly when it was", async () => {
    const trials = await race(await orgsWithInvitation(), (s) => [
      () =>
        call(
          "POST",
          `/v1/organizations/${s.org.id}/invitations/${s.invitation.id}/accept`,
          { user_id: s.user.id },
          { schema: "OrganizationInvitation" },
        ),
      () => deleteUser(s.user.id),
    ]);
    const { results: statuses } = await env.DB.prepare(
      "select id, status from organization_invitations where organization_id in (select value from json_each(?))",
    )
      .bind(JSON.stringify(orgIds(trials)))
      .all<{ id: string; status: string }>();
    for (const { setup, a, b } of trials) {
      expectOkOr(a, 404, "resource_not_found");
      if (a.status === 200) expect(a.body.status).toBe("accepted");
      ok(b);
      expect(statuses.find((row) => row.id === setup.invitation.id)?.status).toBe(a.status === 200 ? "accepted" : "pending");
    }
    expect(await countIn("organization_memberships", "user_id", userIds(trials))).toBe(0);
    expectBothOrders(trials, (t) => t.a.status === 200);
  });

  it("accepting racing the organization's deletion answers 200 or 404", async () => {
    const trials = await race(await orgsWithInvitation(), (s) => [
      () =>
        call(
          "POST",
          `/v1/organizations/${s.org.id}/invitations/${s.invitation.id}/accept`,
          { user_id: s.user.id },
          { schema: "OrganizationInvitation" },
        ),
      () => deleteOrg(s.org.id),
    ]);
    for (const { a, b } of trials) {
      expectOkOr(a, 404, "resource_not_found");
      if (a.status === 200) expect(a.body.status).toBe("accepted");
      ok(b);
    }
    expect(await countIn("organization_memberships", "user_id", userIds(trials))).toBe(0);
    expectBothOrders(trials, (t) => t.a.status === 200);
  });
});

describe("organizations racing their creator's or their own removal", () => {
  it("creating with created_by racing the creator's deletion answers 200 or 400 organization_creator_not_found, all or nothing", async () => {
    const setups = (await newUsers()).map((user) => ({ user, slug: unique("created").toLowerCase() }));
    const trials = await race(setups, (s) => [
      () => call("POST", "/v1/organizations", { name: "Raced", slug: s.slug, created_by: s.user.id }, { schema: "Organization" }),
      () => deleteUser(s.user.id),
    ]);
    const { results: created } = await env.DB.prepare("select slug from organizations where slug in (select value from json_each(?))")
      .bind(JSON.stringify(setups.map((s) => s.slug)))
      .all<{ slug: string }>();
    for (const { setup, a, b } of trials) {
      // As when the user was deleted first: the creator named in the body does not exist.
      expectOkOr(a, 400, "organization_creator_not_found", "created_by");
      ok(b);
      expect(created.some((row) => row.slug === setup.slug)).toBe(a.status === 200);
    }
    expect(await countIn("organization_memberships", "user_id", userIds(trials))).toBe(0);
    expectBothOrders(trials, (t) => t.a.status === 200);
  });

  it("creating racing a DELETE of the same slug answers 200, and the organization exists exactly when the DELETE missed it", async () => {
    const setups = Array.from({ length: TRIALS }, () => ({ slug: unique("gone").toLowerCase() }));
    const trials = await race(setups, (s) => [
      () => call("POST", "/v1/organizations", { name: "Raced", slug: s.slug }, { schema: "Organization" }),
      () => deleteOrg(s.slug),
    ]);
    const { results: remaining } = await env.DB.prepare("select slug from organizations where slug in (select value from json_each(?))")
      .bind(JSON.stringify(setups.map((s) => s.slug)))
      .all<{ slug: string }>();
    for (const { setup, a, b } of trials) {
      ok(a);
      expect(a.body.slug).toBe(setup.slug);
      expectOkOr(b, 404, "resource_not_found");
      expect(remaining.some((row) => row.slug === setup.slug)).toBe(b.status !== 200);
    }
    expectBothOrders(trials, (t) => t.b.status === 200);
  });
});

describe("identities and images racing the user's deletion", () => {
  it("adding an external account answers 200 or 404, and leaves no row", async () => {
    const trials = await race(await newUsers(), (user) => [
      () =>
        call(
          "POST",
          `/v1/users/${user.id}/external_accounts`,
          { provider: "google", provider_user_id: unique("gid"), access_token: "ya29.raced" },
          { schema: "ExternalAccountWithVerification" },
        ),
      () => deleteUser(user.id),
    ]);
    for (const { a, b } of trials) {
      expectOkOr(a, 404, "resource_not_found");
      ok(b);
    }
    expect(
      await countIn(
        "external_accounts",
        "user_id",
        trials.map((t) => t.setup.id),
      ),
    ).toBe(0);
    expectBothOrders(trials, (t) => t.a.status === 200);
  });

  it("adding a passkey answers 200 or 404, and leaves no row", async () => {
    const trials = await race(await newUsers(), (user) => [
      () =>
        call(
          "POST",
          `/v1/users/${user.id}/passkeys`,
          { name: "Key", credential_id: unique("cred"), public_key: "pQECAyYgASFYIA" },
          { schema: "Passkey" },
        ),
      () => deleteUser(user.id),
    ]);
    for (const { a, b } of trials) {
      expectOkOr(a, 404, "resource_not_found");
      ok(b);
    }
    expect(
      await countIn(
        "passkeys",
        "user_id",
        trials.map((t) => t.setup.id),
      ),
    ).toBe(0);
    expectBothOrders(trials, (t) => t.a.status === 200);
  });

  it("removing the profile image answers 200 or 404, and leaves no image row or object", async () => {
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);
    const setups = await Promise.all(
      (await newUsers()).map(async (user) => {
        const form = new FormData();
        form.append("file", new File([png], "a.png", { type: "image/png" }));
        const uploaded = await call("POST", `/v1/users/${user.id}/profile_image`, undefined, { rawBody: form, schema: "User" });
        ok(uploaded);
        return { user, imageId: String(uploaded.body.image_url).split("/").pop()! };
      }),
    );
    const trials = await race(setups, (s) => [
      () => call("DELETE", `/v1/users/${s.user.id}/profile_image`, undefined, { schema: "User" }),
      () => deleteUser(s.user.id),
    ]);
    for (const { setup, a, b } of trials) {
      expectOkOr(a, 404, "resource_not_found");
      if (a.status === 200) expect(a.body.has_image).toBe(false);
      ok(b);
      expect(await env.IMAGES.head(setup.imageId)).toBeNull();
    }
    expect(await countIn("images", "user_id", userIds(trials))).toBe(0);
    expectBothOrders(trials, (t) => t.a.status === 200);
  });
});

describe("removals of a user's last two identifications", () => {
  it("PATCH username: null racing DELETE of the only passkey: exactly one succeeds, the other answers 400 identification_deletion_failed", async () => {
    const setups = await Promise.all(
      Array.from({ length: TRIALS }, async () => {
        const user = await call("POST", "/v1/users", { username: unique("last") }, { schema: "User" });
        ok(user);
        const passkey = await call("POST", `/v1/users/${user.body.id}/passkeys`, {
          name: "Key",
          credential_id: unique("cred"),
          public_key: "pQECAyYgASFYIA",
        });
        ok(passkey);
        return { user: user.body, passkey: passkey.body };
      }),
    );
    const trials = await race(setups, (s) => [
      () => call("PATCH", `/v1/users/${s.user.id}`, { username: null }, { schema: "User" }),
      () => call("DELETE", `/v1/users/${s.user.id}/passkeys/${s.passkey.id}`, undefined, { schema: "DeletedObject" }),
    ]);
    const { results: left } = await env.DB.prepare(
      "select u.id, u.username, (select count(*) from passkeys p where p.user_id = u.id) as passkeys from users u where u.id in (select value from json_each(?))",
    )
      .bind(JSON.stringify(userIds(trials)))
      .all<{ id: string; username: string | null; passkeys: number }>();
    for (const { setup, a, b } of trials) {
      const [won, lost] = a.status === 200 ? [a, b] : [b, a];
      ok(won);
      expectError(lost, 400, "identification_deletion_failed");
      // The loser changed nothing: the user keeps exactly the identification the loser tried to remove.
      const row = left.find((r) => r.id === setup.user.id)!;
      expect([row.username, row.passkeys]).toEqual(a.status === 200 ? [null, 1] : [setup.user.username, 0]);
    }
    expectBothOrders(trials, (t) => t.a.status === 200);
  });
});
