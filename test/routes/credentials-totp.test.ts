import { env } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { decodeBase32Secret, hotp, totpAt, totpStep } from "../../workers/crypto/totp";
import { call, createUser, expectError } from "../helpers";
import { digestAtCost } from "../identifiers";
import { BACKUP_CODE_VECTORS, RFC6238_SECRET, RFC6238_SHA1, TOTP_VECTORS } from "../crypto/vectors";

const verify = (userId: string, code: string) => call("POST", `/v1/users/${userId}/verify_totp`, { code });
const getUser = async (id: string) => (await call("GET", `/v1/users/${id}`, undefined, { schema: "User" })).body;
const at = (seconds: number) => vi.setSystemTime(new Date(seconds * 1000));

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("verify_totp with TOTP codes (time frozen)", () => {
  it.each(RFC6238_SHA1)("accepts RFC 6238's SHA1 code at T=%i", async (time, code) => {
    at(time);
    const user = await createUser({ totp_secret: RFC6238_SECRET });
    const result = await verify(user.id, code);
    expect(result.status, JSON.stringify(result.body)).toBe(200);
    expect(result.body).toEqual({ verified: true, code_type: "totp" });
  });

  it.each(TOTP_VECTORS.map((v) => [v.secret, v.unix_time, v.code] as const))("accepts the shared vector %s at %i", async (secret, time, code) => {
    at(time);
    const user = await createUser({ totp_secret: secret.toLowerCase() });
    expect((await verify(user.id, code)).body).toEqual({ verified: true, code_type: "totp" });
  });

  it("stores the secret sealed, never in the user JSON", async () => {
    const user = await createUser({ totp_secret: RFC6238_SECRET });
    expect(user.totp_enabled).toBe(true);
    expect(user.two_factor_enabled).toBe(true);
    expect(user.mfa_enabled_at).toBeGreaterThan(0);
    expect(JSON.stringify(user)).not.toContain(RFC6238_SECRET);
    const row = await env.DB.prepare("select totp_secret_encrypted from users where id = ?").bind(user.id).first<{ totp_secret_encrypted: string }>();
    expect(row?.totp_secret_encrypted).toMatch(/^v1\./);
    expect(row?.totp_secret_encrypted).not.toContain(RFC6238_SECRET);
  });

  it("accepts one step either side of now, not two", async () => {
    const key = decodeBase32Secret(RFC6238_SECRET)!;
    const now = 1_700_000_010;
    const step = totpStep(now * 1000);
    at(now);
    const early = await createUser({ totp_secret: RFC6238_SECRET });
    expect((await verify(early.id, hotp(key, step - 1))).status).toBe(200);
    const late = await createUser({ totp_secret: RFC6238_SECRET });
    expect((await verify(late.id, hotp(key, step + 1))).status).toBe(200);
    const tooOld = await createUser({ totp_secret: RFC6238_SECRET });
    expectError(await verify(tooOld.id, hotp(key, step - 2)), 422, "totp_incorrect_code");
    expectError(await verify(tooOld.id, hotp(key, step + 2)), 422, "totp_incorrect_code");
    // A code for step X is accepted up to the last second of step X+1, and not a second later.
    const edge = await createUser({ totp_secret: RFC6238_SECRET });
    at(step * 30 - 1);
    expect((await verify(edge.id, hotp(key, step - 2))).status).toBe(200);
    const after = await createUser({ totp_secret: RFC6238_SECRET });
    at(step * 30);
    expectError(await verify(after.id, hotp(key, step - 2)), 422, "totp_incorrect_code");
  });

  it("never accepts a code twice, nor a code for an earlier step than one already used", async () => {
    const key = decodeBase32Secret(RFC6238_SECRET)!;
    at(1_800_000_000);
    const step = totpStep(Date.now());
    const user = await createUser({ totp_secret: RFC6238_SECRET });
    expect((await verify(user.id, hotp(key, step))).status).toBe(200);
    expectError(await verify(user.id, hotp(key, step)), 422, "totp_incorrect_code");
    expectError(await verify(user.id, hotp(key, step - 1)), 422, "totp_incorrect_code");
    expect((await verify(user.id, hotp(key, step + 1))).status).toBe(200);
    // Thirty seconds later the replayed code is still refused; the next step's code is accepted.
    at(1_800_000_030);
    expectError(await verify(user.id, hotp(key, step + 1)), 422, "totp_incorrect_code");
    expect((await verify(user.id, hotp(key, step + 2))).status).toBe(200);
  });

  it("lets exactly one of two concurrent requests with the same code win", async () => {
    at(1_900_000_000);
    const user = await createUser({ totp_secret: RFC6238_SECRET });
    const code = totpAt(decodeBase32Secret(RFC6238_SECRET)!, Date.now());
    const results = await Promise.all(Array.from({ length: 4 }, () => verify(user.id, code)));
    expect(results.map((r) => r.status).sort()).toEqual([200, 422, 422, 422]);
  });

  it("a new secret on update replaces the old one and its replay marker", async () => {
    at(1_950_000_000);
    const other = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    const user = await createUser({ totp_secret: RFC6238_SECRET });
    const updated = await call("PATCH", `/v1/users/${user.id}`, { totp_secret: other }, { schema: "User" });
    expect(updated.body.totp_enabled).toBe(true);
    expectError(await verify(user.id, totpAt(decodeBase32Secret(RFC6238_SECRET)!, Date.now())), 422, "totp_incorrect_code");
    expect((await verify(user.id, totpAt(decodeBase32Secret(other)!, Date.now()))).status).toBe(200);
  });
});

