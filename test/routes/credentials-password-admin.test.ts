/**
 * The password's admin operations: POST remove_password, password/set_compromised and
 * password/unset_compromised (spec RemoveUserPassword, SetUserPasswordCompromised,
 * UnsetUserPasswordCompromised).
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { call, createUser, expectError } from "../helpers";

const PASSWORD = "correct horse battery staple";

/** The stored password columns, read directly: the User JSON does not carry the compromised mark. */
async function passwordRow(userId: string) {
  return (await env.DB.prepare(
    "SELECT password_digest, password_hasher, password_last_updated_at, password_compromised_at, updated_at FROM users WHERE id = ?",
  )
    .bind(userId)
    .first<Record<string, unknown>>())!;
}

describe("POST /v1/users/:id/remove_password", () => {
  it("removes the password: the user can no longer verify one, and can be given a new one", async () => {
    const user = await createUser({ email_address: ["remove.me@example.com"], password: PASSWORD });
    const result = await call("POST", `/v1/users/${user.id}/remove_password`, {}, { schema: "User" });
    expect(result.status).toBe(200);
    expect(result.body.id).toBe(user.id);
    expect(result.body.password_enabled).toBe(false);
    expect(result.body.password_last_updated_at).toBeNull();
    expect(result.body.updated_at).toBeGreaterThanOrEqual(user.updated_at);
    expect(await passwordRow(user.id)).toMatchObject({ password_digest: null, password_hasher: null, password_compromised_at: null });
    expectError(await call("POST", `/v1/users/${user.id}/verify_password`, { password: PASSWORD }), 400, "no_password_set");
    // Everything else about the user is as it was.
    const { password_enabled, password_last_updated_at, updated_at, ...rest } = result.body;
    const { password_enabled: _e, password_last_updated_at: _l, updated_at: _u, ...before } = user;
    expect(rest).toEqual(before);

    await call("PATCH", `/v1/users/${user.id}`, { password: "another long passphrase" });
    expect((await call("POST", `/v1/users/${user.id}/verify_password`, { password: "another long passphrase" })).status).toBe(200);
  });

  it("returns a user without a password unchanged, and accepts sign_out_of_other_sessions or no body", async () => {
    const user = await createUser({ username: "nopassword_user" });
    const before = await passwordRow(user.id);
    for (const body of [undefined, {}, { sign_out_of_other_sessions: true }]) {
      const result = await call("POST", `/v1/users/${user.id}/remove_password`, body, { schema: "User" });
      expect(result.status).toBe(200);
      expect(result.body).toEqual(user);
    }
    expect(await passwordRow(user.id)).toEqual(before);
  });

  it("answers 404 for an unknown user and 422 for an unknown or mistyped parameter, changing nothing", async () => {
    expectError(await call("POST", "/v1/users/user_missing/remove_password", {}), 404, "resource_not_found");
    const user = await createUser({ password: PASSWORD });
    const before = await passwordRow(user.id);
    expectError(await call("POST", `/v1/users/${user.id}/remove_password`, { password: PASSWORD }), 422, "form_param_unknown", "password");
    expectError(
      await call("POST", `/v1/users/${user.id}/remove_password`, { sign_out_of_other_sessions: "yes" }),
      422,
      "form_param_type_invalid",
      "sign_out_of_other_sessions",
    );
    expect(await passwordRow(user.id)).toEqual(before);
  });

  it("never echoes the digest", async () => {
    const user = await createUser({ password: PASSWORD });
    const { password_digest } = await passwordRow(user.id);
    const result = await call("POST", `/v1/users/${user.id}/remove_password`, {});
    expect(JSON.stringify(result.body)).not.toContain(String(password_digest));
  });
});

describe("POST /v1/users/:id/password/set_compromised and unset_compromised", () => {
  it("marks the password compromised and clears the mark, returning the user each time", async () => {
    const user = await createUser({ password: PASSWORD });
    const set = await call("POST", `/v1/users/${user.id}/password/set_compromised`, { revoke_all_sessions: true }, { schema: "User" });
    expect(set.status).toBe(200);
    expect(set.body.password_enabled).toBe(true);
    const marked = await passwordRow(user.id);
    expect(marked.password_compromised_at).toBe(set.body.updated_at);
    // The password itself still verifies: the mark is for the sign-in flow.
    expect((await call("POST", `/v1/users/${user.id}/verify_password`, { password: PASSWORD })).status).toBe(200);

    const unset = await call("POST", `/v1/users/${user.id}/password/unset_compromised`, undefined, { schema: "User" });
    expect(unset.status).toBe(200);
    expect((await passwordRow(user.id)).password_compromised_at).toBeNull();
    expect((await passwordRow(user.id)).password_digest).toBe(marked.password_digest);
  });

  it("clears the mark when the password is replaced or removed", async () => {
    const replaced = await createUser({ password: PASSWORD });
    await call("POST", `/v1/users/${replaced.id}/password/set_compromised`, {});
    expect((await passwordRow(replaced.id)).password_compromised_at).not.toBeNull();
    expect((await call("PATCH", `/v1/users/${replaced.id}`, { password: "a fresh long passphrase" })).status).toBe(200);
    expect((await passwordRow(replaced.id)).password_compromised_at).toBeNull();

    const imported = await createUser({ password: PASSWORD });
    await call("POST", `/v1/users/${imported.id}/password/set_compromised`, {});
    const digest = "$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy";
    expect((await call("PATCH", `/v1/users/${imported.id}`, { password_digest: digest, password_hasher: "bcrypt" })).status).toBe(200);
    expect((await passwordRow(imported.id)).password_compromised_at).toBeNull();

    const removed = await createUser({ password: PASSWORD });
    await call("POST", `/v1/users/${removed.id}/password/set_compromised`, {});
    await call("POST", `/v1/users/${removed.id}/remove_password`, {});
    expect((await passwordRow(removed.id)).password_compromised_at).toBeNull();
  });

  it("answers 400 no_password_set for a user without a password, 404 for an unknown user", async () => {
    const user = await createUser({});
    const before = await passwordRow(user.id);
    for (const op of ["set_compromised", "unset_compromised"]) {
      expectError(await call("POST", `/v1/users/${user.id}/password/${op}`, {}), 400, "no_password_set");
      expectError(await call("POST", `/v1/users/user_missing/password/${op}`, {}), 404, "resource_not_found");
    }
    expect(await passwordRow(user.id)).toEqual(before);
  });

  it("refuses unknown parameters with 422 form_param_unknown", async () => {
    const user = await createUser({ password: PASSWORD });
    expectError(await call("POST", `/v1/users/${user.id}/password/set_compromised`, { revoke: true }), 422, "form_param_unknown", "revoke");
    expectError(
      await call("POST", `/v1/users/${user.id}/password/unset_compromised`, { revoke_all_sessions: true }),
      422,
      "form_param_unknown",
      "revoke_all_sessions",
    );
    expect((await passwordRow(user.id)).password_compromised_at).toBeNull();
  });

  it("does not resurrect a mark on a password removed at the same time", async () => {
    const user = await createUser({ password: PASSWORD });
    const results = await Promise.all([
      call("POST", `/v1/users/${user.id}/remove_password`, {}),
      call("POST", `/v1/users/${user.id}/password/set_compromised`, {}),
    ]);
    expect(results[0].status).toBe(200);
    expect([200, 400]).toContain(results[1].status);
    const row = await passwordRow(user.id);
    expect(row.password_digest).toBeNull();
    expect(row.password_compromised_at).toBeNull();
  });
});
