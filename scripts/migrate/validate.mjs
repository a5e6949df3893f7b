/**
 * The checks `npm run import -- --dry-run` makes on each user record without a server: the
 * record's shape (known fields, their JSON types, parallel lists of equal length), id formats,
 * the basic format of emails, phones, wallets and usernames, credential fields that must come
 * together or not at all, and identifiers that repeat within the file (which the server would
 * refuse for the later user, or for an id, skip as `exists`). Each problem carries the Clerk
 * error code the server gives for it. Whatever needs the server (identifiers taken by users
 * already there, digests that do not parse, metadata size) is left to the import.
 */
import { foldEmail, foldUsername } from "../../workers/db/identifier-folding.mjs";
import {
  E164_RE,
  EMAIL_MAX_LENGTH,
  EMAIL_RE,
  EVM_WALLET_RE,
  IMPORTED_IDENTIFICATION_ID_RE,
  IMPORTED_USER_ID_RE,
  SOLANA_WALLET_RE,
  USERNAME_CHARS_RE,
  USERNAME_MAX,
  USERNAME_MIN,
} from "../../workers/schemas/identifier-formats.mjs";

/**
 * Every field of the user record (createUserBody in workers/schemas/users.ts, plus the import
 * extensions of issue 15) and its JSON type. A trailing `?` allows null, as create's schema does
 * for that field.
 */
export const RECORD_FIELDS = {
  id: "string",
  external_id: "string?",
  first_name: "string?",
  last_name: "string?",
  locale: "string?",
  email_address: "string[]",
  email_address_identification_status: "string[]",
  phone_number: "string[]",
  phone_number_identification_status: "string[]",
  web3_wallet: "string[]",
  username: "string?",
  password: "string?",
  password_digest: "string?",
  password_hasher: "string?",
  skip_password_checks: "boolean?",
  totp_secret: "string?",
  backup_codes: "string[]?",
  skip_password_requirement: "boolean?",
  public_metadata: "object",
  private_metadata: "object",
  unsafe_metadata: "object",
  delete_self_enabled: "boolean?",
  create_organization_enabled: "boolean?",
  create_organizations_limit: "integer?",
  legal_accepted_at: "string?",
  skip_legal_checks: "boolean?",
  skip_user_requirement: "boolean?",
  bypass_client_trust: "boolean?",
  created_at: "string?",
  banned: "boolean?",
  locked: "boolean?",
  email_address_ids: "string[]",
  phone_number_ids: "string[]",
  web3_wallet_ids: "string[]",
  backup_code_digests: "string[]?",
  password_last_updated_at: "integer?",
  mfa_enabled_at: "integer?",
  mfa_disabled_at: "integer?",
  last_sign_in_at: "integer?",
  last_active_at: "integer?",
  email_address_created_at: "integer[]",
  phone_number_created_at: "integer[]",
  web3_wallet_created_at: "integer[]",
  phone_number_reserved_for_second_factor: "boolean[]",
  phone_number_default_second_factor: "boolean[]",
};

const LIST_MAX = 100;
const STATUSES = ["verified", "reserved", "unverified"];
// Lists parallel to an identification list: [list, parallel fields].
const PARALLEL = [
  ["email_address", ["email_address_identification_status", "email_address_ids", "email_address_created_at"]],
  [
    "phone_number",
    [
      "phone_number_identification_status",
      "phone_number_ids",
      "phone_number_created_at",
      "phone_number_reserved_for_second_factor",
      "phone_number_default_second_factor",
    ],
  ],
  ["web3_wallet", ["web3_wallet_ids", "web3_wallet_created_at"]],
];

/** @typedef {{ code: string, message: string }} Problem */

const problem = (code, message) => ({ code, message });

