import { env } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createContext, type AppContext } from "../../workers/context";
import type { ApiError } from "../../workers/http/errors";
import { verifyUserPassword } from "../../workers/services/credentials";
import { lockoutState } from "../../workers/services/lockout";
import { call, createUser, expectError } from "../helpers";
import { RFC6238_SECRET } from "../crypto/vectors";
import { decodeBase32Secret, totpAt } from "../../workers/crypto/totp";

const PASSWORD = "the right password";
const verifyPassword = (id: string, password: string) => call("POST", `/v1/users/${id}/verify_password`, { password });
const remaining = async (id: string) => (await call("GET", `/v1/users/${id}`, undefined, { schema: "User" })).body.verification_attempts_remaining;
const at = (seconds: number) => vi.setSystemTime(new Date(seconds * 1000));

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  at(2_200_000_000);
});
afterEach(() => {
  vi.useRealTimers();
});

describe("lockout with the default policy (10 attempts, 3600 s)", () => {
  it("counts failed verify_password attempts and locks at zero", async () => {
    const user = await createUser({ password: PASSWORD });
    expect(user.verification_attempts_remaining).toBe(10);
    for (let i = 1; i <= 9; i++) {
      expectError(await verifyPassword(user.id, "wrong password"), 422, "incorrect_password");
      expect(await remaining(user.id)).toBe(10 - i);
    }
    // The tenth failure applies the lock and says so.
    const locking = expectError(await verifyPassword(user.id, "wrong password"), 403, "user_locked");
    expect(locking.meta?.lockout_expires_in_seconds).toBe(3600);
    const locked = (await call("GET", `/v1/users/${user.id}`, undefined, { schema: "User" })).body;
    expect(locked.locked).toBe(true);
    expect(locked.lockout_expires_in_seconds).toBe(3600);
    expect(locked.verification_attempts_remaining).toBe(0);
  });

  it("does not check the secret while locked, and expires from the stored timestamps", async () => {
    const user = await createUser({ password: PASSWORD, totp_secret: RFC6238_SECRET });
    for (let i = 0; i < 10; i++) await verifyPassword(user.id, "wrong password");
    at(2_200_000_000 + 1800);
    const error = expectError(await verifyPassword(user.id, PASSWORD), 403, "user_locked");
    expect(error.meta?.lockout_expires_in_seconds).toBe(1800);
    expect(error.long_message).toContain("30 minutes");
    expectError(await call("POST", `/v1/users/${user.id}/verify_totp`, { code: "000000" }), 403, "user_locked");

    at(2_200_000_000 + 3600);
    const unlocked = (await call("GET", `/v1/users/${user.id}`, undefined, { schema: "User" })).body;
    expect(unlocked.locked).toBe(false);
    expect(unlocked.lockout_expires_in_seconds).toBeNull();
    expect(unlocked.verification_attempts_remaining).toBe(10);
    // After expiry a failure starts a fresh count rather than re-locking at once.
    expectError(await verifyPassword(user.id, "wrong password"), 422, "incorrect_password");
    expect(await remaining(user.id)).toBe(9);
    expect((await verifyPassword(user.id, PASSWORD)).status).toBe(200);
    expect(await remaining(user.id)).toBe(10);
    const row = await env.DB.prepare(
      "select locked_at, locked_until, failed_verification_attempts, failed_second_factor_attempts from users where id = ?",
    )
      .bind(user.id)
      .first();
    expect(row).toEqual({ locked_at: null, locked_until: null, failed_verification_attempts: 0, failed_second_factor_attempts: 0 });
  });

  it("a success resets the count", async () => {
    const user = await createUser({ password: PASSWORD });
    for (let i = 0; i < 3; i++) await verifyPassword(user.id, "wrong password");
    expect(await remaining(user.id)).toBe(7);
    expect((await verifyPassword(user.id, PASSWORD)).status).toBe(200);
    expect(await remaining(user.id)).toBe(10);
  });

  it("counts failed verify_totp attempts too, and concurrent failures each count", async () => {
    const user = await createUser({ password: PASSWORD, totp_secret: RFC6238_SECRET, backup_codes: ["lock-code-1"] });
    await Promise.all(Array.from({ length: 4 }, () => call("POST", `/v1/users/${user.id}/verify_totp`, { code: "000000" })));
    expect(await remaining(user.id)).toBe(6);
    await Promise.all(Array.from({ length: 6 }, () => verifyPassword(user.id, "wrong password")));
    expect(await remaining(user.id)).toBe(0);
    // Locked: even the right backup code is not checked (and so not consumed).
    expectError(await call("POST", `/v1/users/${user.id}/verify_totp`, { code: "lock-code-1" }), 403, "user_locked");
    at(2_200_000_000 + 3600);
    expect((await call("POST", `/v1/users/${user.id}/verify_totp`, { code: "lock-code-1" })).body.code_type).toBe("backup_code");
  });

  it("bounds the guesses checked to the attempts left, even when they arrive at once", async () => {
    // An attacker firing guesses concurrently must not get more than LOCKOUT_MAX_ATTEMPTS of them
    // checked, and the right password is refused once they are spent. (Within one burst the
    // order in which requests reserve their attempt is not fixed, so the right password is sent
    // after the burst: inside it, it could legitimately be among the first ten.)
    const user = await createUser({ password: PASSWORD });
    const results = await Promise.all(Array.from({ length: 15 }, (_, i) => verifyPassword(user.id, `wrong password ${i}`)));
    for (const r of results) expect([422, 403]).toContain(r.status);
    // A check that completes once the last attempt is taken answers 403 (it applies the lock).
    expect(results.filter((r) => r.status === 422).length).toBeLessThanOrEqual(10);
    expectError(await verifyPassword(user.id, PASSWORD), 403, "user_locked");
    const after = (await call("GET", `/v1/users/${user.id}`, undefined, { schema: "User" })).body;
    expect(after.locked).toBe(true);
    expect(after.verification_attempts_remaining).toBe(0);
  });

  it("with attempts left, a right password in a concurrent burst of wrong ones still verifies", async () => {
    const user = await createUser({ password: PASSWORD });
    const results = await Promise.all([PASSWORD, "wrong 1", "wrong 2", "wrong 3"].map((guess) => verifyPassword(user.id, guess)));
    expect(results.map((r) => r.status)).toEqual([200, 422, 422, 422]);
    expect(await remaining(user.id)).toBeGreaterThanOrEqual(7);
  });

  it("a user created locked is locked for the configured duration", async () => {
    const user = await createUser({ password: PASSWORD, locked: true });
    expect(user.locked).toBe(true);
    expectError(await verifyPassword(user.id, PASSWORD), 403, "user_locked");
  });
});

