/**
 * Field types of query-string schemas, the query counterpart of common.ts. A field reads the
 * value queryOf gives (a string, or an array for a repeated key) as Clerk does, and reports a
 * malformed value as the Clerk error naming the parameter (attached to the zod issue, so
 * parseWith throws exactly that error).
 *
 * Query schemas are plain `z.object`s, never strict: unknown parameters are ignored, because the
 * SDK adds its own (e.g. `paginated`). The SDK drops falsy values (clerk-contract §0.6), so an
 * absent `offset` means 0 and an absent `banned` means "any"; an empty value reads as absent.
 */
import { z } from "zod";
import type { OrderBy } from "../db/order";
import { errors, type ApiError } from "../http/errors";
import { firstValue, toArray, type QueryValue } from "../http/query";

/** The parameter a field belongs to (query schemas are flat). */
export const paramOf = (ctx: z.RefinementCtx) => String(ctx.path[0] ?? "query");

/** Reports `apiError` as the field's issue; the transform's result is then discarded. */
export function fail(ctx: z.RefinementCtx, apiError: ApiError): never {
  ctx.addIssue({ code: z.ZodIssueCode.custom, params: { apiError } });
  return z.NEVER;
}

/** A parameter as queryOf gives it. */
export const queryValue = z.custom<QueryValue>(
  (value) => value === undefined || typeof value === "string" || (Array.isArray(value) && value.every((v) => typeof v === "string")),
);

/** The first value of a possibly repeated key; empty reads as absent. */
export const queryString = queryValue.transform((value) => firstValue(value) || undefined);

/** Most values a list filter accepts (Clerk's limit); more → 422 form_param_array_size_exceeded. */
export const MAX_FILTER_VALUES = 100;

/** A repeated-key list filter, empty values left out. */
export const queryList = queryValue.transform((value, ctx) => {
  const values = toArray(value).filter((v) => v !== "");
  if (values.length > MAX_FILTER_VALUES) return fail(ctx, errors.paramArraySizeExceeded(paramOf(ctx), MAX_FILTER_VALUES));
  return values;
});

/**
 * A list filter whose values may carry `+` (include) or `-` (exclude). A leading space counts as
 * `+`: an unencoded `+` in a query string decodes to a space, and ids never start with one.
 */
export const queryIncludeExclude = queryList.transform((values) => {
  const out = { include: [] as string[], exclude: [] as string[] };
  for (const raw of values) {
    if (raw.startsWith("-")) out.exclude.push(raw.slice(1));
    else if (raw.startsWith("+") || raw.startsWith(" ")) out.include.push(raw.slice(1));
    else out.include.push(raw);
  }
  return out;
});

/** An integer within [min, max] (first value), `fallback` when absent; malformed or out of range → 422. */
export function queryInt(fallback: number, min: number, max = Number.MAX_SAFE_INTEGER) {
  return queryString.transform((raw, ctx) => {
    if (raw === undefined) return fallback;
    const name = paramOf(ctx);
    if (!/^-?\d+$/.test(raw)) return fail(ctx, errors.paramValueInvalid(name, `${name} must be an integer.`));
    const n = Number(raw);
    if (n < min || n > max) {
      return fail(ctx, errors.paramValueInvalid(name, `${name} must be between ${min} and ${max === Number.MAX_SAFE_INTEGER ? "∞" : max}.`));
    }
    return n;
  });
}

/**
 * A boolean (first value): `true`/`1` or `false`/`0`, undefined when absent; anything else → 422.
 * The SDK sends only `true` (it drops false); `1`/`0` are accepted because a Go server such as
 * Clerk's reads booleans with strconv.ParseBool, which takes them, and some routes here always did.
 */
export const queryBoolean = queryString.transform((raw, ctx) => {
  if (raw === undefined) return undefined;
  if (raw === "true" || raw === "1") return true;
  if (raw === "false" || raw === "0") return false;
  const name = paramOf(ctx);
  return fail(ctx, errors.paramValueInvalid(name, `${name} must be true or false.`));
});

/** Epoch milliseconds (first value), undefined when absent; anything but a non-negative integer → 422. */
export const queryTime = queryString.transform((raw, ctx) => {
  if (raw === undefined) return undefined;
  const name = paramOf(ctx);
  if (!/^\d{1,16}$/.test(raw)) return fail(ctx, errors.paramValueInvalid(name, `${name} must be a time in milliseconds since the Unix epoch.`));
  return Number(raw);
});

/**
 * `order_by` in Clerk's form: a field with an optional `+` (ascending, the default) or `-`
 * (descending) prefix; only the first value counts, `fallback` when absent. Surrounding
 * whitespace is ignored: an unencoded `+` decodes to a space. An unknown field → 422 with
 * Clerk's message listing the allowed values.
 */
export function queryOrderBy<F extends string>(fields: readonly F[], fallback: OrderBy<F>) {
  return queryString.transform((value, ctx): OrderBy<F> => {
    const raw = value?.trim();
    if (!raw) return fallback;
    const descending = raw.startsWith("-");
    const field = descending || raw.startsWith("+") ? raw.slice(1) : raw;
    if (!(fields as readonly string[]).includes(field)) {
      const allowed = fields.flatMap((f) => [f, `-${f}`]).join(", ");
      return fail(
        ctx,
        errors.paramValueInvalid("order_by", `${raw} does not match the allowed values for parameter order_by. Allowed values: ${allowed}`),
      );
    }
    return { field: field as F, descending };
  });
}

/** `limit` 1..500 (default 10) and `offset` ≥ 0, the bounds Clerk documents; out of range → 422 rather than clamped. */
export const pageFields = {
  limit: queryInt(10, 1, 500),
  offset: queryInt(0, 0),
};

export interface Page {
  limit: number;
  offset: number;
}

/** The Page of a parsed query that spread pageFields. */
export const pageOf = (q: Page): Page => ({ limit: q.limit, offset: q.offset });
