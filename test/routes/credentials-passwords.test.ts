import bcrypt from "bcryptjs";
import { describe, expect, it } from "vitest";
import { isPwnedPassword } from "../../workers/crypto/pwned-passwords";
import { PWNED_PASSWORD_COUNT } from "../../workers/crypto/pwned-passwords-data";
import { call, createUser, expectError } from "../helpers";

describe("plain password rules at create and update", () => {
  it("needs at least 8 characters, counting characters rather than bytes", async () => {
    expectError(await call("POST", "/v1/users", { password: "short12" }), 422, "form_password_length_too_short", "password");
    const user = await createUser({ password: "ééééééé✓" });
    expect(user.password_enabled).toBe(true);
  });

  it("refuses more than 72 UTF-8 bytes (bcrypt would ignore the rest)", async () => {
    await createUser({ password: "a".repeat(72) });
    const error = expectError(await call("POST", "/v1/users", { password: "a".repeat(73) }), 422, "form_password_size_in_bytes_exceeded", "password");
    expect(error.message).toBe("Your password is too long. Please use a shorter one.");
    // 25 characters, 75 bytes.
    expectError(await call("POST", "/v1/users", { password: "✓".repeat(25) }), 422, "form_password_size_in_bytes_exceeded");
  });

  it("refuses common breached passwords, exactly matched", async () => {
    for (const pwned of ["password", "12345678", "iloveyou", "trustno1", "password1"]) {
      expectError(await call("POST", "/v1/users", { password: pwned }), 422, "form_password_pwned", "password");
    }
    const user = await createUser({});
    expectError(await call("PATCH", `/v1/users/${user.id}`, { password: "qwertyuiop" }), 422, "form_password_pwned");
    await createUser({ password: "Password-is-not-on-the-list" });
  });

  it("skip_password_checks skips the length minimum and the breached list", async () => {
    for (const password of ["short", "password", "x", "x".repeat(72)]) {
      const user = await createUser({ password, skip_password_checks: true });
      expect((await call("POST", `/v1/users/${user.id}/verify_password`, { password })).status).toBe(200);
    }
  });

  it("refuses an empty or over-72-byte password whatever skip_password_checks says, at create and update", async () => {
    const user = await createUser({ password: "the first password" });
    for (const skip of [true, false, undefined]) {
      const empty = expectError(
        await call("POST", "/v1/users", { password: "", skip_password_checks: skip }),
        422,
        "form_password_length_too_short",
        "password",
      );
      expect(empty.message).toBe(skip ? "Passwords must be 1 character or more." : "Passwords must be 8 characters or more.");
      expectError(
        await call("PATCH", `/v1/users/${user.id}`, { password: "", skip_password_checks: skip }),
        422,
        "form_password_length_too_short",
        "password",
      );
      // 92 bytes: bcrypt would keep the first 72 and ignore the rest.
      const long = "p".repeat(72) + "q".repeat(20);
      expectError(
        await call("POST", "/v1/users", { password: long, skip_password_checks: skip }),
        422,
        "form_password_size_in_bytes_exceeded",
        "password",
      );
      expectError(
        await call("PATCH", `/v1/users/${user.id}`, { password: long, skip_password_checks: skip }),
        422,
        "form_password_size_in_bytes_exceeded",
        "password",
      );
    }
    // Nothing was stored: the first password still verifies, "" does not.
    expect((await call("POST", `/v1/users/${user.id}/verify_password`, { password: "the first password" })).status).toBe(200);
    expectError(await call("POST", `/v1/users/${user.id}/verify_password`, { password: "" }), 422, "incorrect_password");
  });

  it("stores new passwords as bcrypt and sets password_last_updated_at", async () => {
    const user = await createUser({ password: "a brand new password" });
    expect(user.password_enabled).toBe(true);
    expect(user.password_last_updated_at).toBeGreaterThan(0);
    const updated = await call("PATCH", `/v1/users/${user.id}`, { password: "another new password" }, { schema: "User" });
    expect(updated.body.password_last_updated_at).toBeGreaterThanOrEqual(user.password_last_updated_at);
    expectError(await call("POST", `/v1/users/${user.id}/verify_password`, { password: "a brand new password" }), 422, "incorrect_password");
    expect((await call("POST", `/v1/users/${user.id}/verify_password`, { password: "another new password" })).status).toBe(200);
  });

  it("bundles the list compactly", () => {
    expect(PWNED_PASSWORD_COUNT).toBeGreaterThan(3000);
    expect(isPwnedPassword("baseball")).toBe(true);
    expect(isPwnedPassword("Baseball")).toBe(false);
    expect(isPwnedPassword("")).toBe(false);
  });
});

