import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { call, createUser, expectError, unique } from "../helpers";

let walletCounter = 0;
/** A fresh EVM address (0x + 40 hex). */
function wallet(): string {
  walletCounter += 1;
  return `0x${(Date.now().toString(16) + walletCounter.toString(16).padStart(6, "0")).padStart(40, "a")}`;
}

const getUser = async (id: string) => (await call("GET", `/v1/users/${id}`, undefined, { schema: "User" })).body;

async function addPasskey(userId: string) {
  const result = await call(
    "POST",
    `/v1/users/${userId}/passkeys`,
    { name: "Laptop", credential_id: unique("cred"), public_key: "pQECAyYgASFYIA" },
    { schema: "Passkey" },
  );
  expect(result.status).toBe(200);
  return result.body;
}

async function addExternalAccount(userId: string, extra: Record<string, unknown> = {}) {
  const result = await call(
    "POST",
    `/v1/users/${userId}/external_accounts`,
    { provider: "google", provider_user_id: unique("gid"), access_token: "ya29.secret-token", refresh_token: "1//refresh", ...extra },
    { schema: "ExternalAccountWithVerification" },
  );
  expect(result.status).toBe(200);
  return result.body;
}

describe("DELETE /v1/users/:id/passkeys/:passkey_id", () => {
  it("deletes the passkey and returns a DeletedObject", async () => {
    const user = await createUser({ email_address: [`${unique()}@example.com`] });
    const passkey = await addPasskey(user.id);
    const result = await call("DELETE", `/v1/users/${user.id}/passkeys/${passkey.id}`, undefined, { schema: "DeletedObject" });
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ object: "passkey", id: passkey.id, deleted: true });
    expect((await getUser(user.id)).passkeys).toEqual([]);
    expectError(await call("DELETE", `/v1/users/${user.id}/passkeys/${passkey.id}`), 404, "resource_not_found");
  });

  it("answers 404 for another user's passkey and leaves it in place", async () => {
    const owner = await createUser({ email_address: [`${unique()}@example.com`] });
    const other = await createUser({ email_address: [`${unique()}@example.com`] });
    const passkey = await addPasskey(owner.id);
    expectError(await call("DELETE", `/v1/users/${other.id}/passkeys/${passkey.id}`), 404, "resource_not_found");
    expect((await getUser(owner.id)).passkeys.map((p: any) => p.id)).toEqual([passkey.id]);
  });

  it("answers 404 for an unknown user, and for ids with SQL metacharacters", async () => {
    expectError(await call("DELETE", "/v1/users/user_missing/passkeys/idn_x"), 404, "resource_not_found");
    const user = await createUser({ email_address: [`${unique()}@example.com`] });
    const passkey = await addPasskey(user.id);
    const sneaky = encodeURIComponent("idn_x' OR '1'='1");
    expectError(await call("DELETE", `/v1/users/${user.id}/passkeys/${sneaky}`), 404, "resource_not_found");
    expect((await getUser(user.id)).passkeys).toHaveLength(1);
    expect(passkey.id).toMatch(/^idn_/);
  });

  it("refuses to delete the user's last identification", async () => {
    const user = await createUser({ password: "correct horse battery staple", skip_password_checks: true });
    const passkey = await addPasskey(user.id);
    const error = expectError(await call("DELETE", `/v1/users/${user.id}/passkeys/${passkey.id}`), 400, "identification_deletion_failed");
    expect(error.long_message).toBe("You cannot delete your last identification.");
    expect((await getUser(user.id)).passkeys).toHaveLength(1);
  });

  it("counts a username as an identification", async () => {
    const user = await createUser({ username: unique("ident") });
    const passkey = await addPasskey(user.id);
    expect((await call("DELETE", `/v1/users/${user.id}/passkeys/${passkey.id}`)).status).toBe(200);
  });

  it("lets exactly one of two concurrent removals of the last two identifications succeed", async () => {
    const user = await createUser({ password: "correct horse battery staple", skip_password_checks: true });
    const a = await addPasskey(user.id);
    const b = await addPasskey(user.id);
    const results = await Promise.all([
      call("DELETE", `/v1/users/${user.id}/passkeys/${a.id}`),
      call("DELETE", `/v1/users/${user.id}/passkeys/${b.id}`),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 400]);
    expect((await getUser(user.id)).passkeys).toHaveLength(1);
  });
});

