/**
 * Metadata merges are SQLite's json_patch (RFC 7396 merge-patch), run inside the UPDATE
 * (workers/db/metadata.ts). They replaced a JS deep merge; this checks, over varied inputs, that
 * json_patch gives the same object the JS merge gave for every input the API accepts (objects
 * from JSON.parse: finite numbers, no lone surrogates), and that its text has the same UTF-8
 * byte length as JSON.stringify of that object, so the 8 KB limit counts what it counted before.
 * The one difference found (object keys holding U+0000) is refused at the edge instead.
 */
import { env } from "cloudflare:test";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { call, createUser, expectError } from "../helpers";

type JsonObject = Record<string, unknown>;

const isObject = (v: unknown): v is JsonObject => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * The JS merge the API used before (the reference): nested objects merge, `null` removes a key at
 * any level, anything else (arrays included) replaces; keys are defined as own data properties,
 * so "__proto__" is stored as a key.
 */
function referenceMerge(base: JsonObject, patch: JsonObject): JsonObject {
  const out: JsonObject = { ...base };
  const setOwn = (key: string, value: unknown) => Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  for (const [key, value] of Object.entries(patch)) {
    const current = Object.hasOwn(out, key) ? out[key] : undefined;
    if (value === null) delete out[key];
    else if (isObject(value)) setOwn(key, referenceMerge(isObject(current) ? current : {}, value));
    else setOwn(key, value);
  }
  return out;
}

/** json_patch of the stored text and the patch text as the API binds them, and its UTF-8 byte length. */
async function sqlMerge(base: JsonObject, patch: JsonObject): Promise<{ text: string; bytes: number }> {
  const row = await env.DB.prepare("select json_patch(?1, ?2) as text, length(cast(json_patch(?1, ?2) as blob)) as bytes")
    .bind(JSON.stringify(base), JSON.stringify(patch))
    .first<{ text: string; bytes: number }>();
  return row!;
}

const utf8Bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)).length;

/** Compares as the API serves it: the stored text is parsed and serialised again. */
async function expectSameMerge(base: JsonObject, patch: JsonObject): Promise<void> {
  const expected = referenceMerge(base, patch);
  const { text, bytes } = await sqlMerge(base, patch);
  expect(JSON.stringify(JSON.parse(text))).toBe(JSON.stringify(expected));
  expect(bytes).toBe(utf8Bytes(expected));
}

// A small key pool, so patches often hit keys the base has; with keys that are special to JS
// ("__proto__", integer-like keys that objects order first) or to JSON text (quotes, escapes).
// Keys never contain U+0000: the API refuses them (see the last test).
const key = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      "a",
      "b",
      "c",
      "__proto__",
      "constructor",
      "",
      "1",
      "10",
      "01",
      "é",
      "😀",
      '"q"',
      "a\\b",
      "\\u0000",
      "\t",
      "\u0001",
      "\u001f",
      "x.y",
      "mañana",
    ),
  },
  { weight: 1, arbitrary: fc.fullUnicodeString({ maxLength: 6 }).filter((k) => !k.includes("\u0000")) },
);
const scalar = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -0, 1e21, 1e-7, 5e-324, Number.MAX_SAFE_INTEGER + 2, 1.7976931348623157e308),
  fc.fullUnicodeString({ maxLength: 12 }),
  fc.constantFrom("", "\n\t\u0001\u001f\u007f", "\u2028\u2029", '"\\/', "مرحبا שלום", "😀👍🏽"),
);
const { object } = fc.letrec<{ value: unknown; object: JsonObject }>((tie) => ({
  value: fc.oneof({ depthSize: "small", withCrossShrink: true }, scalar, fc.array(tie("value"), { maxLength: 3 }), tie("object")),
  // JSON.parse's own objects: built from text, so "__proto__" becomes an own key as in a request body.
  object: fc.dictionary(key, tie("value"), { maxKeys: 4 }).map((o) => JSON.parse(JSON.stringify(o)) as JsonObject),
}));

describe("json_patch against the former JS merge", () => {
  it("agrees on hand-picked cases: nested nulls, arrays, __proto__, escapes and Unicode", async () => {
    await expectSameMerge(
      { a: { b: { c: 1, d: 2 }, e: 3 }, f: 4, gone: "x" },
      { a: { b: { c: null, x: 5 }, y: { z: 6 } }, g: 7, gone: null, never: null },
    );
    await expectSameMerge({}, { fresh: { keep: 1, drop: null, deep: { drop: null } } });
    await expectSameMerge({ list: [1, 2, 3], obj: { k: 1 }, s: "s" }, { list: [9, null], obj: "now a string", s: { now: "an object" } });
    await expectSameMerge({ arr: [{ a: 1 }] }, { arr: { a: null, b: 2 } });
    await expectSameMerge(
      JSON.parse('{"__proto__":{"p":1},"n":{"__proto__":1}}'),
      JSON.parse('{"__proto__":{"q":2,"p":null},"n":{"__proto__":null}}'),
    );
    await expectSameMerge({ b: 1, a: 2 }, { "2": 1, "1": 2, c: 3 });
    await expectSameMerge({ "O'k": { '"q"': "%_;--", "😀": ["مرحبا", "שלום"] } }, { "O'k": { '"q"': null }, "\u2028": "\u0000\n" });
    // biome-ignore lint/correctness/noPrecisionLoss: a number JSON.parse rounds, on purpose
    await expectSameMerge({ n: 1 }, { n: 1e21, m: -0, k: 5e-324, big: 12345678901234567890 });
  });

  it("agrees on generated objects and patches", async () => {
    await fc.assert(
      fc.asyncProperty(object, object, async (base, patch) => {
        await expectSameMerge(base, patch);
      }),
      { numRuns: 400 },
    );
  });

  it("differs for object keys holding U+0000, which the API therefore refuses", async () => {
    // SQLite compares keys up to a NUL: "a\u0000b" is taken for "a" (RFC 7396 would add "a").
    const { text } = await sqlMerge({ "a\u0000b": 1 }, { a: 2 });
    expect(JSON.parse(text)).toEqual({ "a\u0000b": 2 });
    expect(referenceMerge({ "a\u0000b": 1 }, { a: 2 })).toEqual({ "a\u0000b": 1, a: 2 });
    const user = await createUser({});
    const raw = '{"public_metadata":{"ok":{"a\\u0000b":1}}}';
    expectError(
      await call("PATCH", `/v1/users/${user.id}/metadata`, undefined, { rawBody: raw }),
      422,
      "form_param_value_invalid",
      "public_metadata",
    );
  });
});
