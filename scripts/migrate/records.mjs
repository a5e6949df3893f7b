/**
 * From each input format to the user record `POST /v1/users/import` takes (one element of its
 * `users` array; the shared contract of issue 15): Clerk's dashboard CSV, Clerk's JSON export,
 * and NDJSON as `npm run export` writes it, which already is that record.
 *
 * A mapper returns `{ record }` or `{ error: { code, message } }` (the error codes are Clerk's,
 * as the server would give for the same problem). Messages never quote a cell's content: a
 * record may hold a password digest or TOTP secret.
 */
import { foldEmail } from "../../workers/db/identifier-folding.mjs";
import { InputError } from "./errors.mjs";

/** The header of Clerk's dashboard CSV export, in its order. */
export const CLERK_CSV_COLUMNS = [
  "id",
  "first_name",
  "last_name",
  "username",
  "primary_email_address",
  "primary_phone_number",
  "verified_email_addresses",
  "unverified_email_addresses",
  "verified_phone_numbers",
  "unverified_phone_numbers",
  "totp_secret",
  "password_digest",
  "password_hasher",
];

/** The keys of an object in Clerk's JSON export. */
export const CLERK_JSON_KEYS = [
  "id",
  "first_name",
  "last_name",
  "username",
  "email_addresses",
  "phone_numbers",
  "totp_secret",
  "password_digest",
  "password_hasher",
  "public_metadata",
  "private_metadata",
  "unsafe_metadata",
];

// Cells and keys copied to the record field of the same name when not empty.
const PLAIN_FIELDS = ["id", "first_name", "last_name", "username", "totp_secret", "password_digest", "password_hasher"];
const METADATA_FIELDS = ["public_metadata", "private_metadata", "unsafe_metadata"];

/**
 * The items of a list cell: Clerk's exports separate them with `|`, and files edited in a
 * spreadsheet often with `,` or `;`. None of the three can be part of an E.164 number, and `,`/`;`
 * none of an address the API accepts; `|` can be in an address's local part, but an address with
 * one would be cut in two here (it then fails as two malformed addresses, visibly).
 * @param {string} cell
 * @returns {string[]}
 */
export function splitList(cell) {
  return cell
    .split(/[|,;]/)
    .map((item) => item.trim())
    .filter((item) => item !== "");
}

/**
 * Identifications in order with their status, each once: the primary first, then the verified
 * list, then the unverified one. An address listed as primary and in a list is the same address
 * (compared as the server compares them: emails folded, phones exactly), and keeps its place as
 * primary with the status its list gives it; a primary in no list is verified, as create makes it.
 * @param {string | undefined} primary
 * @param {string[]} verified
 * @param {string[]} unverified
 * @param {(value: string) => string} key
 */
function identifications(primary, verified, unverified, key) {
  const unverifiedKeys = new Set(unverified.map(key));
  const verifiedKeys = new Set(verified.map(key));
  /** @type {Map<string, { value: string, status: "verified" | "unverified" }>} */
  const byKey = new Map();
  const add = (value, status) => {
    const k = key(value);
    if (!byKey.has(k)) byKey.set(k, { value, status });
  };
  if (primary) add(primary, unverifiedKeys.has(key(primary)) && !verifiedKeys.has(key(primary)) ? "unverified" : "verified");
  for (const value of verified) add(value, "verified");
  for (const value of unverified) add(value, "unverified");
  return [...byKey.values()];
}

/** Sets `field` and, when any is unverified, `statusField` on `record` (absent means verified). */
function setIdentifications(record, field, statusField, list) {
  if (list.length === 0) return;
  record[field] = list.map((item) => item.value);
  if (list.some((item) => item.status !== "verified")) record[statusField] = list.map((item) => item.status);
}

const phoneKey = (value) => value;

/**
 * A mapper for rows of Clerk's dashboard CSV, built from the header row. Columns are found by
 * name (any order, case and surrounding spaces ignored); columns it does not know are listed in
 * `unknownColumns` and not sent.
 * @param {string[]} header the header row's cells
 * @returns {{ unknownColumns: string[], map(cells: string[]): { record: Record<string, unknown> } | { error: { code: string, message: string } } }}
 * @throws {InputError} when the header names no column of Clerk's export, or one twice
 */
