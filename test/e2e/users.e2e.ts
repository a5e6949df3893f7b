/**
 * The official @clerk/backend client, unchanged, against the Worker over real HTTP: every users
 * method returns the SDK's typed objects, and errors surface as ClerkAPIResponseError.
 */
import type { ClerkClient } from "@clerk/backend";
import { isClerkAPIResponseError } from "@clerk/backend/errors";
import { describe, expect, it } from "vitest";
import { apiUrl, clerk, seen } from "./client";

/**
 * createUser's parameters plus deleteSelfEnabled, which the API (Clerk's and this one) takes on
 * create: the SDK's CreateUserParams declares it only for updateUser, but createUser sends every
 * parameter it is given.
 */
type CreateUserParams = Parameters<ClerkClient["users"]["createUser"]>[0] & { deleteSelfEnabled?: boolean };

let counter = 0;
/** The SDK's resource class of a value ("User", "DeletedObject"); its bundler prefixes "_". */
const sdkClass = (value: any) => String(value?.constructor?.name ?? "").replace(/^_+/, "");
const tag = () => `${Date.now().toString(36)}${++counter}`;

/** The error a call rejects with, checked to be the SDK's ClerkAPIResponseError. */
async function apiError(promise: Promise<unknown>) {
  const error = await promise.then(
    () => expect.fail("expected the call to fail"),
    (e: unknown) => e,
  );
  expect(isClerkAPIResponseError(error), String(error)).toBe(true);
  return error as import("@clerk/shared/error").ClerkAPIResponseError;
}