function typeProblem(field, value, type) {
  const nullable = type.endsWith("?");
  const base = nullable ? type.slice(0, -1) : type;
  if (value === null) return nullable ? undefined : problem("form_param_nil", `${field} cannot be null.`);
  const isType = (item, t) =>
    t === "string"
      ? typeof item === "string"
      : t === "boolean"
        ? typeof item === "boolean"
        : t === "integer"
          ? Number.isSafeInteger(item)
          : item !== null && typeof item === "object" && !Array.isArray(item);
  if (base.endsWith("[]")) {
    const itemType = base.slice(0, -2);
    if (!Array.isArray(value) || !value.every((item) => isType(item, itemType))) {
      return problem("form_param_type_invalid", `\`${field}\` must be a \`array\` of ${itemType}s.`);
    }
    if (value.length > LIST_MAX) return problem("form_param_array_size_exceeded", `${field} should not exceed ${LIST_MAX} items.`);
    return undefined;
  }
  if (!isType(value, base)) {
    return base === "object"
      ? problem("form_param_value_invalid", `${field} must be a JSON object.`)
      : problem("form_param_type_invalid", `\`${field}\` must be a \`${base}\`.`);
  }
  return undefined;
}

/** Format problems of one identification value (the server's rules, workers/schemas/common.ts). */
function formatProblem(field, value) {
  if (field === "email_address" && (value.length > EMAIL_MAX_LENGTH || !EMAIL_RE.test(value))) {
    return problem("form_param_format_invalid", `${field} must be a valid email address.`);
  }
  if (field === "phone_number" && !E164_RE.test(value)) {
    return problem("form_param_format_invalid", `${field} must be a valid phone number according to E.164 international standard.`);
  }
  if (field === "web3_wallet" && !EVM_WALLET_RE.test(value) && !SOLANA_WALLET_RE.test(value)) {
    return problem("form_param_format_invalid", `${field} must be a valid web3 wallet address.`);
  }
  return undefined;
}

const isSet = (value) => value !== undefined && value !== null;

/**
 * A checker that remembers the identifiers of the records it has seen (so it holds a few strings
 * per user, not the users).
 * @returns {{ check(record: unknown, line: number): Problem[] }}
 */
