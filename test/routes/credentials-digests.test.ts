import { env } from "cloudflare:test";
import bcrypt from "bcryptjs";
import { describe, expect, it } from "vitest";
import { PASSWORD_HASHERS } from "../../workers/crypto/hashers";
import { call, createUser, expectError } from "../helpers";
import { digestAtCost } from "../identifiers";
import { VARIANT_DIGEST_VECTORS } from "../crypto/variant-vectors";
import { DIGEST_VECTORS, MALFORMED_DIGESTS } from "../crypto/vectors";

async function storedPassword(userId: string) {
  return env.DB.prepare("select password_hasher, password_digest from users where id = ?")
    .bind(userId)
    .first<{ password_hasher: string; password_digest: string }>();
}

describe("every password_digests vector through the API", () => {
  // The shared vectors, then the format variants they do not cover (test/crypto/variant-vectors.ts).
  for (const [i, v] of [...DIGEST_VECTORS, ...VARIANT_DIGEST_VECTORS].entries()) {
    it(`#${i} ${v.password_hasher} ${v.note}: imported at create, verifies its password and refuses another`, async () => {
      const user = await createUser({ password_digest: v.password_digest, password_hasher: v.password_hasher });
      expect(user.password_enabled).toBe(true);
      expect(typeof user.password_last_updated_at).toBe("number");
      expect(JSON.stringify(user)).not.toContain(v.password_digest);

      const wrong = await call("POST", `/v1/users/${user.id}/verify_password`, { password: `${v.password}!` });
      expectError(wrong, 422, "incorrect_password");
      const right = await call("POST", `/v1/users/${user.id}/verify_password`, { password: v.password });
      expect(right.status, JSON.stringify(right.body)).toBe(200);
      expect(right.body).toEqual({ verified: true });

      const stored = await storedPassword(user.id);
      if (PASSWORD_HASHERS[v.password_hasher].weak) {
        // A weak digest is replaced by bcrypt on the first successful verify; bcrypt then answers.
        expect(stored?.password_hasher).toBe("bcrypt");
        expect(stored?.password_digest).toMatch(/^\$2[ab]\$04\$/);
        expect((await call("POST", `/v1/users/${user.id}/verify_password`, { password: v.password })).status).toBe(200);
        expectError(await call("POST", `/v1/users/${user.id}/verify_password`, { password: "not it at all" }), 422, "incorrect_password");
      } else {
        expect(stored).toEqual({ password_hasher: v.password_hasher, password_digest: v.password_digest });
      }
    }, 90_000);
  }
});