describe("POST /v1/users/:id/verify_password", () => {
  it("answers {verified:true} for the right password, including Unicode, quotes and SQL metacharacters", async () => {
    const password = `pässwörd ✓ "quoted" '; drop table users; --`;
    const user = await createUser({ password });
    const result = await call("POST", `/v1/users/${user.id}/verify_password`, { password });
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ verified: true });
  });

  it("answers 422 incorrect_password for a wrong one, without echoing it", async () => {
    const user = await createUser({ password: "the right password" });
    const result = await call("POST", `/v1/users/${user.id}/verify_password`, { password: "the wrong password" });
    const error = expectError(result, 422, "incorrect_password");
    expect(error.long_message).toBe("The provided password is not the one the user has set");
    expect(JSON.stringify(result.body)).not.toContain("the wrong password");
    // Unicode normalisation is not applied: a different byte sequence is a different password.
    const nfc = await createUser({ password: "caf\u00e9 au lait!" });
    expectError(await call("POST", `/v1/users/${nfc.id}/verify_password`, { password: "cafe\u0301 au lait!" }), 422, "incorrect_password");
  });

  it("never verifies a candidate over 72 bytes against bcrypt, even when its first 72 bytes are the password", async () => {
    const password = "a".repeat(60) + "é".repeat(6); // exactly 72 bytes
    const user = await createUser({ password, skip_password_checks: true });
    expect((await call("POST", `/v1/users/${user.id}/verify_password`, { password })).status).toBe(200);
    for (const extra of ["b", "b".repeat(20)]) {
      expectError(await call("POST", `/v1/users/${user.id}/verify_password`, { password: password + extra }), 422, "incorrect_password");
    }
    // The same for an imported bcrypt digest and for Devise's peppered variant (whose pepper may
    // push bcrypt's input past 72 bytes, as it did when Devise made the digest).
    const imported = await createUser({ password_digest: bcrypt.hashSync(password, 4), password_hasher: "bcrypt" });
    expect((await call("POST", `/v1/users/${imported.id}/verify_password`, { password })).status).toBe(200);
    expectError(await call("POST", `/v1/users/${imported.id}/verify_password`, { password: `${password}!` }), 422, "incorrect_password");
    const pepper = "f".repeat(128);
    const peppered = await createUser({ password_digest: `${bcrypt.hashSync(password + pepper, 4)}$${pepper}`, password_hasher: "bcrypt_peppered" });
    expect((await call("POST", `/v1/users/${peppered.id}/verify_password`, { password })).status).toBe(200);
    expectError(await call("POST", `/v1/users/${peppered.id}/verify_password`, { password: `${password}!` }), 422, "incorrect_password");
    const shortPeppered = await createUser({
      password_digest: `${bcrypt.hashSync(`short one${pepper}`, 4)}$${pepper}`,
      password_hasher: "bcrypt_peppered",
    });
    expect((await call("POST", `/v1/users/${shortPeppered.id}/verify_password`, { password: "short one" })).status).toBe(200);
  });

  it("answers 400 no_password_set for a user without a password", async () => {
    const user = await createUser({});
    const error = expectError(await call("POST", `/v1/users/${user.id}/verify_password`, { password: "anything at all" }), 400, "no_password_set");
    expect(error.message).toBe("no password set");
  });

  it("answers 404 for an unknown user", async () => {
    expectError(await call("POST", "/v1/users/user_doesnotexist/verify_password", { password: "anything at all" }), 404, "resource_not_found");
  });

  it("validates the body", async () => {
    const user = await createUser({ password: "the right password" });
    expectError(await call("POST", `/v1/users/${user.id}/verify_password`, {}), 422, "form_param_missing", "password");
    expectError(await call("POST", `/v1/users/${user.id}/verify_password`, { password: 12345678 }), 422, "form_param_type_invalid", "password");
    expectError(await call("POST", `/v1/users/${user.id}/verify_password`, { password: "x", extra: 1 }), 422, "form_param_unknown", "extra");
    expectError(await call("POST", `/v1/users/${user.id}/verify_password`, undefined, { rawBody: "{not json" }), 400, "request_body_invalid");
  });
});
