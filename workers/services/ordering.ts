/**
 * `order_by` query parameters in Clerk's form: a field name with an optional `+` (ascending,
 * the default) or `-` (descending) prefix. Unknown fields → 422 form_param_value_invalid.
 */
import type { OrderBy } from "../db/organizations";
import { errors } from "../http/errors";
import { firstValue, type Query } from "../http/query";

export function parseOrderBy<F extends string>(query: Query, allowed: readonly F[], fallback: OrderBy<F>): OrderBy<F> {
  // An unencoded "+" arrives as a space (form encoding), so trimming it leaves the ascending form.
  const raw = firstValue(query.order_by)?.trim();
  if (!raw) return fallback;
  const desc = raw.startsWith("-");
  const field = raw.startsWith("-") || raw.startsWith("+") ? raw.slice(1) : raw;
  if (!(allowed as readonly string[]).includes(field)) {
    throw errors.paramValueInvalid(
      "order_by",
      `${raw} does not match the allowed values for parameter order_by. Allowed values: ${allowed.flatMap((f) => [f, `-${f}`]).join(", ")}`,
    );
  }
  return { field: field as F, desc };
}