describe("DELETE /v1/users/:id/web3_wallets/:wallet_id", () => {
  it("deleting the primary wallet makes the next one primary, then none", async () => {
    const user = await createUser({ web3_wallet: [wallet(), wallet(), wallet()], email_address: [`${unique()}@example.com`] });
    // Wallets list oldest first (created_at, then id); the next primary is the first remaining one.
    const first = user.web3_wallets.find((w: any) => w.id === user.primary_web3_wallet_id);
    const [second, third] = user.web3_wallets.filter((w: any) => w !== first);

    const deleted = await call("DELETE", `/v1/users/${user.id}/web3_wallets/${first.id}`, undefined, { schema: "DeletedObject" });
    expect(deleted.body).toEqual({ object: "web3_wallet", id: first.id, deleted: true });
    let now = await getUser(user.id);
    expect(now.web3_wallets.map((w: any) => w.id)).toEqual([second.id, third.id]);
    expect(now.primary_web3_wallet_id).toBe(second.id);

    // Removing a non-primary wallet keeps the primary.
    await call("DELETE", `/v1/users/${user.id}/web3_wallets/${third.id}`);
    now = await getUser(user.id);
    expect(now.primary_web3_wallet_id).toBe(second.id);

    await call("DELETE", `/v1/users/${user.id}/web3_wallets/${second.id}`);
    now = await getUser(user.id);
    expect(now.web3_wallets).toEqual([]);
    expect(now.primary_web3_wallet_id).toBeNull();
    const row = await env.DB.prepare("SELECT primary_web3_wallet_sort AS s FROM users WHERE id = ?").bind(user.id).first();
    expect(row).toEqual({ s: null });
  });

  it("keeps the sort column in step with the new primary", async () => {
    const addresses = [wallet(), wallet()];
    const user = await createUser({ web3_wallet: addresses });
    const remaining = user.web3_wallets.find((w: any) => w.id !== user.primary_web3_wallet_id);
    await call("DELETE", `/v1/users/${user.id}/web3_wallets/${user.primary_web3_wallet_id}`);
    const row = await env.DB.prepare("SELECT primary_web3_wallet_id AS id, primary_web3_wallet_sort AS s FROM users WHERE id = ?")
      .bind(user.id)
      .first();
    expect(row).toEqual({ id: remaining.id, s: remaining.web3_wallet });
  });

  it("refuses the last wallet when it is the only identification, and 404s another user's wallet", async () => {
    const user = await createUser({ web3_wallet: [wallet()] });
    const other = await createUser({ web3_wallet: [wallet(), wallet()] });
    expectError(await call("DELETE", `/v1/users/${user.id}/web3_wallets/${user.web3_wallets[0].id}`), 400, "identification_deletion_failed");
    expectError(await call("DELETE", `/v1/users/${user.id}/web3_wallets/${other.web3_wallets[0].id}`), 404, "resource_not_found");
    expect((await getUser(other.id)).web3_wallets).toHaveLength(2);
    expect((await getUser(user.id)).web3_wallets).toHaveLength(1);
  });
});

describe("DELETE /v1/users/:id/external_accounts/:eac_id", () => {
  it("deletes the account with its sealed tokens and its linked identification", async () => {
    const email = `${unique()}@example.com`;
    const user = await createUser({ email_address: [email] });
    const account = await addExternalAccount(user.id, { email_address: email });
    let now = await getUser(user.id);
    expect(now.email_addresses[0].linked_to).toEqual([{ type: "oauth_google", id: account.identification_id }]);

    const deleted = await call("DELETE", `/v1/users/${user.id}/external_accounts/${account.id}`, undefined, { schema: "DeletedObject" });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ object: "external_account", id: account.id, deleted: true });
    now = await getUser(user.id);
    expect(now.external_accounts).toEqual([]);
    expect(now.email_addresses[0].linked_to).toEqual([]);
    expect(now.email_addresses[0].email_address).toBe(email);
    const rows = await env.DB.prepare("SELECT count(*) AS n FROM external_accounts WHERE id = ? OR identification_id = ?")
      .bind(account.id, account.identification_id)
      .first();
    expect(rows).toEqual({ n: 0 });
  });

  it("answers 404 for another user's account and leaves it in place", async () => {
    const owner = await createUser({ email_address: [`${unique()}@example.com`] });
    const other = await createUser({ email_address: [`${unique()}@example.com`] });
    const account = await addExternalAccount(owner.id);
    expectError(await call("DELETE", `/v1/users/${other.id}/external_accounts/${account.id}`), 404, "resource_not_found");
    expect((await getUser(owner.id)).external_accounts.map((a: any) => a.id)).toEqual([account.id]);
  });

  it("refuses to delete the only identification", async () => {
    const user = await createUser({ password: "correct horse battery staple", skip_password_checks: true });
    const account = await addExternalAccount(user.id);
    expectError(await call("DELETE", `/v1/users/${user.id}/external_accounts/${account.id}`), 400, "identification_deletion_failed");
    expect((await getUser(user.id)).external_accounts).toHaveLength(1);
  });

  it("bumps the user's updated_at on removal", async () => {
    const user = await createUser({ email_address: [`${unique()}@example.com`] });
    const account = await addExternalAccount(user.id);
    await env.DB.prepare("UPDATE users SET updated_at = 1 WHERE id = ?").bind(user.id).run();
    await call("DELETE", `/v1/users/${user.id}/external_accounts/${account.id}`);
    expect((await getUser(user.id)).updated_at).toBeGreaterThan(1);
  });
});
