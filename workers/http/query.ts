/**
 * Reading the query string. Each route parses the result once with its schema
 * (workers/schemas/*-queries.ts); the field types that read these values are in schemas/query.ts.
 * The SDK sends arrays as repeated keys and drops falsy values (docs/wire-contract.md, What the
 * SDK sends), so a missing `offset` means 0 and a missing `banned` means "any".
 */

export type QueryValue = string | string[] | undefined;
export type Query = Record<string, QueryValue>;

/** Every parameter of the URL, a repeated key as an array of its values in order. */
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
