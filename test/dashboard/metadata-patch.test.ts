/**
 * The dashboard's metadata editor saves through the merge route (PATCH /v1/users/{id}/metadata,
 * RFC 7396) with the patch `mergePatch(loaded, edited)`. These tests send that patch to the real
 * route and check that the user then holds exactly the edited value — removed keys included —
 * and that `nullsLostByMerge` names every null the merge could not keep.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Json, type JsonObject, mergePatch, nullsLostByMerge } from "../../dashboard/src/components/metadata-patch";
import { call, createUser } from "../helpers";

async function saveThroughMerge(before: JsonObject, after: JsonObject) {
  const user = await createUser({ public_metadata: before });
  expect(user.public_metadata).toEqual(before);
  const patch = mergePatch(before, after);
  const result = await call("PATCH", `/v1/users/${user.id}/metadata`, { public_metadata: patch }, { schema: "User" });
  expect(result.status, JSON.stringify(result.body)).toBe(200);
  return { patch, saved: result.body.public_metadata as JsonObject };
}

describe("mergePatch through PATCH /v1/users/{id}/metadata", () => {
  it("a key removed in the editor is sent as null and is gone after the save", async () => {
    const before = { plan: "pro", flags: { beta: true, legacy: true }, seats: 3 };
    const after = { plan: "pro", flags: { beta: true } };
    const { patch, saved } = await saveThroughMerge(before, after);
    expect(patch).toEqual({ flags: { legacy: null }, seats: null });
    expect(saved).toEqual(after);
  });

  it("unchanged values are left out; arrays and changed types are sent whole", async () => {
    const before = { tags: ["a", "b"], n: 1, nested: { x: 1 }, same: { deep: [1, { y: 2 }] } };
    const after = { tags: ["b"], n: { now: "object" }, nested: "text", same: { deep: [1, { y: 2 }] } };
    const { patch, saved } = await saveThroughMerge(before, after);
    expect(patch).toEqual({ tags: ["b"], n: { now: "object" }, nested: "text" });
    expect(saved).toEqual(after);
  });

  it("any edit of any value ends with exactly the edited value stored (property, 60 runs)", async () => {
    // Few key names so that before and after share keys; no null object members (they cannot
    // be stored by a merge: see nullsLostByMerge); nulls inside arrays are plain values.
    const key = fc.constantFrom("a", "b", "c", "d");
    const leaf = fc.oneof(fc.boolean(), fc.integer(), fc.string({ maxLength: 4 }));
    const { object } = fc.letrec<{ value: Json; object: JsonObject }>((tie) => ({
      value: fc.oneof({ depthSize: "small" }, leaf, fc.array(fc.oneof(leaf, fc.constant(null)), { maxLength: 3 }), tie("object")),
      object: fc.dictionary(key, tie("value"), { maxKeys: 4 }) as fc.Arbitrary<JsonObject>,
    }));
    await fc.assert(
      fc.asyncProperty(object, object, async (before, after) => {
        expect(nullsLostByMerge(before, after)).toEqual([]);
        const { saved } = await saveThroughMerge(before, after);
        expect(saved).toEqual(after);
      }),
      { numRuns: 60 },
    );
  });
});

describe("nullsLostByMerge", () => {
  it("names nulls the merge would read as removals, at any depth, but not nulls in arrays or unchanged ones", () => {
    expect(nullsLostByMerge({ a: 1 }, { a: null, b: { c: null, d: [null] } })).toEqual(["a", "b.c"]);
    expect(nullsLostByMerge({ kept: null }, { kept: null })).toEqual([]);
    expect(nullsLostByMerge({ o: { x: 1 } }, { o: { x: 1, y: null } })).toEqual(["o.y"]);
  });
});
