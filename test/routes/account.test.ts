import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { call, createUser, expectError, unique } from "../helpers";

const getUser = async (id: string) => (await call("GET", `/v1/users/${id}`, undefined, { schema: "User" })).body;

afterEach(() => {
  vi.useRealTimers();
});

describe("POST /v1/users/:id/ban and /unban", () => {
  it("bans and unbans with the SDK's empty JSON body, returning the User", async () => {
    const user = await createUser({ username: unique("ban") });
    const banned = await call("POST", `/v1/users/${user.id}/ban`, undefined, { schema: "User" });
    expect(banned.status).toBe(200);
    expect(banned.body.banned).toBe(true);
    expect((await getUser(user.id)).banned).toBe(true);
    const unbanned = await call("POST", `/v1/users/${user.id}/unban`, undefined, { schema: "User" });
    expect(unbanned.body.banned).toBe(false);
    expect((await getUser(user.id)).banned).toBe(false);
  });

  it("answers 404 for an unknown user", async () => {
    expectError(await call("POST", "/v1/users/user_missing/ban"), 404, "resource_not_found");
    expectError(await call("POST", "/v1/users/user_missing/unlock"), 404, "resource_not_found");
  });

  it("accepts banned and locked on create", async () => {
    const user = await createUser({ username: unique("created"), banned: true, locked: true });
    expect(user.banned).toBe(true);
    expect(user.locked).toBe(true);
  });
});

describe("POST /v1/users/ban and /unban (bulk)", () => {
  it("bans every listed user and returns them in order, duplicates collapsed", async () => {
    const a = await createUser({ username: unique("bulka") });
    const b = await createUser({ username: unique("bulkb") });
    const c = await createUser({ username: unique("bulkc") });
    const result = await call("POST", "/v1/users/ban", { user_ids: [c.id, a.id, c.id, b.id] }, { schema: ["User"] });
    expect(result.status).toBe(200);
    expect(result.body.map((u: any) => u.id)).toEqual([c.id, a.id, b.id]);
    expect(result.body.every((u: any) => u.banned)).toBe(true);
    const unbanned = await call("POST", "/v1/users/unban", { user_ids: [a.id, b.id] }, { schema: ["User"] });
    expect(unbanned.body.map((u: any) => [u.id, u.banned])).toEqual([
      [a.id, false],
      [b.id, false],
    ]);
    expect((await getUser(c.id)).banned).toBe(true);
  });

  it("changes nothing when any id is unknown: 400 form_param_value_invalid naming user_ids with the unknown ids", async () => {
    const a = await createUser({ username: unique("allornone") });
    const sneaky = "user_x' OR '1'='1";
    const error = expectError(
      await call("POST", "/v1/users/ban", { user_ids: [a.id, "user_missing1", sneaky] }),
      400,
      "form_param_value_invalid",
      "user_ids",
    );
    expect(error.long_message).toContain("user_missing1");
    expect(error.long_message).toContain(sneaky);
    expect(error.long_message).not.toContain(a.id);
    expect((await getUser(a.id)).banned).toBe(false);
  });

  it("validates the body: 1..50 ids, strings, no other keys", async () => {
    expectError(await call("POST", "/v1/users/ban", {}), 422, "form_param_missing", "user_ids");
    expectError(await call("POST", "/v1/users/ban", { user_ids: [] }), 422, "form_param_missing", "user_ids");
    const ids = Array.from({ length: 51 }, (_, i) => `user_${i}`);
    expectError(await call("POST", "/v1/users/unban", { user_ids: ids }), 422, "form_param_array_size_exceeded", "user_ids");
    expectError(await call("POST", "/v1/users/ban", { user_ids: "user_1" }), 422, "form_param_type_invalid", "user_ids");
    expectError(await call("POST", "/v1/users/ban", { user_ids: ["user_1"], banned: true }), 422, "form_param_unknown", "banned");
  });

  it("bans 50 users in one request", async () => {
    const users = await Promise.all(Array.from({ length: 50 }, (_, i) => createUser({ username: unique(`fifty${i}x`) })));
    const result = await call("POST", "/v1/users/ban", { user_ids: users.map((u) => u.id) }, { schema: ["User"] });
    expect(result.status).toBe(200);
    expect(result.body).toHaveLength(50);
    expect(result.body.every((u: any) => u.banned)).toBe(true);
  });
});

describe("POST /v1/users/:id/lock and /unlock", () => {
  it("locks for LOCKOUT_DURATION_SECONDS, counts down, and reads unlocked after expiry with no job", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const t0 = Date.UTC(2031, 5, 1);
    vi.setSystemTime(t0);
    const user = await createUser({ username: unique("lock") });
    const locked = await call("POST", `/v1/users/${user.id}/lock`, undefined, { schema: "User" });
    expect(locked.status).toBe(200);
    expect(locked.body.locked).toBe(true);
    expect(locked.body.lockout_expires_in_seconds).toBe(3600);
    vi.setSystemTime(t0 + 1_000_500);
    const later = await getUser(user.id);
    expect(later.locked).toBe(true);
    expect(later.lockout_expires_in_seconds).toBe(2600);
    vi.setSystemTime(t0 + 3_600_000);
    const expired = await getUser(user.id);
    expect(expired.locked).toBe(false);
    expect(expired.lockout_expires_in_seconds).toBeNull();
  });

  it("locks indefinitely when LOCKOUT_DURATION_SECONDS is 0", async () => {
    const vars = { LOCKOUT_DURATION_SECONDS: "0" };
    const user = await createUser({ username: unique("forever") });
    const locked = await call("POST", `/v1/users/${user.id}/lock`, undefined, { schema: "User", vars });
    expect(locked.body.locked).toBe(true);
    expect(locked.body.lockout_expires_in_seconds).toBeNull();
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 10 * 365 * 24 * 3600 * 1000);
    expect((await getUser(user.id)).locked).toBe(true);
  });

  it("unlock clears the lock and resets the failed attempts", async () => {
    const user = await createUser({ username: unique("unlock") });
    await call("POST", `/v1/users/${user.id}/lock`);
    await env.DB.prepare("UPDATE users SET failed_verification_attempts = 7 WHERE id = ?").bind(user.id).run();
    expect((await getUser(user.id)).verification_attempts_remaining).toBe(3);
    const unlocked = await call("POST", `/v1/users/${user.id}/unlock`, undefined, { schema: "User" });
    expect(unlocked.status).toBe(200);
    expect(unlocked.body.locked).toBe(false);
    expect(unlocked.body.lockout_expires_in_seconds).toBeNull();
    expect(unlocked.body.verification_attempts_remaining).toBe(10);
    const row = await env.DB.prepare("SELECT locked_at, locked_until, failed_verification_attempts AS f FROM users WHERE id = ?")
      .bind(user.id)
      .first();
    expect(row).toEqual({ locked_at: null, locked_until: null, f: 0 });
  });

  it("unlocking a user who is not locked is a harmless no-op", async () => {
    const user = await createUser({ username: unique("notlocked") });
    const unlocked = await call("POST", `/v1/users/${user.id}/unlock`, undefined, { schema: "User" });
    expect(unlocked.status).toBe(200);
    expect(unlocked.body.locked).toBe(false);
  });
});
