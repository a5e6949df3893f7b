/**
 * Query-string helpers. The SDK sends arrays as repeated keys and drops falsy values
 * (docs/wire-contract.md, What the SDK sends), so a missing `offset` means 0 and a missing
 * `banned` means "any".
 */
import { errors } from "./errors";

export type QueryValue = string | string[] | undefined;
export type Query = Record<string, QueryValue>;

export function queryOf(request: Request): Query {
  const out: Query = {};
  for (const [key, value] of new URL(request.url).searchParams) {
    // Accept both `key=a&key=b` and the bracketed `key[]=a` spelling.
    const name = key.endsWith("[]") ? key.slice(0, -2) : key;
    const prev = out[name];
    out[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}

export function toArray(value: QueryValue): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** The first value of a possibly repeated key. */
export function firstValue(value: QueryValue): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** An integer query parameter within [min, max]; out of range or malformed → 422 naming it. */
export function intParam(query: Query, name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = firstValue(query[name]);
  if (raw === undefined || raw === "") return fallback;
  if (!/^-?\d+$/.test(raw)) throw errors.paramValueInvalid(name, `${name} must be an integer.`);
  const n = Number(raw);
  if (n < min || n > max) {
    throw errors.paramValueInvalid(name, `${name} must be between ${min} and ${max === Number.MAX_SAFE_INTEGER ? "∞" : max}.`);
  }
  return n;
}

/** A boolean query parameter ("true"/"false"); anything else → 422 naming it. */
export function boolParam(query: Query, name: string): boolean | undefined {
  const raw = firstValue(query[name]);
  if (raw === undefined || raw === "") return undefined;
  if (raw === "true" || raw === "1") return true;
  if (raw === "false" || raw === "0") return false;
  throw errors.paramValueInvalid(name, `${name} must be true or false.`);
}

/** Parses limit/offset with the bounds Clerk documents (limit 1..500 default 10, offset ≥ 0). */
export function pagination(query: Query, defaultLimit = 10, maxLimit = 500): { limit: number; offset: number } {
  return { limit: intParam(query, "limit", defaultLimit, 1, maxLimit), offset: intParam(query, "offset", 0, 0) };
}

/** Most values a list filter accepts (Clerk's limit); more → 422 form_param_array_size_exceeded. */
export const MAX_FILTER_VALUES = 100;

/** A repeated-key list filter without empty values; more than MAX_FILTER_VALUES → 422. */
export function listParam(query: Query, name: string): string[] {
  const values = toArray(query[name]).filter((v) => v !== "");
  if (values.length > MAX_FILTER_VALUES) throw errors.paramArraySizeExceeded(name, MAX_FILTER_VALUES);
  return values;
}

/**
 * A list filter whose values may carry `+` (include) or `-` (exclude). A leading space counts as
 * `+`: an unencoded `+` in a query string decodes to a space, and ids never start with one.
 */
export function includeExcludeParam(query: Query, name: string): { include: string[]; exclude: string[] } {
  const out = { include: [] as string[], exclude: [] as string[] };
  for (const raw of listParam(query, name)) {
    if (raw.startsWith("-")) out.exclude.push(raw.slice(1));
    else if (raw.startsWith("+") || raw.startsWith(" ")) out.include.push(raw.slice(1));
    else out.include.push(raw);
  }
  return out;
}
