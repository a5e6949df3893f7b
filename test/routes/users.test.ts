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

describe("GET /v1/users and /v1/users/count (minimal)", () => {
  it("lists users newest first as a bare array, paged by limit and offset, and counts them", async () => {
    const start = (await call("GET", "/v1/users/count", undefined, { schema: "TotalCount" })).body.total_count;
    const created = [];
    for (const year of [2021, 2022, 2023]) created.push(await createUser({ created_at: `${year + 10}-01-01T00:00:00Z` }));
    const count = await call("GET", "/v1/users/count?limit=1&offset=1&order_by=-created_at", undefined, { schema: "TotalCount" });
    expect(count.body).toEqual({ object: "total_count", total_count: start + 3 });
    const page = await call("GET", "/v1/users?limit=2", undefined, { schema: ["User"] });
    expect(page.body.map((u: any) => u.id)).toEqual([created[2].id, created[1].id]);
    const next = await call("GET", "/v1/users?limit=2&offset=2", undefined, { schema: ["User"] });
    expect(next.body[0].id).toBe(created[0].id);
  });
});