export function createCsvMapper(header) {
  const names = header.map((name) => name.trim().toLowerCase());
  /** @type {Map<string, number>} */
  const index = new Map();
  const unknownColumns = [];
  const seen = new Set();
  names.forEach((name, i) => {
    if (name !== "" && seen.has(name)) throw new InputError(`the CSV header names the column "${header[i].trim()}" twice`);
    seen.add(name);
    if (CLERK_CSV_COLUMNS.includes(name)) index.set(name, i);
    else unknownColumns.push(name === "" ? `(unnamed column ${i + 1})` : header[i].trim());
  });
  if (index.size === 0) {
    throw new InputError(`the CSV header has none of the columns of Clerk's export (${CLERK_CSV_COLUMNS.join(",")})`);
  }
  const cell = (cells, name) => {
    const i = index.get(name);
    const value = i === undefined ? "" : cells[i].trim();
    return value === "" ? undefined : value;
  };
  const list = (cells, name) => splitList(cell(cells, name) ?? "");

  return {
    unknownColumns,
    map(cells) {
      if (cells.length !== header.length) {
        return { error: { code: "request_body_invalid", message: `this row has ${cells.length} cells; the header has ${header.length}` } };
      }
      /** @type {Record<string, unknown>} */
      const record = {};
      for (const name of PLAIN_FIELDS) {
        const value = cell(cells, name);
        if (value !== undefined) record[name] = value;
      }
      const emails = identifications(
        cell(cells, "primary_email_address"),
        list(cells, "verified_email_addresses"),
        list(cells, "unverified_email_addresses"),
        foldEmail,
      );
      setIdentifications(record, "email_address", "email_address_identification_status", emails);
      const phones = identifications(
        cell(cells, "primary_phone_number"),
        list(cells, "verified_phone_numbers"),
        list(cells, "unverified_phone_numbers"),
        phoneKey,
      );
      setIdentifications(record, "phone_number", "phone_number_identification_status", phones);
      return { record: orderFields(record) };
    },
  };
}

/** The record's fields in the contract's order, so records read the same whatever the source. */
function orderFields(record) {
  const order = ["id", "first_name", "last_name", "username", "email_address", "email_address_identification_status", "phone_number"];
  const sorted = {};
  for (const key of order) if (key in record) sorted[key] = record[key];
  for (const key of Object.keys(record)) if (!(key in sorted)) sorted[key] = record[key];
  return sorted;
}

const isEmpty = (value) => value === undefined || value === null || (typeof value === "string" && value.trim() === "");

/**
 * A list in Clerk's JSON export: an "a|b" string (the first is primary), or an array of strings.
 * @returns {string[] | { error: { code: string, message: string } }}
 */
function jsonList(value, key) {
  if (typeof value === "string") return splitList(value);
  if (Array.isArray(value) && value.every((item) => typeof item === "string")) return value.map((item) => item.trim()).filter((item) => item !== "");
  return { error: { code: "form_param_type_invalid", message: `\`${key}\` must be a \`string\` of addresses separated by |` } };
}

/**
 * One object of Clerk's JSON export as a user record. Keys it does not know are reported
 * through `onUnknownKey` (once each per run is the caller's business) and not sent. Emails and
 * phones are created verified (the export does not say otherwise), the first of each primary.
 * Metadata given as a JSON string is parsed.
 * @param {unknown} value
 * @param {(key: string) => void} [onUnknownKey]
 * @returns {{ record: Record<string, unknown> } | { error: { code: string, message: string } }}
 */
export function mapClerkJsonUser(value, onUnknownKey) {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return { error: { code: "request_body_invalid", message: "is not a JSON object" } };
  }
  /** @type {Record<string, unknown>} */
  const record = {};
  for (const [key, item] of Object.entries(value)) {
    if (!CLERK_JSON_KEYS.includes(key)) {
      onUnknownKey?.(key);
      continue;
    }
    if (isEmpty(item)) continue;
    if (PLAIN_FIELDS.includes(key)) record[key] = typeof item === "string" ? item.trim() : item;
    else if (METADATA_FIELDS.includes(key)) record[key] = typeof item === "string" ? parseMetadata(item) : item;
    else {
      const list = jsonList(item, key);
      if ("error" in list) return list;
      // Each address once (as the server compares them); the first stays primary.
      const seen = new Set();
      const unique = list.filter((entry) => {
        const k = key === "email_addresses" ? foldEmail(entry) : entry;
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
      });
      if (unique.length > 0) record[key === "email_addresses" ? "email_address" : "phone_number"] = unique;
    }
  }
  return { record: orderFields(record) };
}

/** Metadata exported as a JSON string: the object it encodes, or the string (which the server refuses, naming the field). */
function parseMetadata(text) {
  try {
    const parsed = JSON.parse(text);
    return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed) ? parsed : text;
  } catch {
    return text;
  }
}

/**
 * A line of NDJSON as the export writes it: already a user record, passed on unchanged.
 * @param {unknown} value
 * @returns {{ record: Record<string, unknown> } | { error: { code: string, message: string } }}
 */
export function mapNdjsonUser(value) {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return { error: { code: "request_body_invalid", message: "is not a JSON object" } };
  }
  return { record: /** @type {Record<string, unknown>} */ (value) };
}