describe("each factor keeps its own failure count; the lock is on their sum", () => {
  const key = decodeBase32Secret(RFC6238_SECRET)!;
  const verifyCode = (id: string, code: string) => call("POST", `/v1/users/${id}/verify_totp`, { code });
  /** The current TOTP code; moves the clock one step on, so each call's code is new (replay protection). */
  let step = 0;
  const nextCode = () => {
    step += 1;
    at(2_200_000_000 + step * 30);
    return totpAt(key, Date.now());
  };
  const counts = (id: string) =>
    env.DB.prepare("select failed_verification_attempts as password, failed_second_factor_attempts as second from users where id = ?")
      .bind(id)
      .first();

  it("knowing the password no longer buys unlimited code guesses: the observed attack locks after 10 wrong codes", async () => {
    // Observed before: 9 wrong codes, then the right password (which reset the shared count),
    // repeated — 90 wrong codes checked, never locked.
    const user = await createUser({ password: PASSWORD, totp_secret: RFC6238_SECRET, backup_codes: ["attack-code-1"] });
    const answers: number[] = [];
    for (let round = 0; round < 10 && !answers.includes(403); round++) {
      for (let i = 0; i < 9 && !answers.includes(403); i++) {
        const guess = i % 2 ? `guess${round}${i}x` : String(100_000 + round * 10 + i);
        answers.push((await verifyCode(user.id, guess)).status);
      }
      const password = await verifyPassword(user.id, PASSWORD);
      if (!answers.includes(403)) expect(password.status).toBe(200);
    }
    // Nine wrong codes answer 422; the tenth applies the lock and says so.
    expect(answers).toEqual([...Array(9).fill(422), 403]);
    const locked = (await call("GET", `/v1/users/${user.id}`, undefined, { schema: "User" })).body;
    expect(locked).toMatchObject({ locked: true, verification_attempts_remaining: 0, lockout_expires_in_seconds: 3600 });
    // Locked: neither factor is checked, not even right ones.
    expectError(await verifyPassword(user.id, PASSWORD), 403, "user_locked");
    expectError(await verifyCode(user.id, "attack-code-1"), 403, "user_locked");
  });

  it("a second-factor success leaves the password failures, and a password success the second-factor failures", async () => {
    const user = await createUser({ password: PASSWORD, totp_secret: RFC6238_SECRET });
    for (let i = 0; i < 3; i++) expectError(await verifyPassword(user.id, "wrong password"), 422, "incorrect_password");
    for (let i = 0; i < 2; i++) expectError(await verifyCode(user.id, "000000"), 422, "totp_incorrect_code");
    expect(await counts(user.id)).toEqual({ password: 3, second: 2 });
    expect(await remaining(user.id)).toBe(5);
    expect((await verifyCode(user.id, nextCode())).status).toBe(200);
    expect(await counts(user.id)).toEqual({ password: 3, second: 0 });
    expect(await remaining(user.id)).toBe(7);
    for (let i = 0; i < 4; i++) expectError(await verifyCode(user.id, "000000"), 422, "totp_incorrect_code");
    expect((await verifyPassword(user.id, PASSWORD)).status).toBe(200);
    expect(await counts(user.id)).toEqual({ password: 0, second: 4 });
    expect(await remaining(user.id)).toBe(6);
    // Failures of both factors add up to the lock: 4 code failures + 6 password failures.
    for (let i = 0; i < 5; i++) expectError(await verifyPassword(user.id, "wrong password"), 422, "incorrect_password");
    expectError(await verifyPassword(user.id, "wrong password"), 403, "user_locked");
  });

  it("a concurrent burst of wrong passwords and wrong codes gets at most 10 checks between them", async () => {
    for (let round = 0; round < 3; round++) {
      const user = await createUser({ password: PASSWORD, totp_secret: RFC6238_SECRET });
      const burst = Array.from({ length: 24 }, (_, i) => (i % 2 ? verifyPassword(user.id, `wrong ${i}`) : verifyCode(user.id, String(200_000 + i))));
      const results = await Promise.all(burst);
      for (const r of results) expect([422, 403]).toContain(r.status);
      expect(results.filter((r) => r.status === 422).length).toBeLessThanOrEqual(10);
      const after = (await call("GET", `/v1/users/${user.id}`, undefined, { schema: "User" })).body;
      expect(after).toMatchObject({ locked: true, verification_attempts_remaining: 0 });
      const { password, second } = (await counts(user.id)) as { password: number; second: number };
      expect(password + second).toBe(10);
    }
  });

  it("an expired lock starts both counts again; unlock resets both", async () => {
    const user = await createUser({ password: PASSWORD, totp_secret: RFC6238_SECRET });
    for (let i = 0; i < 4; i++) await verifyPassword(user.id, "wrong password");
    for (let i = 0; i < 6; i++) await verifyCode(user.id, "000000");
    expect((await call("GET", `/v1/users/${user.id}`, undefined, { schema: "User" })).body.locked).toBe(true);
    at(2_200_000_000 + 3600);
    expectError(await verifyCode(user.id, "000000"), 422, "totp_incorrect_code");
    expect(await counts(user.id)).toEqual({ password: 0, second: 1 });
    expect(await remaining(user.id)).toBe(9);

    for (let i = 0; i < 3; i++) await verifyPassword(user.id, "wrong password");
    expect(await counts(user.id)).toEqual({ password: 3, second: 1 });
    const unlocked = await call("POST", `/v1/users/${user.id}/unlock`, undefined, { schema: "User" });
    expect(unlocked.body.verification_attempts_remaining).toBe(10);
    expect(await counts(user.id)).toEqual({ password: 0, second: 0 });
  });
});

