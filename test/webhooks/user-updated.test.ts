/**
 * The user.updated sources beyond the core user routes: profile image, password admin, MFA
 * removal, identity creation and removal. Each change emits exactly one user.updated whose data
 * is the User as the route answered it (or as GET answers right after, for routes that answer
 * something else); a refused change emits none.
 */
import { describe, expect, it } from "vitest";
import { RFC6238_SECRET } from "../crypto/vectors";
import { call, createUser, unique } from "../helpers";
import { deliveryCount, receiverEndpoint, verifiedEvent, waitForDeliveries } from "./support";

const PNG = Uint8Array.from(atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="), (c) =>
  c.charCodeAt(0),
);

let walletCounter = 0;
function wallet(): string {
  walletCounter += 1;
  return `0x${(Date.now().toString(16) + walletCounter.toString(16).padStart(6, "0")).padStart(40, "b")}`;
}

/** `change` against a fresh user.updated endpoint: exactly one event, with data `expected()` (read after the change). */
async function expectOneUpdate(change: () => Promise<{ status: number; body: any }>, expected?: (answer: any) => Promise<unknown>): Promise<any> {
  const endpoint = await receiverEndpoint("ok", { events: ["user.updated"] });
  const answer = await change();
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  expect(await deliveryCount(endpoint)).toBe(1);
  const [delivery] = await waitForDeliveries(endpoint, 1);
  const event = await verifiedEvent(endpoint, delivery);
  expect(event.type).toBe("user.updated");
  expect(event.data).toEqual(expected ? await expected(answer.body) : answer.body);
  return event;
}

/** The user as GET answers now (for routes whose answer is not the User). */
const getUser = (id: string) => async () => (await call("GET", `/v1/users/${id}`, undefined, { schema: "User" })).body;

/** `change` against a fresh endpoint subscribed to everything: refused with `status`, no event. */
async function expectNoEvent(change: () => Promise<{ status: number }>, status: number): Promise<void> {
  const endpoint = await receiverEndpoint();
  expect((await change()).status).toBe(status);
  expect(await deliveryCount(endpoint)).toBe(0);
}

function imageForm(): FormData {
  const data = new FormData();
  data.append("file", new File([PNG], "blob", { type: "image/png" }));
  return data;
}

describe("user.updated from the profile image routes", () => {
  it("POST profile_image", async () => {
    const user = await createUser();
    const event = await expectOneUpdate(() =>
      call("POST", `/v1/users/${user.id}/profile_image`, undefined, { rawBody: imageForm(), schema: "User" }),
    );
    expect(event.data.has_image).toBe(true);
  });

  it("DELETE profile_image; none when there is no image", async () => {
    const user = await createUser();
    expect((await call("POST", `/v1/users/${user.id}/profile_image`, undefined, { rawBody: imageForm() })).status).toBe(200);
    const event = await expectOneUpdate(() => call("DELETE", `/v1/users/${user.id}/profile_image`, undefined, { schema: "User" }));
    expect(event.data.has_image).toBe(false);
    await expectNoEvent(() => call("DELETE", `/v1/users/${user.id}/profile_image`), 404);
  });
});

describe("user.updated from the password routes", () => {
  it("remove_password; none when the user has no password", async () => {
    const user = await createUser({ password: "correct horse battery", username: unique("pw") });
    const event = await expectOneUpdate(() => call("POST", `/v1/users/${user.id}/remove_password`, {}, { schema: "User" }));
    expect(event.data.password_enabled).toBe(false);
    await expectNoEvent(() => call("POST", `/v1/users/${user.id}/remove_password`, {}), 200);
  });

  it("password/set_compromised and unset_compromised; none without a password", async () => {
    const user = await createUser({ password: "correct horse battery" });
    await expectOneUpdate(() => call("POST", `/v1/users/${user.id}/password/set_compromised`, {}, { schema: "User" }));
    await expectOneUpdate(() => call("POST", `/v1/users/${user.id}/password/unset_compromised`, {}, { schema: "User" }));
    const none = await createUser();
    await expectNoEvent(() => call("POST", `/v1/users/${none.id}/password/set_compromised`, {}), 400);
  });
});

