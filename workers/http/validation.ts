/**
 * Turns zod validation failures into Clerk's form errors with `meta.param_name`.
 * Schemas are `.strict()` so an unknown body key gives `form_param_unknown`.
 */
import type { z } from "zod";
import { type ApiError, errors } from "./errors";

/** The top-level body parameter an issue belongs to (Clerk names parameters, not paths). */
function paramName(path: (string | number)[]): string {
  return path.length ? String(path[0]) : "body";
}

function describeType(expected: string): string {
  switch (expected) {
    case "array":
      return "array";
    case "object":
      return "object";
    case "number":
    case "integer":
      return "integer";
    case "boolean":
      return "boolean";
    default:
      return "string";
  }
}

export function toApiError(issue: z.ZodIssue): ApiError {
  const param = paramName(issue.path);
  switch (issue.code) {
    case "unrecognized_keys":
      return errors.paramUnknown(issue.keys[0] ?? param);
    case "invalid_type":
      if (issue.received === "undefined") return errors.paramMissing(param);
      if (issue.received === "null") return errors.paramNil(param);
      return errors.paramTypeInvalid(param, describeType(issue.expected));
    case "too_big":
      if (issue.type === "array") return errors.paramArraySizeExceeded(param, Number(issue.maximum));
      if (issue.type === "string") return errors.paramMaxLengthExceeded(param, Number(issue.maximum));
      return errors.paramValueInvalid(param, `${param} must be at most ${issue.maximum}.`);
    case "too_small":
      if (issue.type === "array") return errors.paramMissing(param);
      return errors.paramValueInvalid(param, `${param} must be at least ${issue.minimum}.`);
    case "invalid_enum_value":
      return errors.paramValueInvalid(
        param,
        `${String(issue.received)} does not match the allowed values for parameter ${param}. Allowed values: ${issue.options.join(", ")}`,
      );
    case "custom": {
      const apiError = (issue.params as { apiError?: ApiError } | undefined)?.apiError;
      return apiError ?? errors.paramValueInvalid(param, issue.message);
    }
    default:
      return errors.paramValueInvalid(param, `${param} is invalid.`);
  }
}

// A lone UTF-16 surrogate (JSON allows "\ud800") has no UTF-8 form: storing it would silently
// turn it into U+FFFD, so a value would not round-trip. Refuse it instead, as Clerk does.
const LONE_SURROGATE_RE = /\p{Cs}/u;

function hasLoneSurrogate(value: unknown): boolean {
  if (typeof value === "string") return LONE_SURROGATE_RE.test(value);
  if (Array.isArray(value)) return value.some(hasLoneSurrogate);
  if (value !== null && typeof value === "object") {
    return Object.entries(value).some(([key, item]) => LONE_SURROGATE_RE.test(key) || hasLoneSurrogate(item));
  }
  return false;
}

/**
 * Validates `input` against `schema`, throwing the first issue as a Clerk error. `itemsParsedLater`
 * names a parameter whose array items the caller parses one by one with parseWith (a bulk body,
 * where a bad item fails alone): their encoding is checked then, not here.
 */
export function parseWith<S extends z.ZodTypeAny>(schema: S, input: unknown, options: { itemsParsedLater?: string } = {}): z.output<S> {
  if (input !== null && typeof input === "object" && !Array.isArray(input)) {
    for (const [key, value] of Object.entries(input)) {
      const deferred = key === options.itemsParsedLater && Array.isArray(value);
      if (LONE_SURROGATE_RE.test(key) || (!deferred && hasLoneSurrogate(value))) throw errors.paramInvalidEncoding(key);
    }
  }
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw toApiError(result.error.issues[0]);
}
