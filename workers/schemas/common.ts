/**
 * Field validators shared by request schemas. Semantic checks that need Clerk-specific error
 * codes attach the ApiError to the zod issue, so `parseWith` reports exactly that error.
 */
import { z } from "zod";
import { errors, type ApiError } from "../http/errors";
import {
  E164_RE,
  EMAIL_MAX_LENGTH,
  EMAIL_RE,
  EVM_WALLET_RE,
  SOLANA_WALLET_RE,
  USERNAME_CHARS_RE,
  USERNAME_MAX,
  USERNAME_MIN,
} from "./identifier-formats.mjs";

function fail(ctx: z.RefinementCtx, apiError: ApiError) {
  ctx.addIssue({ code: z.ZodIssueCode.custom, params: { apiError } });
}

/**
 * meta.param_name of a failing field: its top-level body parameter, as Clerk names it
 * ("email_address", not "email_address.1"), so callers can map the error to their form field.
 */
const paramOf = (ctx: z.RefinementCtx) => String(ctx.path[0] ?? "body");

const RFC3339_RE = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))$/;

export { USERNAME_MAX, USERNAME_MIN };

export const emailAddress = z.string().superRefine((value, ctx) => {
  if (value.length > EMAIL_MAX_LENGTH || !EMAIL_RE.test(value)) {
    fail(ctx, errors.paramFormatInvalid(paramOf(ctx), `${paramOf(ctx)} must be a valid email address.`));
  }
});

export const phoneNumber = z.string().superRefine((value, ctx) => {
  if (!E164_RE.test(value)) {
    fail(ctx, errors.paramFormatInvalid(paramOf(ctx), `${paramOf(ctx)} must be a valid phone number according to E.164 international standard.`));
  }
});

export const web3Wallet = z.string().superRefine((value, ctx) => {
  if (!EVM_WALLET_RE.test(value) && !SOLANA_WALLET_RE.test(value)) {
    fail(ctx, errors.paramFormatInvalid(paramOf(ctx), `${paramOf(ctx)} must be a valid web3 wallet address.`));
  }
});

export const username = z.string().superRefine((value, ctx) => {
  // Counted in NFC, so "é" is one character whether sent precomposed or decomposed.
  const length = Array.from(value.normalize("NFC")).length;
  if (length < USERNAME_MIN || length > USERNAME_MAX) fail(ctx, errors.usernameInvalidLength(paramOf(ctx), USERNAME_MIN, USERNAME_MAX));
  else if (!USERNAME_CHARS_RE.test(value)) fail(ctx, errors.usernameInvalidCharacter(paramOf(ctx)));
});

const HTTP_SCHEMES = ["http", "https"] as const;

/**
 * An absolute http(s) URL, for URLs the API stores and hands back to clients to load or link to
 * (an external account's image_url). Parsed with the WHATWG URL parser, as a browser will parse
 * it, so a scheme it would run — `javascript:`, `data:`, or one hidden behind leading spaces or
 * tabs, which the parser strips — cannot pass as a link. The value is stored as sent.
 */
export const httpUrl = (max = 2048) =>
  z
    .string()
    .max(max)
    .superRefine((value, ctx) => {
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        fail(ctx, errors.paramFormatInvalid(paramOf(ctx), `${paramOf(ctx)} must be an absolute URL.`));
        return;
      }
      if (!(HTTP_SCHEMES as readonly string[]).includes(url.protocol.slice(0, -1))) fail(ctx, errors.urlSchemeInvalid(paramOf(ctx), HTTP_SCHEMES));
    });

/**
 * Epoch milliseconds of an RFC3339 date-time, or NaN. Every field is range-checked, because
 * Date.parse quietly rolls "2024-02-30" over into March instead of refusing it.
 */
export function parseRfc3339(value: string): number {
  const m = RFC3339_RE.exec(value);
  if (!m) return Number.NaN;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const [offsetHours, offsetMinutes] = [Number(m[9] ?? 0), Number(m[10] ?? 0)];
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const daysInMonth = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  if (daysInMonth === undefined || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59) return Number.NaN;
  if (offsetHours > 23 || offsetMinutes > 59) return Number.NaN;
  const millis = m[7] ? Math.floor(Number(`0${m[7]}`) * 1000) : 0;
  const sign = m[8][0] === "-" ? -1 : 1;
  const offset = /^[Zz]$/.test(m[8]) ? 0 : sign * (offsetHours * 60 + offsetMinutes) * 60_000;
  const date = new Date(0);
  // setUTCFullYear, not Date.UTC, so years 0–99 are not mapped to 1900–1999.
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  return date.getTime() - offset;
}

/** An RFC3339 timestamp string, parsed to epoch milliseconds. */
export const rfc3339 = z.string().transform((value, ctx) => {
  const ms = parseRfc3339(value);
  if (Number.isNaN(ms)) {
    fail(ctx, errors.paramInvalidTime(paramOf(ctx)));
    return z.NEVER;
  }
  return ms;
});

/**
 * Why metadata `value` cannot be stored as sent, or undefined when it can:
 * - a number beyond a double's range: JSON.parse reads 1e400 as ±Infinity, which JSON.stringify
 *   would then write — and store — as null;
 * - an object key containing U+0000: SQLite's JSON functions compare keys only up to a NUL, so a
 *   merge (json_patch, workers/db/metadata.ts) would treat "a\u0000b" as the key "a".
 */
function unstorable(value: unknown): string | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? undefined : "a number too large to be represented (beyond ±1.8e308)";
  if (value === null || typeof value !== "object") return undefined;
  for (const [key, item] of Object.entries(value)) {
    if (!Array.isArray(value) && key.includes("\u0000")) return "an object key containing the NUL character (U+0000)";
    const reason = unstorable(item);
    if (reason) return reason;
  }
  return undefined;
}

/**
 * A JSON object (metadata). Arrays, strings and numbers are refused with Clerk's code, and so
 * is an object that could not be stored as sent (see unstorable). Every metadata parameter of
 * every body goes through here.
 */
export const metadataObject = z.unknown().transform((value, ctx) => {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    fail(ctx, errors.paramValueInvalid(paramOf(ctx), `${paramOf(ctx)} must be a JSON object.`));
    return z.NEVER;
  }
  const reason = unstorable(value);
  if (reason) {
    fail(ctx, errors.paramValueInvalid(paramOf(ctx), `${paramOf(ctx)} contains ${reason}.`));
    return z.NEVER;
  }
  return value as Record<string, unknown>;
});

/** A short free-text field (names, locale). */
export const shortText = (max = 256) => z.string().max(max);

export const optionalBool = z.boolean().nullable().optional();
