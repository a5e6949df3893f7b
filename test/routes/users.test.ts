import { describe, expect, it } from "vitest";
import { call, createUser, expectError, unique } from "../helpers";

describe("POST /v1/users", () => {
  it("creates a user with verified identifiers and returns the spec's User shape", async () => {
    const email = `${unique()}@example.com`;
    const user = await createUser({ email_address: [email], first_name: "Ada", last_name: "Lovelace" });
    expect(user.id).toMatch(/^user_[0-9A-Za-z]{27}$/);
    expect(user.email_addresses[0].email_address).toBe(email);
    expect(user.email_addresses[0].verification.strategy).toBe("admin");
    expect(user.primary_email_address_id).toBe(user.email_addresses[0].id);
  });

  it("gets the created user back", async () => {
    const user = await createUser({ username: unique("name") });
    const got = await call("GET", `/v1/users/${user.id}`, undefined, { schema: "User" });
    expect(got.status).toBe(200);
    expect(got.body.username).toBe(user.username);
  });

  it("answers 404 resource_not_found for an unknown user", async () => {
    expectError(await call("GET", "/v1/users/user_missing"), 404, "resource_not_found");
  });
});