describe("digest import refusals", () => {
  for (const v of MALFORMED_DIGESTS) {
    it(`refuses the malformed ${v.password_hasher} digest at create and at update`, async () => {
      const created = await call("POST", "/v1/users", { password_digest: v.password_digest, password_hasher: v.password_hasher });
      const error = expectError(created, 422, "form_password_digest_invalid_code", "password_digest");
      expect(JSON.stringify(created.body)).not.toContain(v.password_digest);
      expect(error.long_message).toBe("provided password_digest is not valid for the provided password_hasher");
      const user = await createUser({});
      expectError(
        await call("PATCH", `/v1/users/${user.id}`, { password_digest: v.password_digest, password_hasher: v.password_hasher }),
        422,
        "form_password_digest_invalid_code",
        "password_digest",
      );
      const after = await call("GET", `/v1/users/${user.id}`, undefined, { schema: "User" });
      expect(after.body.password_enabled).toBe(false);
    });
  }

  it("refuses an unknown hasher with form_param_value_invalid, without echoing the digest", async () => {
    const digest = DIGEST_VECTORS[0].password_digest;
    for (const hasher of ["sha1", "BCRYPT", "toString", "__proto__", "md5_salted", "'; drop table users; --"]) {
      const result = await call("POST", "/v1/users", { password_digest: digest, password_hasher: hasher });
      expectError(result, 422, "form_param_value_invalid", "password_hasher");
      expect(JSON.stringify(result.body)).not.toContain(digest);
    }
  });

  it("refuses awscognito, saying it needs Cognito", async () => {
    const result = await call("POST", "/v1/users", {
      password_digest: "awscognito#us-east-1_abc#client#user@example.com",
      password_hasher: "awscognito",
    });
    const error = expectError(result, 422, "form_param_value_invalid", "password_hasher");
    expect(error.long_message).toContain("Cognito");
  });

  it("needs password_digest and password_hasher together, and not with password", async () => {
    const digest = DIGEST_VECTORS[0].password_digest;
    expectError(await call("POST", "/v1/users", { password_digest: digest }), 422, "form_param_missing", "password_hasher");
    expectError(await call("POST", "/v1/users", { password_hasher: "bcrypt" }), 422, "form_param_missing", "password_digest");
    expectError(
      await call("POST", "/v1/users", { password_digest: digest, password_hasher: "bcrypt", password: "a fine long password 42" }),
      422,
      "form_param_value_invalid",
      "password",
    );
    expectError(await call("POST", "/v1/users", { password_digest: "", password_hasher: "bcrypt" }), 422, "form_password_digest_invalid_code");
    expectError(
      await call("POST", "/v1/users", { password_digest: `$2b$05$${"a".repeat(2000)}`, password_hasher: "bcrypt" }),
      422,
      "form_password_digest_invalid_code",
    );
  });

  it("refuses bcrypt-family digests outside costs 4..14 (one verify at cost 31 would take hours)", async () => {
    const user = await createUser({});
    for (const cost of [15, 20, 31]) {
      for (const [hasher, digest] of [
        ["bcrypt", digestAtCost(cost)],
        ["bcrypt_peppered", `${digestAtCost(cost)}$pepper`],
        ["bcrypt_sha256_django", `bcrypt_sha256$${digestAtCost(cost)}`],
      ]) {
        expectError(
          await call("POST", "/v1/users", { password_digest: digest, password_hasher: hasher }),
          422,
          "form_password_digest_invalid_code",
          "password_digest",
        );
        expectError(
          await call("PATCH", `/v1/users/${user.id}`, { password_digest: digest, password_hasher: hasher }),
          422,
          "form_password_digest_invalid_code",
        );
      }
    }
    for (const cost of [4, 14]) {
      expect((await createUser({ password_digest: digestAtCost(cost), password_hasher: "bcrypt" })).password_enabled).toBe(true);
    }
  });

  it("bounds PBKDF2's work as iterations × output blocks ≤ 2,000,000", async () => {
    const hex = (bytes: number) => "ab".repeat(bytes);
    const b64 = (bytes: number) => btoa("x".repeat(bytes));
    const accepted = [
      ["pbkdf2_sha512", `pbkdf2_sha512$2000000$salt$${hex(64)}`], // one SHA-512 block
      ["pbkdf2_sha1", `pbkdf2_sha1$1000000$salt$${hex(32)}`], // the default 32-byte key: two SHA-1 blocks
      ["pbkdf2_sha256", `pbkdf2_sha256$250000$${b64(16)}$${b64(256)}`], // eight SHA-256 blocks
    ];
    const refused = [
      ["pbkdf2_sha512", `pbkdf2_sha512$2000000$salt$${hex(65)}`],
      ["pbkdf2_sha1", `pbkdf2_sha1$1000001$salt$${hex(32)}`],
      ["pbkdf2_sha1", `pbkdf2_sha1$2000000$00ff$${hex(256)}$256`],
      ["pbkdf2_sha256_django", `pbkdf2_sha256$2000000$salt$${b64(33)}`],
      ["pbkdf2_sha512_hex", `pbkdf2_sha512_hex$1000000$00ff$${hex(256)}`],
    ];
    for (const [hasher, digest] of accepted)
      expect((await createUser({ password_digest: digest, password_hasher: hasher })).password_enabled).toBe(true);
    for (const [hasher, digest] of refused) {
      expectError(
        await call("POST", "/v1/users", { password_digest: digest, password_hasher: hasher }),
        422,
        "form_password_digest_invalid_code",
        "password_digest",
      );
    }
  });

  it("a bcrypt digest above cost 14 stored before the range existed verifies nothing, without computing it", async () => {
    const user = await createUser({ password: "the right password" });
    const slow = bcrypt.hashSync("the right password", 4).replace("$04$", "$20$");
    await env.DB.prepare("update users set password_digest = ? where id = ?").bind(slow, user.id).run();
    // Cost 20 is about a minute and a half of bcryptjs: the test's time limit would end first.
    expectError(await call("POST", `/v1/users/${user.id}/verify_password`, { password: "the right password" }), 422, "incorrect_password");
  });

  it("replaces a password with an imported digest on update, keeping password_last_updated_at right", async () => {
    const v = DIGEST_VECTORS.find((x) => x.password_hasher === "md5")!;
    const user = await createUser({ password: "first long password 1" });
    const updated = await call("PATCH", `/v1/users/${user.id}`, { password_digest: v.password_digest, password_hasher: "md5" }, { schema: "User" });
    expect(updated.status).toBe(200);
    expect(updated.body.password_enabled).toBe(true);
    expect(updated.body.password_last_updated_at).toBeGreaterThanOrEqual(user.password_last_updated_at);
    expectError(await call("POST", `/v1/users/${user.id}/verify_password`, { password: "first long password 1" }), 422, "incorrect_password");
    expect((await call("POST", `/v1/users/${user.id}/verify_password`, { password: v.password })).status).toBe(200);
  });
});
