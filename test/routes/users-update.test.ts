/**
 * PATCH /v1/users/{id}: every update field, primary identification rules, username removal,
 * password-only flags, uniqueness, and GET/404.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { call, createUser, expectError, unique } from "../helpers";
import { newPhone, newWallet } from "../identifiers";
import { deletedUserConflict } from "../../workers/services/users";

const patch = (id: string, body: unknown) => call("PATCH", `/v1/users/${id}`, body, { schema: "User" });

afterEach(() => {
  vi.useRealTimers();
});

describe("PATCH /v1/users/{user_id}: fields", () => {
  it("updates every profile and setting field and leaves the others alone", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2025-01-01T00:00:00Z"));
    const user = await createUser({ first_name: "Old", last_name: "Name", username: unique("before"), public_metadata: { keep: 1 } });
    vi.setSystemTime(new Date("2025-01-02T00:00:00Z"));
    const externalId = unique("ext");
    const username = unique("after");
    const result = await patch(user.id, {
      external_id: externalId,
      first_name: "New",
      locale: "fr-FR",
      username,
      notify_primary_email_address_changed: true,
      delete_self_enabled: false,
      create_organization_enabled: false,
      create_organizations_limit: 7,
      legal_accepted_at: "2024-12-31T23:59:59Z",
      skip_legal_checks: true,
      created_at: "2020-01-01T00:00:00Z",
      bypass_client_trust: true,
    });
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({
      id: user.id,
      external_id: externalId,
      first_name: "New",
      last_name: "Name",
      locale: "fr-FR",
      username,
      public_metadata: { keep: 1 },
      delete_self_enabled: false,
      create_organization_enabled: false,
      create_organizations_limit: 7,
      legal_accepted_at: Date.parse("2024-12-31T23:59:59Z"),
      created_at: Date.parse("2020-01-01T00:00:00Z"),
      bypass_client_trust: true,
      updated_at: Date.parse("2025-01-02T00:00:00Z"),
    });
    const got = await call("GET", `/v1/users/${user.id}`, undefined, { schema: "User" });
    expect(got.body).toEqual(result.body);
  });

  it("clears nullable fields sent as null", async () => {
    const user = await createUser({ first_name: "A", last_name: "B", locale: "de", external_id: unique("ext"), create_organizations_limit: 2 });
    const result = await patch(user.id, {
      first_name: null,
      last_name: null,
      locale: null,
      external_id: null,
      create_organizations_limit: null,
      legal_accepted_at: null,
    });
    expect(result.body).toMatchObject({
      first_name: null,
      last_name: null,
      locale: null,
      external_id: null,
      create_organizations_limit: null,
      legal_accepted_at: null,
    });
  });

  it("removes the username when it is null or an empty string", async () => {
    for (const removal of [null, ""]) {
      const user = await createUser({ username: unique("gone"), email_address: [`${unique("gone")}@example.com`] });
      const result = await patch(user.id, { username: removal });
      expect(result.body.username).toBeNull();
      // The name is free again.
      expect((await call("POST", "/v1/users", { username: user.username }, { schema: "User" })).status).toBe(200);
    }
  });

  it("refuses to remove the username when it is the user's last identification, as the identity removal routes do", async () => {
    for (const removal of [null, ""]) {
      const user = await createUser({ username: unique("only") });
      const error = expectError(await patch(user.id, { username: removal, first_name: "Changed" }), 400, "identification_deletion_failed");
      expect(error.long_message).toBe("You cannot delete your last identification.");
      const after = (await call("GET", `/v1/users/${user.id}`, undefined, { schema: "User" })).body;
      expect([after.username, after.first_name]).toEqual([user.username, null]);
    }
    // A passkey or an external account counts as an identification too, as for the removal routes.
    const withPasskey = await createUser({ username: unique("pk") });
    const passkey = { name: "Key", credential_id: unique("cred"), public_key: "pQECAyYgASFYIA" };
    expect((await call("POST", `/v1/users/${withPasskey.id}/passkeys`, passkey)).status).toBe(200);
    expect((await patch(withPasskey.id, { username: null })).body.username).toBeNull();
    // Without a username there is nothing to remove, even for a user with no identification at all.
    const bare = await createUser({ password: "correct horse battery staple", skip_password_checks: true });
    expect((await patch(bare.id, { username: null, first_name: "Bare" })).body.first_name).toBe("Bare");
  });

  it("validates the new username, and lets a user change the case of their own", async () => {
    const user = await createUser({ username: unique("mine") });
    expectError(await patch(user.id, { username: "abc" }), 422, "form_username_invalid_length", "username");
    expectError(await patch(user.id, { username: "no spaces" }), 422, "form_username_invalid_character", "username");
    const result = await patch(user.id, { username: user.username.toUpperCase() });
    expect(result.body.username).toBe(user.username.toUpperCase());
  });

  it("answers form_identifier_exists for another user's username or external_id", async () => {
    const other = await createUser({ username: unique("Other"), external_id: unique("ext") });
    const user = await createUser({});
    expectError(await patch(user.id, { username: other.username.toLowerCase() }), 422, "form_identifier_exists", "username");
    expectError(await patch(user.id, { external_id: other.external_id }), 422, "form_identifier_exists", "external_id");
    expect((await call("GET", `/v1/users/${user.id}`)).body.username).toBeNull();
  });

  it("lets exactly one of two concurrent renames to the same username win", async () => {
    const [a, b] = [await createUser({}), await createUser({})];
    const name = unique("Contested");
    const results = await Promise.all([patch(a.id, { username: name }), patch(b.id, { username: name.toLowerCase() })]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 422]);
    expectError(results.find((r) => r.status === 422)!, 422, "form_identifier_exists", "username");
  });

  it("answers form_param_invalid_time and type errors like create", async () => {
    const user = await createUser({});
    expectError(await patch(user.id, { legal_accepted_at: "31/12/2024" }), 422, "form_param_invalid_time", "legal_accepted_at");
    expectError(await patch(user.id, { created_at: "2024-02-30T00:00:00Z" }), 422, "form_param_invalid_time", "created_at");
    expectError(await patch(user.id, { delete_self_enabled: "no" }), 422, "form_param_type_invalid", "delete_self_enabled");
  });

  it("refuses create-only parameters with form_param_unknown", async () => {
    const user = await createUser({});
    for (const param of ["email_address", "phone_number", "banned", "skip_user_requirement"]) {
      expectError(
        await patch(user.id, { [param]: param === "banned" || param === "skip_user_requirement" ? true : ["x"] }),
        422,
        "form_param_unknown",
        param,
      );
    }
  });

  it("answers 404 resource_not_found for an unknown user, even with a valid body", async () => {
    expectError(await patch("user_doesnotexist", { first_name: "X" }), 404, "resource_not_found");
  });

  it("replaces a metadata object sent on PATCH (superset of spec 2026-05-12)", async () => {
    const user = await createUser({ public_metadata: { a: { b: 1 } }, private_metadata: { keep: true } });
    const result = await patch(user.id, { public_metadata: { c: 2 } });
    expect(result.body.public_metadata).toEqual({ c: 2 });
    expect(result.body.private_metadata).toEqual({ keep: true });
    expectError(await patch(user.id, { unsafe_metadata: { x: "y".repeat(9000) } }), 422, "form_param_exceeds_allowed_size");
    expectError(await patch(user.id, { public_metadata: [1] }), 422, "form_param_value_invalid", "public_metadata");
  });

  it("counts the stored objects it was not sent toward the 8 KB limit, and then applies nothing of the request", async () => {
    const user = await createUser({ private_metadata: { stored: "p".repeat(4000) } });
    const tooMuch = { first_name: "Changed", backup_codes: ["too-big-code-1"], public_metadata: { big: "b".repeat(5000) } };
    const error = expectError(await patch(user.id, tooMuch), 422, "form_param_exceeds_allowed_size", "public_metadata");
    expect(error.long_message).toBe("Metadata (public, private and unsafe together) must not exceed 8192 bytes; got 9025.");
    const after = await call("GET", `/v1/users/${user.id}`, undefined, { schema: "User" });
    expect([after.body.first_name, after.body.backup_code_enabled, after.body.public_metadata]).toEqual([null, false, {}]);
    expect(after.body.updated_at).toBe(user.updated_at);
    // Within the limit it all applies.
    const fits = await patch(user.id, { ...tooMuch, public_metadata: { big: "b".repeat(4000) } });
    expect([fits.body.first_name, fits.body.backup_code_enabled, fits.body.public_metadata.big.length]).toEqual(["Changed", true, 4000]);
  });
});

describe("PATCH /v1/users/{user_id}: primary identifications", () => {
  async function userWithIdentifiers() {
    return createUser({
      email_address: [`${unique("p1")}@example.com`, `${unique("p2")}@example.com`, `${unique("p3")}@example.com`],
      email_address_identification_status: ["verified", "verified", "reserved"],
      phone_number: [newPhone(), newPhone(), newPhone()],
      phone_number_identification_status: ["verified", "verified", "reserved"],
      web3_wallet: [newWallet(), newWallet()],
    });
  }

  it("switches the primary email, phone and wallet to another verified one of the user's", async () => {
    const user = await userWithIdentifiers();
    const result = await patch(user.id, {
      primary_email_address_id: user.email_addresses[1].id,
      primary_phone_number_id: user.phone_numbers[1].id,
      primary_web3_wallet_id: user.web3_wallets[1].id,
    });
    expect(result.status).toBe(200);
    expect(result.body.primary_email_address_id).toBe(user.email_addresses[1].id);
    expect(result.body.primary_phone_number_id).toBe(user.phone_numbers[1].id);
    expect(result.body.primary_web3_wallet_id).toBe(user.web3_wallets[1].id);
  });

  it("answers form_verification_needed for an unverified (reserved) identification", async () => {
    const user = await userWithIdentifiers();
    const error = expectError(
      await patch(user.id, { primary_email_address_id: user.email_addresses[2].id }),
      422,
      "form_verification_needed",
      "primary_email_address_id",
    );
    expect(error.long_message).toBe("This identification needs to be verified before you can perform this action.");
    expectError(
      await patch(user.id, { primary_phone_number_id: user.phone_numbers[2].id }),
      422,
      "form_verification_needed",
      "primary_phone_number_id",
    );
    expect((await call("GET", `/v1/users/${user.id}`)).body.primary_email_address_id).toBe(user.email_addresses[0].id);
  });

  it("answers form_resource_not_found for another user's or an unknown identification", async () => {
    const user = await userWithIdentifiers();
    const other = await userWithIdentifiers();
    for (const [param, id] of [
      ["primary_email_address_id", other.email_addresses[0].id],
      ["primary_email_address_id", "idn_doesnotexist"],
      ["primary_phone_number_id", other.phone_numbers[0].id],
      // An email id is not a phone number.
      ["primary_phone_number_id", user.email_addresses[1].id],
      ["primary_web3_wallet_id", other.web3_wallets[0].id],
    ]) {
      const error = expectError(await patch(user.id, { [param]: id }), 422, "form_resource_not_found", param);
      expect(error.long_message).toBe(`The resource associated with the supplied ${param} was not found.`);
    }
  });

  it("refuses the whole update when one primary id is wrong", async () => {
    const user = await userWithIdentifiers();
    const result = await patch(user.id, { first_name: "Changed", primary_email_address_id: user.email_addresses[2].id });
    expect(result.status).toBe(422);
    expect((await call("GET", `/v1/users/${user.id}`)).body.first_name).toBeNull();
  });
});

describe("PATCH /v1/users/{user_id}: primary or image concurrent with its removal", () => {
  // Each pair races a PATCH naming a wallet (or image) against the removal of that same row.
  // Whichever commits first, the user must never end up pointing at a row that is gone.
  it("never leaves primary_web3_wallet_id naming a removed wallet", async () => {
    for (let round = 0; round < 8; round++) {
      const user = await createUser({ web3_wallet: [newWallet(), newWallet()], first_name: "Race" });
      const target = user.web3_wallets[1].id;
      const [patched, removed] = await Promise.all([
        patch(user.id, { primary_web3_wallet_id: target, first_name: "Raced" }),
        call("DELETE", `/v1/users/${user.id}/web3_wallets/${target}`),
      ]);
      expect(removed.status, JSON.stringify(removed.body)).toBe(200);
      const after = (await call("GET", `/v1/users/${user.id}`, undefined, { schema: "User" })).body;
      const walletIds = after.web3_wallets.map((w: any) => w.id);
      expect(walletIds).toEqual([user.web3_wallets[0].id]);
      expect(after.primary_web3_wallet_id, `round ${round}: PATCH answered ${patched.status}`).toBe(user.web3_wallets[0].id);
      if (patched.status === 200) {
        expect(after.first_name).toBe("Raced");
      } else {
        // Refused as a whole: the wallet was gone by the time the PATCH wrote.
        expectError(patched, 422, "form_resource_not_found", "primary_web3_wallet_id");
        expect(after.first_name).toBe("Race");
      }
    }
  });
  it("never leaves the user pointing at a profile image that a concurrent DELETE removed", async () => {
    // A JPEG signature is enough for the byte sniffer.
    const jpeg = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01]);
    for (let round = 0; round < 6; round++) {
      const user = await createUser({ first_name: "Race" });
      const form = new FormData();
      form.append("file", new File([jpeg], "blob", { type: "image/jpeg" }));
      const uploaded = await call("POST", `/v1/users/${user.id}/profile_image`, undefined, { rawBody: form, schema: "User" });
      expect(uploaded.status).toBe(200);
      const imageId = uploaded.body.image_url.split("/").pop();
      const [patched, removed] = await Promise.all([
        patch(user.id, { profile_image_id: imageId, first_name: "Raced" }),
        call("DELETE", `/v1/users/${user.id}/profile_image`),
      ]);
      expect(removed.status, JSON.stringify(removed.body)).toBe(200);
      const after = (await call("GET", `/v1/users/${user.id}`, undefined, { schema: "User" })).body;
      expect(after.has_image, `round ${round}: PATCH answered ${patched.status}`).toBe(false);
      if (patched.status !== 200) expectError(patched, 422, "form_resource_not_found", "profile_image_id");
    }
  });
});

describe("PATCH /v1/users/{user_id}: password", () => {
  it("sets a new password and updates password_last_updated_at", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2025-03-01T00:00:00Z"));
    const user = await createUser({});
    expect(user.password_enabled).toBe(false);
    vi.setSystemTime(new Date("2025-03-02T00:00:00Z"));
    const result = await patch(user.id, { password: "a brand new password", sign_out_of_other_sessions: true });
    expect(result.body.password_enabled).toBe(true);
    expect(result.body.password_last_updated_at).toBe(Date.parse("2025-03-02T00:00:00Z"));
    expect(JSON.stringify(result.body)).not.toContain("a brand new password");
  });

  it("refuses a short password unless skip_password_checks is set", async () => {
    const user = await createUser({});
    expectError(await patch(user.id, { password: "1234567" }), 422, "form_password_length_too_short", "password");
    expect((await patch(user.id, { password: "1234567", skip_password_checks: true })).body.password_enabled).toBe(true);
  });

  it("refuses skip_password_checks and sign_out_of_other_sessions without a password", async () => {
    const user = await createUser({});
    for (const param of ["skip_password_checks", "sign_out_of_other_sessions"]) {
      for (const value of [true, false]) {
        expectError(await patch(user.id, { first_name: "X", [param]: value }), 422, "form_param_value_invalid", param);
      }
    }
    expect((await call("GET", `/v1/users/${user.id}`)).body.first_name).toBeNull();
  });
});

describe("GET /v1/users/{user_id}", () => {
  it("returns the same User as create", async () => {
    const user = await createUser({ email_address: [`${unique()}@example.com`], first_name: "Same" });
    const got = await call("GET", `/v1/users/${user.id}`, undefined, { schema: "User" });
    expect(got.status).toBe(200);
    expect(got.body).toEqual(user);
  });

  it("answers 404 for ids that are not users, including SQL and wildcard look-alikes", async () => {
    for (const id of ["user_missing", "%", "user_%25", "' OR '1'='1", "idn_2abcdefghijklmnopqrstuvwxyz"]) {
      expectError(await call("GET", `/v1/users/${encodeURIComponent(id)}`), 404, "resource_not_found");
    }
  });
});

describe("PATCH /v1/users/{user_id} racing DELETE /v1/users/{user_id}", () => {
  it("maps a child-row write that lost its user to 404, not 500", () => {
    const error = new Error("D1_ERROR: FOREIGN KEY constraint failed: SQLITE_CONSTRAINT");
    expect(deletedUserConflict(error, "user_gone")?.status).toBe(404);
    expect(deletedUserConflict(error, "user_gone")?.code).toBe("resource_not_found");
    expect(deletedUserConflict(new Error("D1_ERROR: no such table"), "user_gone")).toBeUndefined();
  });

  it("answers 200 or 404 — never 500 — when backup codes are written while the user is deleted", async () => {
    for (let round = 0; round < 4; round++) {
      const user = await createUser({ email_address: [`${unique("race")}@example.com`] });
      const [patched, deleted] = await Promise.all([
        call("PATCH", `/v1/users/${user.id}`, { backup_codes: ["race-code-1", "race-code-2"] }),
        call("DELETE", `/v1/users/${user.id}`),
      ]);
      expect([200, 404]).toContain(patched.status);
      expect(deleted.status).toBe(200);
      expect((await call("GET", `/v1/users/${user.id}`)).status).toBe(404);
    }
  });
});

describe("identifier checks when a field is not sent", () => {
  it("does not mistake an absent external_id for a stored NUL external_id", async () => {
    // The check for a taken external_id once looked an absent one up as "\u0000".
    const holder = await createUser({ external_id: "\u0000" });
    expect(holder.external_id).toBe("\u0000");
    const other = await createUser({ first_name: "Other" });
    const result = await patch(other.id, { first_name: "Renamed" });
    expect(result.status, JSON.stringify(result.body)).toBe(200);
    expect(result.body.external_id).toBeNull();
    expect((await call("POST", "/v1/users", { first_name: "Third" })).status).toBe(200);
    expectError(await call("POST", "/v1/users", { external_id: "\u0000" }), 422, "form_identifier_exists", "external_id");
  });
});
