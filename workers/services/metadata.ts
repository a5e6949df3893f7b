/**
 * Metadata rules: deep merge with null-deletes (PATCH /metadata), replacement (PUT), and the
 * 8 KB limit on the three objects together (Clerk docs: "Metadata is limited to 8KB maximum").
 */
import { errors } from "../http/errors";

export const METADATA_MAX_BYTES = 8 * 1024;

type JsonObject = Record<string, unknown>;

const isObject = (v: unknown): v is JsonObject => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * Deep merge of `patch` into `base`: nested objects merge, `null` removes a key at any level,
 * and anything else (arrays included) replaces.
 */
export function deepMerge(base: JsonObject, patch: JsonObject): JsonObject {
  const out: JsonObject = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    const current = Object.hasOwn(out, key) ? out[key] : undefined;
    if (value === null) delete out[key];
    else if (isObject(value)) setOwn(out, key, deepMerge(isObject(current) ? current : {}, value));
    else setOwn(out, key, value);
  }
  return out;
}

/**
 * Defines `key` as a plain own property. `out[key] = v` would invoke the `__proto__` setter for
 * a metadata key named "__proto__" (valid JSON) and silently drop it instead of storing it.
 */
function setOwn(out: JsonObject, key: string, value: unknown): void {
  Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
}

/** How PATCH (merge) and PUT (replace) metadata operations combine a given object with the stored one. */
export type MetadataMode = "merge" | "replace";

/**
 * One metadata field after an update: omitted (undefined) keeps `stored`, `null` clears it, an
 * object is deep-merged into it or replaces it, by `mode`.
 */
export function nextMetadata(stored: JsonObject, given: JsonObject | null | undefined, mode: MetadataMode): JsonObject {
  if (given === undefined) return stored;
  if (given === null) return {};
  return mode === "merge" ? deepMerge(stored, given) : given;
}

export interface MetadataSet {
  public_metadata: JsonObject;
  private_metadata: JsonObject;
  unsafe_metadata: JsonObject;
}

/** Throws 422 when the three objects together exceed the limit (UTF-8 bytes of their JSON). */
export function assertMetadataSize(metadata: MetadataSet): void {
  const encoder = new TextEncoder();
  let total = 0;
  let largest: keyof MetadataSet = "public_metadata";
  let largestSize = -1;
  for (const key of ["public_metadata", "private_metadata", "unsafe_metadata"] as const) {
    const size = encoder.encode(JSON.stringify(metadata[key])).length;
    total += size;
    if (size > largestSize) {
      largest = key;
      largestSize = size;
    }
  }
  if (total > METADATA_MAX_BYTES) {
    throw errors.paramExceedsAllowedSize(
      largest,
      `Metadata (public, private and unsafe together) must not exceed ${METADATA_MAX_BYTES} bytes; got ${total}.`,
    );
  }
}