/** A context with another lockout policy, calling the service as the route does. */
function contextWith(policy: { lockoutMaxAttempts: number; lockoutDurationSeconds: number }): AppContext {
  const base = createContext(env, new Request("https://api.test/"));
  return { ...base, config: { ...base.config, ...policy } };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "ok";
  } catch (error) {
    return (error as ApiError).code;
  }
}

describe("other lockout policies", () => {
  it("LOCKOUT_MAX_ATTEMPTS=0 disables counting (verification_attempts_remaining null)", async () => {
    const ctx = contextWith({ lockoutMaxAttempts: 0, lockoutDurationSeconds: 3600 });
    const user = await createUser({ password: PASSWORD });
    for (let i = 0; i < 15; i++) expect(await codeOf(verifyUserPassword(ctx, user.id, "wrong password"))).toBe("incorrect_password");
    const row = await env.DB.prepare("select locked_at, locked_until, failed_verification_attempts from users where id = ?")
      .bind(user.id)
      .first<any>();
    expect(row.failed_verification_attempts).toBe(0);
    const none = { lockedAt: null, lockedUntil: null, failedPasswordAttempts: 0, failedSecondFactorAttempts: 0 };
    expect(lockoutState(none, ctx.config, Date.now()).verificationAttemptsRemaining).toBeNull();
  });

  it("LOCKOUT_DURATION_SECONDS=0 locks until unlocked", async () => {
    const ctx = contextWith({ lockoutMaxAttempts: 3, lockoutDurationSeconds: 0 });
    const user = await createUser({ password: PASSWORD });
    expect(await codeOf(verifyUserPassword(ctx, user.id, "wrong password"))).toBe("incorrect_password");
    expect(await codeOf(verifyUserPassword(ctx, user.id, "wrong password"))).toBe("incorrect_password");
    expect(await codeOf(verifyUserPassword(ctx, user.id, "wrong password"))).toBe("user_locked");
    at(2_300_000_000);
    try {
      await verifyUserPassword(ctx, user.id, PASSWORD);
      expect.unreachable();
    } catch (error) {
      expect((error as ApiError).code).toBe("user_locked");
      expect((error as ApiError).meta).toEqual({ lockout_expires_in_seconds: null });
    }
    const row = await env.DB.prepare("select locked_at, locked_until from users where id = ?").bind(user.id).first<any>();
    expect(row.locked_at).toBe(2_200_000_000_000);
    expect(row.locked_until).toBeNull();
  });
});
