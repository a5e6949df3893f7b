import { describe, expect, it } from "vitest";
import { clerk } from "./client";

describe("official @clerk/backend client against the Worker", () => {
  it("creates and reads a user", async () => {
    const client = clerk();
    const created = await client.users.createUser({ emailAddress: [`e2e-${Date.now()}@example.com`], firstName: "Grace" });
    expect(created.id).toMatch(/^user_/);
    const got = await client.users.getUser(created.id);
    expect(got.firstName).toBe("Grace");
    expect(got.emailAddresses[0].emailAddress).toBe(created.emailAddresses[0].emailAddress);
  });
});
