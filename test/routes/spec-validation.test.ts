/**
 * The response checks every other test relies on must be able to fail: a User that drifts from
 * the spec in any of these ways is rejected by the compiled validator.
 */
import { describe, expect, it } from "vitest";
import { createUser } from "../helpers";
import { assertListMatchesSchema, assertMatchesSchema } from "../schema/validate";

describe("spec validation of responses", () => {
  it("accepts a real User and rejects every malformed variant of it", async () => {
    const user = await createUser({ email_address: [`spec${Date.now()}@example.com`], phone_number: ["+15005550006"] });
    expect(() => assertMatchesSchema("User", user)).not.toThrow();

    const variants: [string, (u: any) => void][] = [
      ["missing required id", (u) => delete u.id],
      ["missing required public_metadata", (u) => delete u.public_metadata],
      ["created_at as a string", (u) => (u.created_at = new Date(u.created_at).toISOString())],
      ["banned as a number", (u) => (u.banned = 0)],
      ["object not 'user'", (u) => (u.object = "person")],
      ["an extra property", (u) => (u.surprise = true)],
      ["email_addresses not an array", (u) => (u.email_addresses = {})],
      ["linked_to null", (u) => (u.email_addresses[0].linked_to = null)],
      ["verification with an unknown object", (u) => (u.email_addresses[0].verification.object = "verification_magic")],
      ["phone reserved missing", (u) => delete u.phone_numbers[0].reserved],
      ["username as a number", (u) => (u.username = 42)],
    ];
    for (const [label, mutate] of variants) {
      const copy = structuredClone(user);
      mutate(copy);
      expect(() => assertMatchesSchema("User", copy), label).toThrow(/does not match spec schema User/);
    }
  });

  it("rejects malformed error envelopes, counts and deleted objects", () => {
    expect(() => assertMatchesSchema("ClerkErrors", { errors: [{ message: "m", long_message: "l", code: "c" }], clerk_trace_id: "t" })).not.toThrow();
    expect(() => assertMatchesSchema("ClerkErrors", { errors: [{ message: "m", code: "c" }] })).toThrow();
    expect(() => assertMatchesSchema("ClerkErrors", { error: "flat" })).toThrow();
    expect(() => assertMatchesSchema("TotalCount", { object: "total_count", total_count: "3" })).toThrow();
    expect(() => assertMatchesSchema("DeletedObject", { id: "user_x", deleted: true })).toThrow();
    expect(() => assertListMatchesSchema("User", { data: [] })).toThrow(/expected a JSON array/);
  });

  it("organizationInvitation.accepted: the invitation plus user_id and data, nothing missing or extra", () => {
    const invitation = {
      object: "organization_invitation",
      id: "orginv_x",
      email_address: "a@example.com",
      role: "org:member",
      role_name: "Member",
      organization_id: "org_x",
      inviter_id: null,
      public_inviter_data: null,
      status: "accepted",
      public_metadata: {},
      private_metadata: {},
      url: null,
      expires_at: 1,
      created_at: 1,
      updated_at: 1,
    };
    const organization = { id: "org_x", name: "X", slug: "x", image_url: "https://img.test/x", has_image: false };
    const event = (data: unknown) => ({
      data,
      object: "event",
      type: "organizationInvitation.accepted",
      timestamp: 1,
      instance_id: "ins_x",
      event_attributes: { http_request: { client_ip: "", user_agent: "" } },
    });
    const full = { ...invitation, user_id: "user_x", data: { public_organization_data: organization } };
    expect(() => assertMatchesSchema("Event_organizationInvitation_accepted", event(full))).not.toThrow();
    const { user_id: _userId, ...withoutUser } = full;
    for (const data of [invitation, withoutUser, { ...full, surprise: true }, { ...full, status: 7 }]) {
      expect(() => assertMatchesSchema("Event_organizationInvitation_accepted", event(data))).toThrow(/does not match spec schema/);
    }
  });
});