describe("verify_totp errors", () => {
  it("400 totp_disabled without TOTP or backup codes; 404 for an unknown user", async () => {
    const user = await createUser({});
    expectError(await verify(user.id, "123456"), 400, "totp_disabled");
    expectError(await verify("user_nobody", "123456"), 404, "resource_not_found");
  });

  it("422 totp_invalid_length when the user has no backup codes and the code is not 6 characters", async () => {
    const user = await createUser({ totp_secret: RFC6238_SECRET });
    for (const code of ["12345", "1234567", ""]) expectError(await verify(user.id, code), 422, "totp_invalid_length", "code");
    expectError(await verify(user.id, "abcdef"), 422, "totp_incorrect_code");
    const withCodes = await createUser({ totp_secret: RFC6238_SECRET, backup_codes: ["abcdefgh"] });
    expectError(await verify(withCodes.id, "12345"), 422, "totp_incorrect_code");
  });

  it("refuses a secret that is not base32", async () => {
    for (const secret of ["not base32!", "GEZDGNBV", "01234567890123456789"]) {
      expectError(await call("POST", "/v1/users", { totp_secret: secret }), 422, "form_param_format_invalid", "totp_secret");
    }
  });

  it("validates the body", async () => {
    const user = await createUser({ totp_secret: RFC6238_SECRET });
    expectError(await call("POST", `/v1/users/${user.id}/verify_totp`, {}), 422, "form_param_missing", "code");
    expectError(await call("POST", `/v1/users/${user.id}/verify_totp`, { code: 123456 }), 422, "form_param_type_invalid", "code");
  });
});