export function createRecordChecker() {
  /** @type {Map<string, number>} identifier key → the line that has it first */
  const seen = new Map();

  /** form_identifier_exists when an earlier record has this identifier. */
  function claim(kind, key, line, what, field) {
    const k = `${kind}\u0000${key}`;
    const first = seen.get(k);
    if (first !== undefined && first !== line) {
      return problem("form_identifier_exists", `${field}: that ${what} is also on line ${first}.`);
    }
    seen.set(k, line);
    return undefined;
  }

  return {
    check(record, line) {
      /** @type {Problem[]} */
      const problems = [];
      if (record === null || typeof record !== "object" || Array.isArray(record)) return [problem("request_body_invalid", "is not a JSON object")];
      const r = /** @type {Record<string, unknown>} */ (record);
      for (const [field, value] of Object.entries(r)) {
        const type = RECORD_FIELDS[field];
        if (!type) {
          problems.push(problem("form_param_unknown", `${field} is not a valid parameter for this request.`));
          continue;
        }
        if (value === undefined) continue;
        const p = typeProblem(field, value, type);
        if (p) problems.push(p);
      }
      // Only well-typed fields are looked into further.
      if (problems.length > 0) return problems;

      if (isSet(r.id)) {
        if (!IMPORTED_USER_ID_RE.test(/** @type {string} */ (r.id))) {
          problems.push(problem("form_param_format_invalid", 'id must be a user id: "user_" followed by 1 to 64 letters or digits.'));
        } else {
          const dup = claim("id", r.id, line, "id", "id");
          if (dup)
            problems.push(
              problem(dup.code, `${dup.message} The import keeps the first and answers \`exists\` for this one, whose data is not imported.`),
            );
        }
      }

      for (const [list, parallels] of PARALLEL) {
        const values = /** @type {string[] | undefined} */ (r[list]) ?? [];
        for (const value of values) {
          const p = formatProblem(list, value);
          if (p) {
            problems.push(p);
            break;
          }
        }
        for (const field of parallels) {
          const other = /** @type {unknown[] | null | undefined} */ (r[field]);
          // An empty status list means "all verified", as create reads it.
          if (!isSet(other) || (field.endsWith("_identification_status") && other.length === 0)) continue;
          if (other.length !== values.length) {
            problems.push(problem("form_param_array_length_mismatch", `${field} must contain exactly one item for each item in ${list}.`));
          }
        }
        const statuses = r[`${list}_identification_status`];
        if (Array.isArray(statuses)) {
          const bad = statuses.find((status) => !STATUSES.includes(status));
          if (bad !== undefined) {
            problems.push(
              problem(
                "form_param_value_invalid",
                `${JSON.stringify(bad)} does not match the allowed values for parameter ${list}_identification_status. Allowed values: ${STATUSES.join(", ")}`,
              ),
            );
          }
        }
        const ids = r[`${list}_ids`];
        if (Array.isArray(ids)) {
          if (ids.some((id) => !IMPORTED_IDENTIFICATION_ID_RE.test(id))) {
            problems.push(
              problem("form_param_format_invalid", `${list}_ids must be an identification id: "idn_" followed by 1 to 64 letters or digits.`),
            );
          }
          for (const id of ids) {
            const dup = claim("idn", id, line, "identification id", `${list}_ids`);
            if (dup) problems.push(dup);
          }
        }
      }

      if (isSet(r.username)) {
        const username = /** @type {string} */ (r.username);
        const length = Array.from(username.normalize("NFC")).length;
        if (length < USERNAME_MIN || length > USERNAME_MAX) {
          problems.push(problem("form_username_invalid_length", `Username must be between ${USERNAME_MIN} and ${USERNAME_MAX} characters long.`));
        } else if (!USERNAME_CHARS_RE.test(username)) {
          problems.push(problem("form_username_invalid_character", "Username can only contain letters, numbers, '_', '-' and '.'."));
        }
      }

      // Credentials that go together (workers/services/credentials.ts).
      if (isSet(r.password_digest) && !isSet(r.password_hasher)) problems.push(problem("form_param_missing", "password_hasher must be included."));
      if (isSet(r.password_hasher) && !isSet(r.password_digest)) problems.push(problem("form_param_missing", "password_digest must be included."));
      if (isSet(r.password) && isSet(r.password_digest)) {
        problems.push(problem("form_param_value_invalid", "password cannot be combined with password_digest; send one of them."));
      }
      if (isSet(r.backup_codes) && isSet(r.backup_code_digests)) {
        problems.push(problem("form_param_value_invalid", "backup_codes cannot be combined with backup_code_digests; send one of them."));
      }

      // Identifiers: unique within the record and across the file, compared as the server does.
      const identifiers = [
        ["email", /** @type {string[]} */ (r.email_address) ?? [], foldEmail, "email address", "email_address"],
        ["phone", /** @type {string[]} */ (r.phone_number) ?? [], (v) => v, "phone number", "phone_number"],
        ["wallet", /** @type {string[]} */ (r.web3_wallet) ?? [], (v) => v, "web3 wallet", "web3_wallet"],
        ["username", isSet(r.username) ? [/** @type {string} */ (r.username)] : [], foldUsername, "username", "username"],
        ["external_id", isSet(r.external_id) ? [/** @type {string} */ (r.external_id)] : [], (v) => v, "external ID", "external_id"],
      ];
      for (const [kind, values, fold, what, field] of identifiers) {
        const inRecord = new Set();
        for (const value of values) {
          const key = fold(value);
          if (inRecord.has(key)) {
            problems.push(problem("form_identifier_exists", `${field}: that ${what} is in this record twice.`));
            break;
          }
          inRecord.add(key);
          const dup = claim(kind, key, line, what, field);
          if (dup) {
            problems.push(dup);
            break;
          }
        }
      }
      return problems;
    },
  };
}
