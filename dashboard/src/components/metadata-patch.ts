/**
 * The body for a metadata merge route (PATCH /users/{id}/metadata, /organizations/{id}/metadata).
 *
 * Those routes apply an RFC 7396 JSON merge patch: objects merge key by key, `null` deletes a key
 * at any level, anything else (arrays included) replaces. So an editor that sent the edited object
 * as it is would never remove a key the operator deleted from the text: the stored key would
 * survive the merge. Instead the patch is computed from the value as loaded (`before`) and as
 * edited (`after`): a key that disappeared becomes `null`, a changed value is sent, an unchanged
 * one is left out, and nested objects recurse so that one changed key does not resend the rest.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function deepEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  if (isJsonObject(a) && isJsonObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return false;
}

/** The RFC 7396 merge patch that turns `before` into `after` (`{}` when they are equal). */
export function mergePatch(before: JsonObject, after: JsonObject): JsonObject {
  const patch: JsonObject = {};
  for (const key of Object.keys(before)) {
    if (!(key in after)) patch[key] = null;
  }
  for (const [key, value] of Object.entries(after)) {
    const old = key in before ? before[key] : undefined;
    if (old !== undefined && deepEqual(old, value)) continue;
    if (old !== undefined && isJsonObject(old) && isJsonObject(value)) {
      patch[key] = mergePatch(old, value);
    } else {
      patch[key] = value;
    }
  }
  return patch;
}

/**
 * Paths in `after` whose value is `null` where the patch would carry it: a merge patch cannot
 * store such a `null` (it reads as "remove this key"), so the editor refuses to save it rather
 * than silently losing the key. Nulls inside arrays are values and are kept by the merge.
 */
export function nullsLostByMerge(before: JsonObject, after: JsonObject, prefix = ""): string[] {
  const lost: string[] = [];
  for (const [key, value] of Object.entries(after)) {
    const old = key in before ? before[key] : undefined;
    if (old !== undefined && deepEqual(old, value)) continue;
    const path = prefix ? `${prefix}.${key}` : key;
    if (value === null) lost.push(path);
    else if (isJsonObject(value)) lost.push(...nullsLostByMerge(isJsonObject(old) ? old : {}, value, path));
  }
  return lost;
}
