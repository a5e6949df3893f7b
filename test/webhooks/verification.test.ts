/**
 * user.updated from verify_password and verify_totp: a failure changes the User
 * (verification_attempts_remaining, and at the limit locked and lockout_expires_in_seconds), and
 * so does a success that resets a factor's failures; each such verify emits exactly one event,
 * whose data is the User as GET answers right after. A verify that changes nothing (a success
 * with no failures to clear, a refused attempt while locked) emits none. The clock is frozen, so
 * the lock's seconds in an event and in GET agree.
 */
import { env } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { decodeBase32Secret, totpAt } from "../../workers/crypto/totp";
import { RFC6238_SECRET } from "../crypto/vectors";
import { call, createUser, expectError } from "../helpers";
import { deliveryCount, eventsOf, receiverEndpoint, type TestEndpoint } from "./support";

const PASSWORD = "the right password";
const START_SECONDS = 2_200_000_000;
const at = (seconds: number) => vi.setSystemTime(new Date(seconds * 1000));
const verifyPassword = (id: string, password: string) => call("POST", `/v1/users/${id}/verify_password`, { password });
const verifyCode = (id: string, code: string) => call("POST", `/v1/users/${id}/verify_totp`, { code });
const getUser = async (id: string) => (await call("GET", `/v1/users/${id}`, undefined, { schema: "User" })).body;

/** The current TOTP code, one step (30 s) later than the last one asked for (replay protection accepts each once). */
const key = decodeBase32Secret(RFC6238_SECRET)!;
let step = 0;
function nextCode(): string {
  step += 1;
  at(START_SECONDS + step * 30);
  return totpAt(key, Date.now());
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  at(START_SECONDS);
});
afterEach(() => {
  vi.useRealTimers();
});

/**
 * Runs `verify` on `userId`, expects `status`, and expects it wrote `events` deliveries (0 or 1)
 * to `endpoint`; returns the User as GET answers after it (what the event's data must be).
 */
async function verified(
  endpoint: TestEndpoint,
  userId: string,
  verify: () => Promise<{ status: number }>,
  status: number,
  events: 0 | 1,
): Promise<any> {
  const before = await deliveryCount(endpoint);
  expect((await verify()).status).toBe(status);
  expect(await deliveryCount(endpoint)).toBe(before + events);
  return getUser(userId);
}