describe("user.updated from the MFA removal routes", () => {
  it("DELETE totp", async () => {
    const user = await createUser({ totp_secret: RFC6238_SECRET });
    const event = await expectOneUpdate(() => call("DELETE", `/v1/users/${user.id}/totp`), getUser(user.id));
    expect(event.data.totp_enabled).toBe(false);
  });

  it("DELETE backup_code", async () => {
    const user = await createUser({ totp_secret: RFC6238_SECRET, backup_codes: ["hook-code-1"] });
    const event = await expectOneUpdate(() => call("DELETE", `/v1/users/${user.id}/backup_code`), getUser(user.id));
    expect(event.data).toMatchObject({ backup_code_enabled: false, totp_enabled: true });
  });

  // Failed verifications and lockout counts: verification.test.ts.
  it("verify_totp using up the last backup code (backup codes turn off)", async () => {
    const user = await createUser({ totp_secret: RFC6238_SECRET, backup_codes: ["hook-last-1"] });
    const event = await expectOneUpdate(() => call("POST", `/v1/users/${user.id}/verify_totp`, { code: "hook-last-1" }), getUser(user.id));
    expect(event.data).toMatchObject({ backup_code_enabled: false, totp_enabled: true });
  });

  it("DELETE mfa", async () => {
    const user = await createUser({ totp_secret: RFC6238_SECRET, backup_codes: ["hook-code-2"] });
    const event = await expectOneUpdate(() => call("DELETE", `/v1/users/${user.id}/mfa`), getUser(user.id));
    expect(event.data).toMatchObject({ backup_code_enabled: false, totp_enabled: false, two_factor_enabled: false });
  });
});

describe("user.updated from identity creation and removal", () => {
  it("POST passkeys, then DELETE it", async () => {
    const user = await createUser({ email_address: [`${unique("pk")}@example.com`] });
    const created = await expectOneUpdate(
      () => call("POST", `/v1/users/${user.id}/passkeys`, { name: "Laptop", credential_id: unique("cred"), public_key: "pQECAyYgASFYIA" }),
      getUser(user.id),
    );
    expect(created.data.passkeys).toHaveLength(1);
    const passkeyId = created.data.passkeys[0].id;
    const deleted = await expectOneUpdate(() => call("DELETE", `/v1/users/${user.id}/passkeys/${passkeyId}`), getUser(user.id));
    expect(deleted.data.passkeys).toEqual([]);
  });

  it("POST external_accounts, then DELETE it", async () => {
    const user = await createUser({ email_address: [`${unique("xa")}@example.com`] });
    const created = await expectOneUpdate(
      () =>
        call("POST", `/v1/users/${user.id}/external_accounts`, {
          provider: "oauth_github",
          provider_user_id: unique("gh"),
          access_token: "gho_secret",
        }),
      getUser(user.id),
    );
    expect(created.data.external_accounts).toHaveLength(1);
    expect(JSON.stringify(created.data)).not.toContain("gho_secret");
    const accountId = created.data.external_accounts[0].id;
    const deleted = await expectOneUpdate(() => call("DELETE", `/v1/users/${user.id}/external_accounts/${accountId}`), getUser(user.id));
    expect(deleted.data.external_accounts).toEqual([]);
  });

  it("DELETE web3_wallets (the primary: the next becomes primary)", async () => {
    const user = await createUser({ web3_wallet: [wallet(), wallet()] });
    const first = user.web3_wallets[0];
    const event = await expectOneUpdate(() => call("DELETE", `/v1/users/${user.id}/web3_wallets/${first.id}`), getUser(user.id));
    expect(event.data.web3_wallets).toHaveLength(1);
    expect(event.data.primary_web3_wallet_id).toBe(event.data.web3_wallets[0].id);
  });

  it("none for a refused change: the last identification, a taken passkey credential, someone else's identity", async () => {
    const user = await createUser({ web3_wallet: [wallet()] });
    await expectNoEvent(() => call("DELETE", `/v1/users/${user.id}/web3_wallets/${user.web3_wallets[0].id}`), 400);
    const credential = unique("cred");
    expect((await call("POST", `/v1/users/${user.id}/passkeys`, { name: "A", credential_id: credential, public_key: "pQECAyYgASFYIA" })).status).toBe(
      200,
    );
    await expectNoEvent(
      () => call("POST", `/v1/users/${user.id}/passkeys`, { name: "B", credential_id: credential, public_key: "pQECAyYgASFYIA" }),
      422,
    );
    const other = await createUser({ web3_wallet: [wallet(), wallet()] });
    await expectNoEvent(() => call("DELETE", `/v1/users/${user.id}/web3_wallets/${other.web3_wallets[0].id}`), 404);
  });
});