describe("official @clerk/backend client against the Worker", () => {
  it("createUser and getUser return User instances with camelCase fields", async () => {
    const client = clerk();
    const t = tag();
    const email = `e2e-${t}@example.com`;
    const params: CreateUserParams = {
      emailAddress: [email],
      phoneNumber: [`+1415555${1000 + counter}`],
      username: `grace_${t}`,
      firstName: "Grace",
      lastName: "Hopper",
      externalId: `ext-${t}`,
      password: "a long enough password",
      publicMetadata: { fooBar: { bazQux: 1 } },
      privateMetadata: { secret: true },
      createdAt: new Date("2024-01-02T03:04:05.000Z"),
      legalAcceptedAt: new Date("2024-02-03T04:05:06.000Z"),
      deleteSelfEnabled: false,
    };
    const created = await client.users.createUser(params);
    expect(sdkClass(created)).toBe("User");
    expect(created.id).toMatch(/^user_[0-9A-Za-z]{27}$/);
    expect(created).toMatchObject({
      firstName: "Grace",
      lastName: "Hopper",
      username: `grace_${t}`,
      externalId: `ext-${t}`,
      passwordEnabled: true,
      twoFactorEnabled: false,
      banned: false,
      locked: false,
      deleteSelfEnabled: false,
      createdAt: Date.parse("2024-01-02T03:04:05.000Z"),
      legalAcceptedAt: Date.parse("2024-02-03T04:05:06.000Z"),
      publicMetadata: { fooBar: { bazQux: 1 } },
      privateMetadata: { secret: true },
    });
    expect(created.primaryEmailAddress?.emailAddress).toBe(email);
    expect(sdkClass(created.emailAddresses[0])).toBe("EmailAddress");
    expect(created.emailAddresses[0].verification?.status).toBe("verified");
    expect(created.emailAddresses[0].linkedTo).toEqual([]);
    expect(created.phoneNumbers).toHaveLength(1);
    expect(created.imageUrl).toMatch(/^https?:\/\//);

    const got = await client.users.getUser(created.id);
    expect(sdkClass(got)).toBe("User");
    expect(got.id).toBe(created.id);
    expect(got.emailAddresses.map((e) => e.emailAddress)).toEqual([email]);
    expect(got.fullName).toBe("Grace Hopper");
  });

  it("getUserList returns data with totalCount, and getCount returns a number", async () => {
    const client = clerk();
    const mine = [];
    for (let i = 0; i < 3; i++) mine.push(await client.users.createUser({ firstName: `List${i}`, emailAddress: [`list-${tag()}@example.com`] }));
    const total = await client.users.getCount();
    expect(typeof total).toBe("number");
    expect(total).toBeGreaterThanOrEqual(3);
    const list = await client.users.getUserList({ limit: 2 });
    expect(list.totalCount).toBe(total);
    expect(list.data).toHaveLength(2);
    expect(list.data.every((u) => sdkClass(u) === "User")).toBe(true);
    // Newest first: the last one created here leads.
    expect(list.data[0].id).toBe(mine[2].id);
    const second = await client.users.getUserList({ limit: 2, offset: 1 });
    expect(second.data[0].id).toBe(mine[1].id);
  });

  it("updateUser changes fields and metadata (the deprecated path sends PUT /metadata)", async () => {
    const client = clerk();
    const user = await client.users.createUser({ firstName: "Before", emailAddress: [`upd-${tag()}@example.com`, `upd2-${tag()}@example.com`] });
    const sentBefore = seen.length;
    const updated = await client.users.updateUser(user.id, {
      firstName: "After",
      username: `after_${tag()}`,
      primaryEmailAddressID: user.emailAddresses[1].id,
      createOrganizationsLimit: 4,
      publicMetadata: { via: "updateUser" },
    });
    expect(sdkClass(updated)).toBe("User");
    expect(updated.firstName).toBe("After");
    expect(updated.primaryEmailAddressId).toBe(user.emailAddresses[1].id);
    expect(updated.createOrganizationsLimit).toBe(4);
    expect(updated.publicMetadata).toEqual({ via: "updateUser" });
    expect(seen.slice(sentBefore).map((r) => `${r.method} ${new URL(r.url).pathname}`)).toEqual([
      `PATCH /v1/users/${user.id}`,
      `PUT /v1/users/${user.id}/metadata`,
    ]);
    const removed = await client.users.updateUser(user.id, { username: "" });
    expect(removed.username).toBeNull();
  });

  it("updateUserMetadata deep-merges and replaceUserMetadata replaces", async () => {
    const client = clerk();
    const user = await client.users.createUser({ publicMetadata: { a: { b: 1, c: 2 }, keep: true }, privateMetadata: { p: 1 } });
    const merged = await client.users.updateUserMetadata(user.id, { publicMetadata: { a: { b: null, d: 3 } } as any });
    expect(sdkClass(merged)).toBe("User");
    expect(merged.publicMetadata).toEqual({ a: { c: 2, d: 3 }, keep: true });
    expect(merged.privateMetadata).toEqual({ p: 1 });
    const replaced = await client.users.replaceUserMetadata(user.id, { publicMetadata: { only: "this" }, privateMetadata: {} });
    expect(replaced.publicMetadata).toEqual({ only: "this" });
    expect(replaced.privateMetadata).toEqual({});
  });

  it("deleteUser returns a DeletedObject and the user is gone", async () => {
    const client = clerk();
    const user = await client.users.createUser({ firstName: "Doomed" });
    const deleted: any = await client.users.deleteUser(user.id);
    expect(sdkClass(deleted)).toBe("DeletedObject");
    expect(deleted).toMatchObject({ object: "user", id: user.id, deleted: true });
    const error = await apiError(client.users.getUser(user.id));
    expect(error.status).toBe(404);
    expect(error.errors[0].code).toBe("resource_not_found");
    expect(error.errors[0].longMessage).toBe(`No user was found with id ${user.id}`);
  });

  it("surfaces errors as ClerkAPIResponseError with status, code, meta.paramName and trace id", async () => {
    const client = clerk();
    const email = `dup-${tag()}@example.com`;
    await client.users.createUser({ emailAddress: [email] });
    const taken = await apiError(client.users.createUser({ emailAddress: [email.toUpperCase()] }));
    expect(taken.status).toBe(422);
    expect(taken.errors[0]).toMatchObject({ code: "form_identifier_exists", message: "That email address is taken. Please try another." });
    expect(taken.errors[0].meta?.paramName).toBe("email_address");
    expect(taken.clerkTraceId).toMatch(/^[0-9a-f]{32}$/);

    const badTime = await apiError(client.users.createUser({ createdAt: "not a date" as any }));
    expect(badTime.errors[0]).toMatchObject({ code: "form_param_invalid_time", meta: { paramName: "created_at" } });

    const unknown = await apiError(client.users.createUser({ firstName: "x", favouriteColour: "blue" } as any));
    expect(unknown.errors[0]).toMatchObject({ code: "form_param_unknown", meta: { paramName: "favourite_colour" } });

    const shortPassword = await apiError(client.users.updateUser((await client.users.createUser({})).id, { password: "short" }));
    expect(shortPassword.errors[0]).toMatchObject({ code: "form_password_length_too_short", meta: { paramName: "password" } });
  });

  it("answers a wrong key with 401 clerk_key_invalid and accepts the rotated key", async () => {
    const wrong = await apiError(clerk("sk_test_not_a_key").users.getCount());
    expect(wrong.status).toBe(401);
    expect(wrong.errors[0].code).toBe("clerk_key_invalid");
    expect(typeof (await clerk("sk_test_e2e_rotated").users.getCount())).toBe("number");
  });

  it("sent every request to the Worker under test", () => {
    expect(seen.length).toBeGreaterThan(10);
    expect(seen.every((r) => r.url.startsWith(`${apiUrl()}/v1/users`))).toBe(true);
  });
});
