/**
 * Creates and updates at the request schema's list limits (workers/schemas/users.ts: 100 email
 * addresses, phone numbers, web3 wallets and backup codes), which need more than D1's 100 bound
 * parameters per statement: the child rows are inserted in several statements of one batch.
 */
import { describe, expect, it } from "vitest";
import { rowsOwnedBy, tableCounts } from "../db";
import { call, createUser, expectError, unique } from "../helpers";
import { newPhone, newWallet } from "../identifiers";

const LIMIT = 100;
const list = <T>(n: number, make: (i: number) => T) => Array.from({ length: n }, (_, i) => make(i));
const emails = (n: number, tag = unique("lim")) => list(n, (i) => `${tag}-${i}@example.com`);
const verifyCode = (id: string, code: string) => call("POST", `/v1/users/${id}/verify_totp`, { code });

describe("POST /v1/users and PATCH at the schema's list limits", () => {
  // The smallest counts that used to exceed 100 parameters in one INSERT, and the limits.
  for (const n of [12, LIMIT]) {
    it(`creates a user with ${n} email addresses, phone numbers and web3 wallets and ${n} backup codes`, async () => {
      const input = { email_address: emails(n), phone_number: list(n, newPhone), web3_wallet: list(n, newWallet) };
      const codes = list(n, (i) => `limit-code-${n}-${i}`);
      const user = await createUser({ ...input, backup_codes: codes });
      expect(user.email_addresses.map((e: { email_address: string }) => e.email_address)).toEqual(input.email_address);
      expect(user.phone_numbers.map((p: { phone_number: string }) => p.phone_number)).toEqual(input.phone_number);
      expect(user.web3_wallets.map((w: { web3_wallet: string }) => w.web3_wallet)).toEqual(input.web3_wallet);
      expect(user.primary_email_address_id).toBe(user.email_addresses[0].id);
      expect(user.backup_code_enabled).toBe(true);
      expect(await rowsOwnedBy("backup_codes", user.id)).toBe(n);
      // The first and the last code (in different INSERT statements) both verify.
      expect((await verifyCode(user.id, codes[0])).body.code_type).toBe("backup_code");
      expect((await verifyCode(user.id, codes[n - 1])).body.code_type).toBe("backup_code");
      // Each identifier is findable, the last one too.
      const found = await call("GET", `/v1/users?email_address=${encodeURIComponent(input.email_address[n - 1])}`, undefined, { schema: ["User"] });
      expect(found.body.map((u: { id: string }) => u.id)).toEqual([user.id]);
    }, 30_000);
  }

  it(`replaces backup codes with ${LIMIT} on PATCH (and 21, the first count over one statement)`, async () => {
    const user = await createUser({ backup_codes: ["before-1"] });
    for (const n of [21, LIMIT]) {
      const codes = list(n, (i) => `patched-${n}-${i}`);
      const updated = await call("PATCH", `/v1/users/${user.id}`, { backup_codes: codes }, { schema: "User" });
      expect(updated.status, JSON.stringify(updated.body)).toBe(200);
      expect(await rowsOwnedBy("backup_codes", user.id)).toBe(n);
      expect((await verifyCode(user.id, codes[n - 1])).body.code_type).toBe("backup_code");
    }
    expectError(await verifyCode(user.id, "before-1"), 422, "totp_incorrect_code");
  });

  it("one over the limits is refused with Clerk's error", async () => {
    expectError(await call("POST", "/v1/users", { email_address: emails(LIMIT + 1) }), 422, "form_param_array_size_exceeded", "email_address");
    expectError(
      await call("POST", "/v1/users", { backup_codes: list(LIMIT + 1, (i) => `c${i}`) }),
      422,
      "form_param_array_size_exceeded",
      "backup_codes",
    );
  });

  it("all statements are one transaction: of two concurrent creates sharing only their last email, one writes everything, the other nothing", async () => {
    for (let round = 0; round < 5; round++) {
      const shared = `${unique("shared")}@example.com`;
      const before = await tableCounts();
      const bodies = [0, 1].map(() => ({ email_address: [...emails(LIMIT - 1), shared], web3_wallet: list(LIMIT, newWallet) }));
      const results = await Promise.all(bodies.map((body) => call("POST", "/v1/users", body)));
      const winners = results.filter((r) => r.status === 200);
      expect(winners, JSON.stringify(results.map((r) => r.status))).toHaveLength(1);
      expectError(results.find((r) => r.status !== 200)!, 422, "form_identifier_exists", "email_address");
      const after = await tableCounts();
      expect(after.users - before.users).toBe(1);
      expect(after.email_addresses - before.email_addresses).toBe(LIMIT);
      expect(after.web3_wallets - before.web3_wallets).toBe(LIMIT);
    }
  }, 60_000);
});
