/**
 * DELETE /v1/users/{id}: the DeletedObject, and that everything the user owns goes with it
 * (identification rows, passkeys, external accounts, image rows and their R2 objects).
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { newId } from "../../workers/crypto/ids";
import { rowsOwnedBy, tableCounts, USER_TABLES } from "../db";
import { call, createUser, expectError, unique } from "../helpers";
import { newPhone, newWallet } from "../identifiers";

async function userWithEverything() {
  const email = `${unique("del")}@example.com`;
  const user = await createUser({
    email_address: [email],
    phone_number: [newPhone()],
    web3_wallet: [newWallet()],
    username: unique("deleted"),
    external_id: unique("ext"),
    password: "delete-me-Q7v!pass",
  });
  const passkey = await call("POST", `/v1/users/${user.id}/passkeys`, { name: "Key", credential_id: unique("cred"), public_key: "pk" });
  expect(passkey.status).toBe(200);
  const account = await call("POST", `/v1/users/${user.id}/external_accounts`, {
    provider: "oauth_google",
    provider_user_id: unique("g"),
    email_address: email,
    access_token: "secret-token",
  });
  expect(account.status).toBe(200);
  // An uploaded profile image: its row and its R2 object (the images issue adds the upload route).
  const imageId = newId("img");
  await env.DB.prepare("insert into images (id, user_id, content_type, size, created_at) values (?, ?, 'image/png', 3, ?)")
    .bind(imageId, user.id, Date.now())
    .run();
  await env.IMAGES.put(imageId, new Uint8Array([1, 2, 3]));
  return { user, imageId };
}

describe("DELETE /v1/users/{user_id}", () => {
  it("answers the DeletedObject and the user is gone afterwards", async () => {
    const { user } = await userWithEverything();
    const result = await call("DELETE", `/v1/users/${user.id}`, undefined, { schema: "DeletedObject" });
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ object: "user", id: user.id, deleted: true });
    expectError(await call("GET", `/v1/users/${user.id}`), 404, "resource_not_found");
    expectError(await call("DELETE", `/v1/users/${user.id}`), 404, "resource_not_found");
    expectError(await call("PATCH", `/v1/users/${user.id}/metadata`, { public_metadata: {} }), 404, "resource_not_found");
  });

  it("removes every row and R2 object the user owns, and nothing of anyone else", async () => {
    const bystander = await userWithEverything();
    const { user, imageId } = await userWithEverything();
    for (const table of USER_TABLES.filter((t) => t !== "backup_codes")) expect(await rowsOwnedBy(table, user.id), table).toBeGreaterThan(0);
    const before = await tableCounts();

    expect((await call("DELETE", `/v1/users/${user.id}`)).status).toBe(200);

    for (const table of USER_TABLES) expect(await rowsOwnedBy(table, user.id), table).toBe(0);
    expect(await env.IMAGES.get(imageId)).toBeNull();
    const after = await tableCounts();
    expect(after.users).toBe(before.users - 1);
    expect(after.email_addresses).toBe(before.email_addresses - 1);
    expect(after.passkeys).toBe(before.passkeys - 1);
    expect(after.external_accounts).toBe(before.external_accounts - 1);
    // The bystander is whole.
    expect((await call("GET", `/v1/users/${bystander.user.id}`, undefined, { schema: "User" })).body).toMatchObject({ id: bystander.user.id });
    expect(await env.IMAGES.get(bystander.imageId)).not.toBeNull();
  });

  it("frees the user's identifiers for reuse", async () => {
    const { user } = await userWithEverything();
    await call("DELETE", `/v1/users/${user.id}`);
    const reused = await createUser({
      email_address: [user.email_addresses[0].email_address],
      phone_number: [user.phone_numbers[0].phone_number],
      web3_wallet: [user.web3_wallets[0].web3_wallet],
      username: user.username,
      external_id: user.external_id,
    });
    expect(reused.id).not.toBe(user.id);
  });

  it("answers 404 resource_not_found for an unknown user", async () => {
    const error = expectError(await call("DELETE", "/v1/users/user_nobody"), 404, "resource_not_found");
    expect(error.long_message).toBe("No user was found with id user_nobody");
  });
});