describe("user.updated from failed and successful verifications", () => {
  it("each failed verify_password emits one, the one that locks shows the lock; none while locked", async () => {
    const user = await createUser({ password: PASSWORD });
    const endpoint = await receiverEndpoint("ok", { events: ["user.updated"] });
    const answers: any[] = [];
    for (let i = 1; i <= 9; i++) answers.push(await verified(endpoint, user.id, () => verifyPassword(user.id, `wrong ${i}`), 422, 1));
    const locked = await verified(endpoint, user.id, () => verifyPassword(user.id, "wrong 10"), 403, 1);
    expect(locked).toMatchObject({ locked: true, verification_attempts_remaining: 0, lockout_expires_in_seconds: 3600 });
    answers.push(locked);
    // Locked: the secret is not checked and nothing changes, not even for the right password.
    await verified(endpoint, user.id, () => verifyPassword(user.id, PASSWORD), 403, 0);
    await verified(endpoint, user.id, () => verifyPassword(user.id, "wrong 11"), 403, 0);
    const events = await eventsOf(endpoint, 10);
    expect(events.map((e) => e.type)).toEqual(Array(10).fill("user.updated"));
    // One event per failure, each the User as it was right after that failure.
    expect(events.map((e) => e.data)).toEqual(expect.arrayContaining(answers));
    expect(new Set(events.map((e) => e.data.verification_attempts_remaining))).toEqual(new Set([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]));
  });

  it("verify_totp and verify_password: a failure emits one; a success emits one only when it clears failures", async () => {
    const user = await createUser({ password: PASSWORD, totp_secret: RFC6238_SECRET });
    const endpoint = await receiverEndpoint("ok", { events: ["user.updated"] });
    // Right answers with no failures to clear change nothing (the attempt each took is given back).
    await verified(endpoint, user.id, () => verifyPassword(user.id, PASSWORD), 200, 0);
    await verified(endpoint, user.id, () => verifyCode(user.id, nextCode()), 200, 0);
    const answers: any[] = [];
    answers.push(await verified(endpoint, user.id, () => verifyCode(user.id, "000000"), 422, 1));
    answers.push(await verified(endpoint, user.id, () => verifyPassword(user.id, "wrong"), 422, 1));
    expect(answers[1].verification_attempts_remaining).toBe(8);
    // The right code clears the code's failure (9 left), not the password's.
    answers.push(await verified(endpoint, user.id, () => verifyCode(user.id, nextCode()), 200, 1));
    expect(answers[2].verification_attempts_remaining).toBe(9);
    // A second right code has nothing left to clear.
    await verified(endpoint, user.id, () => verifyCode(user.id, nextCode()), 200, 0);
    answers.push(await verified(endpoint, user.id, () => verifyPassword(user.id, PASSWORD), 200, 1));
    expect(answers[3].verification_attempts_remaining).toBe(10);
    await verified(endpoint, user.id, () => verifyPassword(user.id, PASSWORD), 200, 0);
    const events = await eventsOf(endpoint, 4);
    expect(events.map((e) => e.data)).toEqual(expect.arrayContaining(answers));
  });

  it("the last backup code after a failure: one event with both changes (failures cleared, backup codes off)", async () => {
    const user = await createUser({ totp_secret: RFC6238_SECRET, backup_codes: ["hook-verify-last"] });
    const endpoint = await receiverEndpoint("ok", { events: ["user.updated"] });
    const failed = await verified(endpoint, user.id, () => verifyCode(user.id, "not-a-code"), 422, 1);
    expect(failed.verification_attempts_remaining).toBe(9);
    const used = await verified(endpoint, user.id, () => verifyCode(user.id, "hook-verify-last"), 200, 1);
    expect(used).toMatchObject({ verification_attempts_remaining: 10, backup_code_enabled: false, totp_enabled: true });
    const events = await eventsOf(endpoint, 2);
    expect(events.map((e) => e.data)).toEqual(expect.arrayContaining([failed, used]));
  });
});

describe("concurrent failed verifications", () => {
  const counts = async (id: string) =>
    (await env.DB.prepare(
      "select failed_verification_attempts + failed_second_factor_attempts as failures, locked_at is not null as locked from users where id = ?",
    )
      .bind(id)
      .first<{ failures: number; locked: number }>())!;
  const updates = async (id: string) =>
    (await env.DB.prepare("select count(*) as n from webhook_events where type = 'user.updated' and json_extract(snapshot, '$.r.id') = ?")
      .bind(id)
      .first<{ n: number }>())!.n;

  it("a burst of wrong passwords and codes: exactly one user.updated per failure counted (20 rounds)", async () => {
    await receiverEndpoint("ok", { events: ["user.updated"] });
    for (let round = 0; round < 20; round++) {
      const user = await createUser({ password: PASSWORD, totp_secret: RFC6238_SECRET });
      // Rounds alternate below the limit (every guess counts) and beyond it (10 count, the rest are refused as locked).
      const size = round % 2 ? 16 : 7;
      const burst = Array.from({ length: size }, (_, i) =>
        i % 2 ? verifyPassword(user.id, `wrong ${i}`) : verifyCode(user.id, String(300_000 + i)),
      );
      const statuses = (await Promise.all(burst)).map((r) => r.status);
      const { failures, locked } = await counts(user.id);
      expect(failures, `round ${round}: ${statuses}`).toBe(Math.min(size, 10));
      expect(await updates(user.id), `round ${round}: ${statuses}`).toBe(failures);
      expect(locked).toBe(size >= 10 ? 1 : 0);
    }
  }, 60_000);
});

it("a verify answered before the check emits nothing: no password, a malformed code", async () => {
  const user = await createUser({ totp_secret: RFC6238_SECRET });
  const endpoint = await receiverEndpoint();
  expectError(await verifyPassword(user.id, "anything"), 400, "no_password_set");
  expectError(await verifyCode(user.id, "12345"), 422, "totp_invalid_length");
  expect(await deliveryCount(endpoint)).toBe(0);
});
