/**
 * Memory-hard verifications (argon2, scrypt) share one memory budget per isolate
 * (workers/crypto/hashers/memory-gate.ts): concurrent verifications of the largest accepted
 * digests (64 MiB) run one at a time, smaller ones side by side, and all answer correctly.
 * The digests were made by independent implementations (the argon2 reference library through
 * node-argon2, and Node's OpenSSL scrypt in Werkzeug's format).
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createContext } from "../../workers/context";
import { hashingMemoryUsage, MEMORY_HARD_BUDGET_BYTES, withHashingMemory } from "../../workers/crypto/hashers/memory-gate";
import type { ApiError } from "../../workers/http/errors";
import { verifyUserPassword } from "../../workers/services/credentials";
import { createUser } from "../helpers";

const PASSWORD = "memory-hard password ✓";
const MIB = 1024 * 1024;
const DIGESTS = {
  // argon2-cffi's default memory (64 MiB), 4 lanes; t=1 keeps the test fast.
  argon2id64: "$argon2id$v=19$m=65536,p=4,t=1$MDEyMzQ1Njc4OWFiY2RlZg$0TMGTX44pVHDlKURZ7FXlA8e76VaPxkcPJuB/O5NV1w",
  argon2i64: "$argon2i$v=19$m=65536,p=1,t=1$ZmVkY2JhOTg3NjU0MzIxMA$Gk0iKNDm26fiTZDksWTcZsBXqKpxmgWaqpXoRsfPE2E",
  argon2id16: "$argon2id$v=19$m=16384,p=1,t=1$c21hbGwtc2FsdC0xNmJ5dA$H2ULu9yCTsgu1LnwPAYr9KVi+TNgzlLZJJjBTAtZrK0",
  // N=2^16, r=8: 128·N·r = 64 MiB, the largest scrypt accepted.
  scrypt64: "scrypt:65536:8:1$werkzeugSalt64Mi$c8806788278d72391a27d9d5de7a56a904f4c2e97fbbb32aecb41452f4654299",
};

const ctx = () => createContext(env, new Request("https://api.test/"));

/** "ok", or the error code the verification threw. */
async function outcome(userId: string, password: string): Promise<string> {
  try {
    await verifyUserPassword(ctx(), userId, password);
    return "ok";
  } catch (error) {
    return (error as ApiError).code;
  }
}

async function userWith(hasher: string, digest: string): Promise<string> {
  return (await createUser({ password_digest: digest, password_hasher: hasher })).id;
}

describe("memory-hard verifications share one budget per isolate", () => {
  it("concurrent 64 MiB argon2 and scrypt verifications run one at a time, and each answers correctly", async () => {
    const users = {
      argon2id: await userWith("argon2id", DIGESTS.argon2id64),
      argon2i: await userWith("argon2i", DIGESTS.argon2i64),
      scrypt: await userWith("scrypt_werkzeug", DIGESTS.scrypt64),
    };
    const attempts: [string, string, string][] = [
      [users.argon2id, PASSWORD, "ok"],
      [users.argon2i, PASSWORD, "ok"],
      [users.scrypt, PASSWORD, "ok"],
      [users.argon2id, `${PASSWORD}!`, "incorrect_password"],
      [users.scrypt, "wrong", "incorrect_password"],
    ];
    const results = await Promise.all(attempts.map(([id, password]) => outcome(id, password)));
    expect(results).toEqual(attempts.map((a) => a[2]));
    const usage = hashingMemoryUsage();
    // Nothing else in this file's isolate had run memory-hard hashing before this test.
    expect(usage.peakRunning).toBe(1);
    expect(usage.peakBytes).toBeLessThanOrEqual(MEMORY_HARD_BUDGET_BYTES);
    // They did arrive together: all but the first waited.
    expect(usage.peakQueued).toBe(attempts.length - 1);
    expect(usage).toMatchObject({ inUseBytes: 0, running: 0, queued: 0 });
  }, 60_000);

  it("smaller computations run side by side within the budget, and a failing one releases its share", async () => {
    const ids = await Promise.all(Array.from({ length: 4 }, () => userWith("argon2id", DIGESTS.argon2id16)));
    const results = await Promise.all(ids.map((id, i) => outcome(id, i % 2 ? PASSWORD : "not it")));
    expect(results).toEqual(["incorrect_password", "ok", "incorrect_password", "ok"]);
    // Four 16 MiB computations fit in 64 MiB at once (the peak so far was 1, in the test above).
    expect(4 * 16 * MIB).toBe(MEMORY_HARD_BUDGET_BYTES);
    expect(hashingMemoryUsage().peakRunning).toBe(4);

    await expect(withHashingMemory(MEMORY_HARD_BUDGET_BYTES, async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(hashingMemoryUsage()).toMatchObject({ inUseBytes: 0, running: 0, queued: 0 });
    // The whole budget is free again: a 64 MiB verification starts at once and verifies.
    expect(await outcome(await userWith("argon2id", DIGESTS.argon2id64), PASSWORD)).toBe("ok");
  }, 60_000);
});
