import { createClerkClient, type UserJSON } from "@clerk/backend";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { apiUrl, clerk } from "./client";
import { startWorker, type WorkerProcess } from "./worker-process";

const PNG = Uint8Array.from(atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="), (c) =>
  c.charCodeAt(0),
);

let n = 0;
const uniq = (prefix: string) => {
  n += 1;
  return `${prefix}${Date.now().toString(36)}${n}`;
};

/** The extension endpoints have no SDK method: call them over HTTP with the same key. */
async function postExtension(path: string, body: unknown): Promise<any> {
  const response = await fetch(`${apiUrl()}/v1${path}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${inject("secretKey")}`, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
  return response.json();
}

describe("account state, images and identity removal through the official client", () => {
  it("banUser / unbanUser", async () => {
    const client = clerk();
    const user = await client.users.createUser({ username: uniq("e2eban") });
    expect((await client.users.banUser(user.id)).banned).toBe(true);
    expect((await client.users.getUser(user.id)).banned).toBe(true);
    expect((await client.users.unbanUser(user.id)).banned).toBe(false);
  });

  it("lockUser / unlockUser", async () => {
    const client = clerk();
    const user = await client.users.createUser({ username: uniq("e2elock") });
    const locked = await client.users.lockUser(user.id);
    expect(locked.locked).toBe(true);
    // The SDK's User does not map lockout_expires_in_seconds; it is in the raw JSON.
    expect(locked.raw?.lockout_expires_in_seconds).toBeGreaterThan(3500);
    const unlocked = await client.users.unlockUser(user.id);
    expect(unlocked.locked).toBe(false);
    expect(unlocked.raw?.lockout_expires_in_seconds).toBeNull();
  });

  it("updateUserProfileImage with a Blob, the public image URL, then deleteUserProfileImage", async () => {
    const client = clerk();
    const user = await client.users.createUser({ username: uniq("e2eimg"), firstName: "Ada", lastName: "Lovelace" });
    expect(user.hasImage).toBe(false);
    expect(user.imageUrl).toBe(`${apiUrl()}/images/avatars/AL.svg`);
    const updated = await client.users.updateUserProfileImage(user.id, { file: new Blob([PNG], { type: "image/png" }) });
    expect(updated.hasImage).toBe(true);
    expect(updated.imageUrl).toMatch(new RegExp(`^${apiUrl()}/images/img_`));

    const image = await fetch(updated.imageUrl);
    expect(image.status).toBe(200);
    expect(image.headers.get("content-type")).toBe("image/png");
    expect(new Uint8Array(await image.arrayBuffer())).toEqual(PNG);
    const etag = image.headers.get("etag")!;
    expect((await fetch(updated.imageUrl, { headers: { "If-None-Match": etag } })).status).toBe(304);

    const cleared = await client.users.deleteUserProfileImage(user.id);
    expect(cleared.hasImage).toBe(false);
    expect(cleared.imageUrl).toBe(`${apiUrl()}/images/avatars/AL.svg`);
    expect((await fetch(updated.imageUrl)).status).toBe(404);
    const avatar = await fetch(cleared.imageUrl);
    expect(avatar.headers.get("content-type")).toBe("image/svg+xml");
    expect(await avatar.text()).toContain(">AL</text>");
  });

  it("deleteUserPasskey and deleteUserExternalAccount", async () => {
    const client = clerk();
    const user = await client.users.createUser({ emailAddress: [`${uniq("e2eid")}@example.com`] });
    const passkey = await postExtension(`/users/${user.id}/passkeys`, { name: "Phone", credential_id: uniq("cred"), public_key: "pQECAyYgASFYIA" });
    const account = await postExtension(`/users/${user.id}/external_accounts`, {
      provider: "oauth_github",
      provider_user_id: uniq("gh"),
      access_token: "gho_secret",
    });

    const deletedPasskey = await client.users.deleteUserPasskey({ userId: user.id, passkeyIdentificationId: passkey.id });
    expect(deletedPasskey).toMatchObject({ object: "passkey", id: passkey.id, deleted: true });
    const deletedAccount = await client.users.deleteUserExternalAccount({ userId: user.id, externalAccountId: account.id });
    expect(deletedAccount).toMatchObject({ object: "external_account", id: account.id, deleted: true });

    const after = await client.users.getUser(user.id);
    // The SDK's User does not map passkeys (nor does its UserJSON type name them); they are in the raw JSON.
    const raw = after.raw as (UserJSON & { passkeys: unknown[] }) | null;
    expect(raw?.passkeys).toEqual([]);
    expect(after.externalAccounts).toEqual([]);
    await expect(client.users.deleteUserPasskey({ userId: user.id, passkeyIdentificationId: passkey.id })).rejects.toMatchObject({ status: 404 });
  });
});

describe("create-user rate limit through the official client", () => {
  let limited: WorkerProcess;
  beforeAll(async () => {
    limited = await startWorker({
      CLERK_SECRET_KEY: inject("secretKey"),
      CREDENTIALS_ENCRYPTION_KEY: "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
      BCRYPT_COST: "4",
      USER_CREATE_RATE_LIMIT: "20",
      USER_CREATE_RATE_WINDOW_SECONDS: "10",
    });
  });
  afterAll(async () => {
    await limited?.stop();
  });

  it("surfaces a 429 as ClerkAPIResponseError with retryAfter", async () => {
    const client = createClerkClient({ secretKey: inject("secretKey"), apiUrl: limited.url });
    const results = await Promise.allSettled(Array.from({ length: 25 }, () => client.users.createUser({ username: uniq("e2erl") })));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(20);
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(rejected).toHaveLength(5);
    for (const { reason } of rejected) {
      expect(reason.status).toBe(429);
      expect(reason.errors[0].code).toBe("too_many_requests");
      expect(reason.retryAfter).toBeGreaterThanOrEqual(1);
      expect(reason.retryAfter).toBeLessThanOrEqual(10);
    }
  });
});