describe("backup codes", () => {
  it("accepts each shared vector as a plain code or as its bcrypt digest, once", async () => {
    const plain = await createUser({ backup_codes: BACKUP_CODE_VECTORS.map((v) => v.code) });
    const hashed = await createUser({ backup_codes: BACKUP_CODE_VECTORS.map((v) => v.bcrypt_digest) });
    for (const user of [plain, hashed]) {
      expect(user.backup_code_enabled).toBe(true);
      expect(user.two_factor_enabled).toBe(true);
      expect(user.totp_enabled).toBe(false);
      for (const v of BACKUP_CODE_VECTORS) {
        expect((await verify(user.id, v.code)).body).toEqual({ verified: true, code_type: "backup_code" });
        // Consumed: refused while other codes remain (and totp_disabled once none do, below).
        if (v !== BACKUP_CODE_VECTORS.at(-1)) expectError(await verify(user.id, v.code), 422, "totp_incorrect_code");
      }
      const after = await getUser(user.id);
      expect(after.backup_code_enabled).toBe(false);
      expect(after.two_factor_enabled).toBe(false);
      expect(after.mfa_disabled_at).toBeGreaterThan(0);
      expectError(await verify(user.id, BACKUP_CODE_VECTORS[0].code), 400, "totp_disabled");
    }
  });

  it("stores plain codes as keyed hashes, not in clear", async () => {
    const user = await createUser({ backup_codes: ["clear-code-1", "clear-code-2"] });
    const rows = await env.DB.prepare("select kind, digest from backup_codes where user_id = ?")
      .bind(user.id)
      .all<{ kind: string; digest: string }>();
    expect(rows.results).toHaveLength(2);
    for (const row of rows.results) {
      expect(row.kind).toBe("hmac");
      expect(row.digest).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it("tries TOTP first, then backup codes", async () => {
    at(2_000_000_000);
    const user = await createUser({ totp_secret: RFC6238_SECRET, backup_codes: ["12345678", "87654321"] });
    expect((await verify(user.id, "279037")).body.code_type).toBe("totp");
    expect((await verify(user.id, "87654321")).body.code_type).toBe("backup_code");
    expect((await getUser(user.id)).backup_code_enabled).toBe(true);
  });

  it("consumes a code exactly once under concurrent use", async () => {
    const user = await createUser({ backup_codes: ["race-code-1", "race-code-2"] });
    const results = await Promise.all(Array.from({ length: 6 }, () => verify(user.id, "race-code-1")));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 422).every((r) => r.body.errors[0].code === "totp_incorrect_code")).toBe(true);
    expect((await verify(user.id, "race-code-2")).status).toBe(200);
  });

  it("update replaces the codes; an empty list removes them", async () => {
    const user = await createUser({ backup_codes: ["old-code-1"] });
    const replaced = await call("PATCH", `/v1/users/${user.id}`, { backup_codes: ["new-code-1", "new-code-1", "new-code-2"] }, { schema: "User" });
    expect(replaced.body.backup_code_enabled).toBe(true);
    expectError(await verify(user.id, "old-code-1"), 422, "totp_incorrect_code");
    const cleared = await call("PATCH", `/v1/users/${user.id}`, { backup_codes: [] }, { schema: "User" });
    expect(cleared.body.backup_code_enabled).toBe(false);
    expect(cleared.body.mfa_disabled_at).toBeGreaterThan(0);
    expectError(await call("POST", "/v1/users", { backup_codes: ["ok", "  "] }), 422, "form_param_value_invalid", "backup_codes");
  });
});

describe("bcrypt backup-code digests are bounded", () => {
  it("refuses a digest outside costs 4..14, and a set costlier than ten digests at cost 12, at create and update", async () => {
    const user = await createUser({ backup_codes: ["kept-code-1"] });
    const tooCostly = Array.from({ length: 11 }, (_, i) => digestAtCost(12, i));
    for (const codes of [[digestAtCost(15)], [digestAtCost(31), "plain-code"], tooCostly]) {
      const created = expectError(await call("POST", "/v1/users", { backup_codes: codes }), 422, "form_param_value_invalid", "backup_codes");
      expect(created.long_message).toMatch(/cost/);
      expect(JSON.stringify(created)).not.toContain(codes[0]);
      expectError(await call("PATCH", `/v1/users/${user.id}`, { backup_codes: codes }), 422, "form_param_value_invalid", "backup_codes");
    }
    // Nothing was replaced.
    expect((await verify(user.id, "kept-code-1")).body).toEqual({ verified: true, code_type: "backup_code" });
    // Exactly at the bound, and at both ends of the cost range, the codes are accepted.
    expect((await createUser({ backup_codes: tooCostly.slice(1) })).backup_code_enabled).toBe(true);
    expect((await createUser({ backup_codes: [digestAtCost(4), digestAtCost(14)] })).backup_code_enabled).toBe(true);
  });
});

describe("DELETE /totp, /backup_code and /mfa", () => {
  it("DELETE /totp removes TOTP only", async () => {
    const user = await createUser({ totp_secret: RFC6238_SECRET, backup_codes: ["keep-me-1"] });
    const result = await call("DELETE", `/v1/users/${user.id}/totp`);
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ user_id: user.id });
    const after = await getUser(user.id);
    expect(after.totp_enabled).toBe(false);
    expect(after.backup_code_enabled).toBe(true);
    expect(after.two_factor_enabled).toBe(true);
    expect(after.mfa_disabled_at).toBeNull();
  });

  it("DELETE /backup_code removes the codes; with nothing else left MFA is disabled", async () => {
    const user = await createUser({ backup_codes: ["gone-1", "gone-2"] });
    expect((await call("DELETE", `/v1/users/${user.id}/backup_code`)).body).toEqual({ user_id: user.id });
    const after = await getUser(user.id);
    expect(after.backup_code_enabled).toBe(false);
    expect(after.two_factor_enabled).toBe(false);
    expect(after.mfa_enabled_at).toBe(user.mfa_enabled_at);
    expect(after.mfa_disabled_at).toBeGreaterThan(0);
    expectError(await verify(user.id, "gone-1"), 400, "totp_disabled");
    // Idempotent.
    expect((await call("DELETE", `/v1/users/${user.id}/backup_code`)).status).toBe(200);
  });

  it("DELETE /mfa removes TOTP, backup codes and phone second-factor flags", async () => {
    at(2_100_000_000);
    const user = await createUser({ totp_secret: RFC6238_SECRET, backup_codes: ["mfa-1"], phone_number: ["+15555550123"] });
    await env.DB.prepare("update phone_numbers set reserved_for_second_factor = 1, default_second_factor = 1 where user_id = ?").bind(user.id).run();
    expect((await getUser(user.id)).phone_numbers[0].reserved_for_second_factor).toBe(true);
    at(2_100_000_100);
    expect((await call("DELETE", `/v1/users/${user.id}/mfa`)).body).toEqual({ user_id: user.id });
    const after = await getUser(user.id);
    expect(after.totp_enabled).toBe(false);
    expect(after.backup_code_enabled).toBe(false);
    expect(after.two_factor_enabled).toBe(false);
    expect(after.phone_numbers[0].reserved_for_second_factor).toBe(false);
    expect(after.phone_numbers[0].default_second_factor).toBe(false);
    expect(after.mfa_disabled_at).toBe(2_100_000_100_000);
    expect(after.mfa_enabled_at).toBe(2_100_000_000_000);
    // Enabling again sets mfa_enabled_at anew and keeps mfa_disabled_at.
    at(2_100_000_200);
    const again = await call("PATCH", `/v1/users/${user.id}`, { totp_secret: RFC6238_SECRET }, { schema: "User" });
    expect(again.body.mfa_enabled_at).toBe(2_100_000_200_000);
    expect(again.body.mfa_disabled_at).toBe(2_100_000_100_000);
  });

  it("404 for an unknown user on each", async () => {
    for (const path of ["totp", "backup_code", "mfa"]) expectError(await call("DELETE", `/v1/users/user_nobody/${path}`), 404, "resource_not_found");
  });
});
