import { isClerkAPIResponseError } from "@clerk/backend/errors";
import { describe, expect, it } from "vitest";
import { decodeBase32Secret, totpAt } from "../../workers/crypto/totp";
import { clerk } from "./client";

const SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

async function clerkErrorOf(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    if (isClerkAPIResponseError(error)) return { status: error.status, code: error.errors[0]?.code };
    throw error;
  }
  throw new Error("expected a ClerkAPIResponseError");
}

describe("credentials through the official @clerk/backend client", () => {
  it("verifyPassword: right, wrong, imported digest", async () => {
    const client = clerk();
    const user = await client.users.createUser({ emailAddress: [`pw-${Date.now()}@example.com`], password: "e2e password is long" });
    expect(user.passwordEnabled).toBe(true);
    expect(await client.users.verifyPassword({ userId: user.id, password: "e2e password is long" })).toEqual({ verified: true });
    expect(await clerkErrorOf(client.users.verifyPassword({ userId: user.id, password: "nope nope nope" }))).toEqual({
      status: 422,
      code: "incorrect_password",
    });

    const imported = await client.users.createUser({
      emailAddress: [`md5-${Date.now()}@example.com`],
      passwordDigest: "5f4dcc3b5aa765d61d8327deb882cf99",
      passwordHasher: "md5",
    });
    expect(await client.users.verifyPassword({ userId: imported.id, password: "password" })).toEqual({ verified: true });
    expect(await clerkErrorOf(client.users.createUser({ passwordDigest: "xyz", passwordHasher: "md5" }))).toEqual({
      status: 422,
      code: "form_password_digest_invalid_code",
    });
  });

  it("verifyTOTP with a TOTP code and a backup code; deleteUserBackupCodes, deleteUserTOTP, disableUserMFA", async () => {
    const client = clerk();
    const user = await client.users.createUser({
      emailAddress: [`totp-${Date.now()}@example.com`],
      totpSecret: SECRET,
      backupCodes: ["e2e-code-1", "e2e-code-2"],
    });
    expect(user.totpEnabled).toBe(true);
    expect(user.backupCodeEnabled).toBe(true);
    expect(user.twoFactorEnabled).toBe(true);

    const code = totpAt(decodeBase32Secret(SECRET)!, Date.now());
    expect(await client.users.verifyTOTP({ userId: user.id, code })).toEqual({ verified: true, code_type: "totp" });
    expect(await clerkErrorOf(client.users.verifyTOTP({ userId: user.id, code }))).toEqual({ status: 422, code: "totp_incorrect_code" });
    expect(await client.users.verifyTOTP({ userId: user.id, code: "e2e-code-1" })).toEqual({ verified: true, code_type: "backup_code" });

    expect(await client.users.deleteUserBackupCodes(user.id)).toEqual({ user_id: user.id });
    let current = await client.users.getUser(user.id);
    expect(current.backupCodeEnabled).toBe(false);
    expect(current.totpEnabled).toBe(true);

    expect(await client.users.deleteUserTOTP(user.id)).toEqual({ user_id: user.id });
    current = await client.users.getUser(user.id);
    expect(current.totpEnabled).toBe(false);
    expect(current.twoFactorEnabled).toBe(false);
    expect(await clerkErrorOf(client.users.verifyTOTP({ userId: user.id, code: "123456" }))).toEqual({ status: 400, code: "totp_disabled" });

    await client.users.updateUser(user.id, { totpSecret: SECRET, backupCodes: ["again-1"] });
    expect((await client.users.getUser(user.id)).twoFactorEnabled).toBe(true);
    expect(await client.users.disableUserMFA(user.id)).toEqual({ user_id: user.id });
    current = await client.users.getUser(user.id);
    expect(current.totpEnabled).toBe(false);
    expect(current.backupCodeEnabled).toBe(false);
    expect(current.twoFactorEnabled).toBe(false);
  });

  it("removePassword, setPasswordCompromised and unsetPasswordCompromised", async () => {
    const client = clerk();
    const user = await client.users.createUser({ emailAddress: [`rmpw-${Date.now()}@example.com`], password: "e2e password is long" });
    const compromised = await client.users.setPasswordCompromised(user.id);
    expect(compromised.id).toBe(user.id);
    expect(compromised.passwordEnabled).toBe(true);
    expect((await client.users.setPasswordCompromised(user.id, { revokeAllSessions: true })).passwordEnabled).toBe(true);
    expect((await client.users.unsetPasswordCompromised(user.id)).passwordEnabled).toBe(true);
    const removed = await client.users.removePassword(user.id, { signOutOfOtherSessions: true });
    expect(removed.passwordEnabled).toBe(false);
    expect((await client.users.removePassword(user.id)).passwordEnabled).toBe(false);
    expect(await clerkErrorOf(client.users.verifyPassword({ userId: user.id, password: "e2e password is long" }))).toEqual({
      status: 400,
      code: "no_password_set",
    });
    expect(await clerkErrorOf(client.users.setPasswordCompromised(user.id))).toEqual({ status: 400, code: "no_password_set" });
  });

  it("reports 404 for an unknown user", async () => {
    const client = clerk();
    expect(await clerkErrorOf(client.users.verifyPassword({ userId: "user_missing", password: "whatever it is" }))).toEqual({
      status: 404,
      code: "resource_not_found",
    });
    expect(await clerkErrorOf(client.users.disableUserMFA("user_missing"))).toEqual({ status: 404, code: "resource_not_found" });
  });
});
