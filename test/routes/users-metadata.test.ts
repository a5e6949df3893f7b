/**
 * PATCH /v1/users/{id}/metadata (deep merge, null deletes at any level) and
 * PUT /v1/users/{id}/metadata (replace each object sent), with the 8 KB limit.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { call, createUser, expectError } from "../helpers";

const merge = (id: string, body: unknown) => call("PATCH", `/v1/users/${id}/metadata`, body, { schema: "User" });
const replace = (id: string, body: unknown) => call("PUT", `/v1/users/${id}/metadata`, body, { schema: "User" });

afterEach(() => {
  vi.useRealTimers();
});

describe("PATCH /v1/users/{user_id}/metadata", () => {
  it("merges nested objects at every level and deletes keys set to null at any level", async () => {
    const user = await createUser({
      public_metadata: { a: { b: { c: 1, d: 2 }, e: 3 }, f: 4, gone: "x" },
    });
    const result = await merge(user.id, {
      public_metadata: { a: { b: { c: null, x: 5 }, y: { z: 6 } }, g: 7, gone: null, never_there: null },
    });
    expect(result.status).toBe(200);
    expect(result.body.public_metadata).toEqual({ a: { b: { d: 2, x: 5 }, e: 3, y: { z: 6 } }, f: 4, g: 7 });
  });

  it("drops nulls inside a newly added object, too", async () => {
    const user = await createUser({});
    const result = await merge(user.id, { private_metadata: { fresh: { keep: 1, drop: null, deep: { drop: null } } } });
    expect(result.body.private_metadata).toEqual({ fresh: { keep: 1, deep: {} } });
  });

  it("replaces arrays and scalars instead of merging them, and switches between object and scalar", async () => {
    const user = await createUser({ unsafe_metadata: { list: [1, 2, 3], obj: { k: 1 }, scalar: "s" } });
    const result = await merge(user.id, { unsafe_metadata: { list: [9], obj: "now a string", scalar: { now: "an object" } } });
    expect(result.body.unsafe_metadata).toEqual({ list: [9], obj: "now a string", scalar: { now: "an object" } });
  });

  it("touches only the objects sent, and keeps key spelling verbatim", async () => {
    const user = await createUser({ public_metadata: { p: 1 }, private_metadata: { q: 2 }, unsafe_metadata: { r: 3 } });
    const result = await merge(user.id, { private_metadata: { fooBar: { bazQux: 1 } } });
    expect(result.body.public_metadata).toEqual({ p: 1 });
    expect(result.body.private_metadata).toEqual({ q: 2, fooBar: { bazQux: 1 } });
    expect(result.body.unsafe_metadata).toEqual({ r: 3 });
  });

  it("clears an object sent as null", async () => {
    const user = await createUser({ public_metadata: { p: 1 }, private_metadata: { q: 2 } });
    const result = await merge(user.id, { public_metadata: null });
    expect(result.body.public_metadata).toEqual({});
    expect(result.body.private_metadata).toEqual({ q: 2 });
  });

  it("stores a key named __proto__ as data, without touching prototypes", async () => {
    const user = await createUser({});
    const raw = '{"public_metadata":{"__proto__":{"polluted":true},"n":{"__proto__":1}}}';
    const result = await call("PATCH", `/v1/users/${user.id}/metadata`, undefined, { schema: "User", rawBody: raw });
    expect(result.status).toBe(200);
    expect(JSON.stringify(result.body.public_metadata)).toBe('{"__proto__":{"polluted":true},"n":{"__proto__":1}}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("applies the 8 KB limit to the merged result, not to the patch", async () => {
    const user = await createUser({ public_metadata: { big: "b".repeat(5000) } });
    // The patch alone is small enough, but together with what is stored it is too large.
    const error = expectError(await merge(user.id, { private_metadata: { more: "m".repeat(3500) } }), 422, "form_param_exceeds_allowed_size");
    expect(error.meta?.param_name).toBe("public_metadata");
    expect((await call("GET", `/v1/users/${user.id}`)).body.private_metadata).toEqual({});
    // Removing the big key while adding: the result fits, so it is accepted.
    const result = await merge(user.id, { public_metadata: { big: null }, private_metadata: { more: "m".repeat(3500) } });
    expect(result.status).toBe(200);
    expect(result.body.public_metadata).toEqual({});
  });

  it("advances updated_at", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2025-05-01T00:00:00Z"));
    const user = await createUser({});
    vi.setSystemTime(new Date("2025-05-01T00:00:05Z"));
    expect((await merge(user.id, { public_metadata: { t: 1 } })).body.updated_at).toBe(Date.parse("2025-05-01T00:00:05Z"));
  });

  it("answers Clerk's errors for bad input and unknown users", async () => {
    const user = await createUser({});
    expectError(await merge(user.id, { public_metadata: [1] }), 422, "form_param_value_invalid", "public_metadata");
    expectError(await merge(user.id, { unsafe_metadata: "text" }), 422, "form_param_value_invalid", "unsafe_metadata");
    expectError(await merge(user.id, { first_name: "x" }), 422, "form_param_unknown", "first_name");
    expectError(await merge("user_nobody", { public_metadata: { a: 1 } }), 404, "resource_not_found");
  });

  it("keeps metacharacters and Unicode in keys and values at every level", async () => {
    const user = await createUser({});
    const value = { "O'k": { '"q"': "%_;--", "😀": ["مرحبا", "שלום"] } };
    const result = await merge(user.id, { public_metadata: value });
    expect(result.body.public_metadata).toEqual(value);
    const again = await merge(user.id, { public_metadata: { "O'k": { '"q"': null } } });
    expect(again.body.public_metadata).toEqual({ "O'k": { "😀": ["مرحبا", "שלום"] } });
  });
});

describe("PUT /v1/users/{user_id}/metadata", () => {
  it("replaces each object sent wholesale and leaves the others untouched", async () => {
    const user = await createUser({ public_metadata: { a: { b: 1 } }, private_metadata: { keep: 1 }, unsafe_metadata: { u: 1 } });
    const result = await replace(user.id, { public_metadata: { a: { c: 2 } } });
    expect(result.status).toBe(200);
    expect(result.body.public_metadata).toEqual({ a: { c: 2 } });
    expect(result.body.private_metadata).toEqual({ keep: 1 });
    expect(result.body.unsafe_metadata).toEqual({ u: 1 });
  });

  it("clears an object sent as {} and keeps nulls inside a replacement as values", async () => {
    const user = await createUser({ public_metadata: { a: 1 }, private_metadata: { b: 2 } });
    const result = await replace(user.id, { public_metadata: {}, private_metadata: { n: null } });
    expect(result.body.public_metadata).toEqual({});
    expect(result.body.private_metadata).toEqual({ n: null });
  });

  it("refuses a replacement over 8 KB and keeps what was stored", async () => {
    const user = await createUser({ public_metadata: { a: 1 } });
    expectError(await replace(user.id, { public_metadata: { big: "x".repeat(8200) } }), 422, "form_param_exceeds_allowed_size", "public_metadata");
    expect((await call("GET", `/v1/users/${user.id}`)).body.public_metadata).toEqual({ a: 1 });
    // Replacing a large object with a small one frees the room for another.
    const large = await createUser({ public_metadata: { big: "x".repeat(6000) } });
    const result = await replace(large.id, { public_metadata: {}, private_metadata: { big: "y".repeat(6000) } });
    expect(result.body.private_metadata.big).toHaveLength(6000);
  });

  it("answers 404 for an unknown user and 422 for a non-object", async () => {
    const user = await createUser({});
    expectError(await replace("user_nobody", { public_metadata: {} }), 404, "resource_not_found");
    expectError(await replace(user.id, { private_metadata: 5 }), 422, "form_param_value_invalid", "private_metadata");
  });
});
