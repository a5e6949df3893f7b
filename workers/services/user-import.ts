/**
 * POST /v1/users/import (issue 15): many users at once, each all-or-nothing on its own, with
 * their ids, identification ids, password digests, TOTP secrets and backup codes kept.
 *
 * A batch costs a bounded number of D1 calls whatever its size: one read for the whole batch
 * (which ids and identifiers are taken), then write batches of multi-row INSERTs (each at most
 * IMPORT_WRITE_ROWS rows, so no one D1 call holds the database long) of every
 * user that passed (db/user-import.ts). Users are built by the same code as POST /v1/users
 * (services/new-user.ts), so they are validated, hashed and stored exactly as create does.
 *
 * Each write batch is one transaction. When a concurrent request takes an id or identifier
 * between the read and the write, that batch fails whole; then each of its users is written in a
 * batch of its own, so each still lands or fails alone with its own error.
 */
import type { AppContext } from "../context";
import { isForeignKeyViolation, isUniqueViolation } from "../db/constraint-errors";
import { findImportConflicts, type ImportConflicts, type ImportLookup, insertNewUsersStatements } from "../db/user-import";
import type { NewUserRows } from "../db/users";
import { ApiError, errors } from "../http/errors";
import { type ClerkErrorObject, errorObject } from "../http/respond";
import { parseWith } from "../http/validation";
import { userImportRecord, MAX_IMPORT_USERS } from "../schemas/user-import";
import { buildNewUserRows, identifiersOf, type NewUserPlan, planNewUser, repeatedIdentifierError } from "./new-user";
import { identifierConflict } from "./users";
import { sqlBatchWithEvents, userEvent } from "../webhooks/outbox";

/** One element of the response's `results`, for the user at `index` of the request. */
export type UserImportResult =
  | { index: number; id: string; status: "created" | "exists" }
  | { index: number; id: string | null; status: "failed"; errors: ClerkErrorObject[] };

const failed = (index: number, id: string | null, error: ApiError): UserImportResult => ({
  index,
  id,
  status: "failed",
  errors: [errorObject(error)],
});

/** The `id` a record sent, reported with its failure even when the rest of it is invalid. */
function sentId(record: unknown): string | null {
  const id = record !== null && typeof record === "object" ? (record as { id?: unknown }).id : undefined;
  return typeof id === "string" ? id : null;
}

/** A failed user reports the id it sent; one the import would have generated means nothing to the caller. */
const sentIdOf = (plan: NewUserPlan) => plan.input.id ?? null;

/** A user's identifications by list, with the parameter of their ids and how an error names one. */
const identificationLists = (plan: NewUserPlan) =>
  [
    [plan.emails, "email_address_ids", "email address ID"],
    [plan.phones, "phone_number_ids", "phone number ID"],
    [plan.wallets, "web3_wallet_ids", "web3 wallet ID"],
  ] as const;

/** Every identification id a user would take: unique across the three identification tables. */
const identificationIdsOf = (plan: NewUserPlan) => [...plan.emails, ...plan.phones, ...plan.wallets].map((item) => item.id);

/** The lookups of a batch: ids sent (generated ones are new), identifiers, identification ids sent. */
function lookupOf(plans: readonly NewUserPlan[]): ImportLookup {
  const unique = (values: (string | null)[]) => [...new Set(values.filter((v): v is string => v !== null))];
  const sent = plans.filter((p) => p.input.id !== undefined);
  return {
    userIds: unique(sent.map((p) => p.userId)),
    emails: unique(plans.flatMap((p) => p.emails.map((e) => e.normalized))),
    phones: unique(plans.flatMap((p) => p.phones.map((e) => e.value))),
    wallets: unique(plans.flatMap((p) => p.wallets.map((e) => e.value))),
    usernames: unique(plans.map((p) => p.usernameNormalized)),
    externalIds: unique(plans.map((p) => p.externalId)),
    identificationIds: unique(
      plans.flatMap((p) => [...(p.input.email_address_ids ?? []), ...(p.input.phone_number_ids ?? []), ...(p.input.web3_wallet_ids ?? [])]),
    ),
  };
}

/** What a batch's users take between them (filled in request order, by users that will be written). */
class TakenInBatch implements ImportConflicts {
  readonly userIds = new Set<string>();
  readonly emails = new Set<string>();
  readonly phones = new Set<string>();
  readonly wallets = new Set<string>();
  readonly usernames = new Set<string>();
  readonly externalIds = new Set<string>();
  readonly identificationIds = new Set<string>();

  add(plan: NewUserPlan): void {
    const ids = identifiersOf(plan);
    this.userIds.add(plan.userId);
    for (const v of ids.emails) this.emails.add(v);
    for (const v of ids.phones) this.phones.add(v);
    for (const v of ids.wallets) this.wallets.add(v);
    if (ids.username !== null) this.usernames.add(ids.username);
    if (ids.externalId !== null) this.externalIds.add(ids.externalId);
    for (const v of identificationIdsOf(plan)) this.identificationIds.add(v);
  }
}

/**
 * form_identifier_exists for the first of the user's ids or identifiers in `taken` (stored, or
 * taken by an earlier user of the batch), in the order create checks them; undefined when free.
 */
function takenError(plan: NewUserPlan, taken: ImportConflicts): ApiError | undefined {
  const ids = identifiersOf(plan);
  if (taken.userIds.has(plan.userId)) return errors.identifierExists("id", "user ID");
  if (ids.emails.some((v) => taken.emails.has(v))) return errors.identifierExists("email_address", "email address");
  if (ids.phones.some((v) => taken.phones.has(v))) return errors.identifierExists("phone_number", "phone number");
  if (ids.wallets.some((v) => taken.wallets.has(v))) return errors.identifierExists("web3_wallet", "web3 wallet");
  if (ids.username !== null && taken.usernames.has(ids.username)) return errors.identifierExists("username", "username");
  if (ids.externalId !== null && taken.externalIds.has(ids.externalId)) return errors.identifierExists("external_id", "external ID");
  for (const [list, param, what] of identificationLists(plan)) {
    if (list.some((item) => taken.identificationIds.has(item.id))) return errors.identifierExists(param, what);
  }
  return undefined;
}

/** The user's own repeats: an identifier twice, or one identification id used twice. */
function repeatedError(plan: NewUserPlan): ApiError | undefined {
  const repeated = repeatedIdentifierError(identifiersOf(plan));
  if (repeated) return repeated;
  const ids = identificationIdsOf(plan);
  if (new Set(ids).size === ids.length) return undefined;
  const seen = new Set<string>();
  for (const [list, param, what] of identificationLists(plan)) {
    for (const item of list) {
      if (seen.has(item.id)) return errors.identifierExists(param, what);
      seen.add(item.id);
    }
  }
  return undefined;
}

/** The user's result for a failed single-user write, or undefined when the failure is not the user's (rethrown). */
function conflictResult(index: number, plan: NewUserPlan, error: unknown): UserImportResult | undefined {
  // Another request created this very user since the batch's read.
  if (isUniqueViolation(error, "users.id")) return { index, id: plan.userId, status: "exists" };
  // An identification id (the tables' primary keys), before identifierConflict reads the table alone.
  const idColumns = [
    ["email_addresses.id", "email_address_ids", "email address ID"],
    ["phone_numbers.id", "phone_number_ids", "phone number ID"],
    ["web3_wallets.id", "web3_wallet_ids", "web3 wallet ID"],
  ] as const;
  for (const [column, param, what] of idColumns) {
    if (isUniqueViolation(error, column)) return failed(index, sentIdOf(plan), errors.identifierExists(param, what));
  }
  const identifier = identifierConflict(error);
  return identifier ? failed(index, sentIdOf(plan), identifier) : undefined;
}

/**
 * Imports `records` (the elements of the body's `users`, not yet validated) and answers one
 * result per record, in order: created, exists (a user with that id is stored; left unchanged),
 * or failed with the Clerk errors that create would answer for it.
 */
export async function importUsers(ctx: AppContext, records: readonly unknown[]): Promise<UserImportResult[]> {
  const results: (UserImportResult | undefined)[] = new Array(records.length);
  const plans: { index: number; plan: NewUserPlan }[] = [];

  // 1. Validation and ids, per user (no database).
  records.forEach((record, index) => {
    try {
      if (record === null || typeof record !== "object" || Array.isArray(record)) throw errors.paramTypeInvalid("users", "object");
      const plan = planNewUser(ctx, parseWith(userImportRecord, record));
      const repeated = repeatedError(plan);
      if (repeated) throw repeated;
      plans.push({ index, plan });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      results[index] = failed(index, sentId(record), error);
    }
  });

  // A request carries at most MAX_IMPORT_ROWS rows, so its statements stay bounded (below).
  const rows = plans.reduce((sum, { plan }) => sum + plannedRows(plan), 0);
  if (rows > MAX_IMPORT_ROWS) {
    throw errors.paramArraySizeExceeded(
      "users",
      MAX_IMPORT_USERS,
      `users carry ${rows} rows (a user, each identification and each backup code is one); one request takes at most ${MAX_IMPORT_ROWS}: send fewer users per request.`,
    );
  }

  // 2. One read for the batch: stored ids (→ exists) and taken identifiers (→ failed).
  const conflicts = plans.length ? await findImportConflicts(ctx.db, lookupOf(plans.map((p) => p.plan))) : undefined;

  // 3. Rows of every user that can be written, in request order: a later user that repeats an
  //    earlier one's id or identifier fails. Hashing happens here, only for these users.
  const inBatch = new TakenInBatch();
  const pending: { index: number; plan: NewUserPlan; rows: NewUserRows }[] = [];
  // A record repeating an earlier record's id: answered after the writes, as a second run would.
  const writerOf = new Map<string, number>();
  const repeats: { index: number; of: number; plan: NewUserPlan }[] = [];
  for (const { index, plan } of plans) {
    if (conflicts!.userIds.has(plan.userId)) {
      results[index] = { index, id: plan.userId, status: "exists" };
      continue;
    }
    const earlier = writerOf.get(plan.userId);
    if (earlier !== undefined) {
      repeats.push({ index, of: earlier, plan });
      continue;
    }
    try {
      const taken = takenError(plan, conflicts!) ?? takenError(plan, inBatch);
      if (taken) throw taken;
      const rows = await buildNewUserRows(ctx, plan);
      inBatch.add(plan);
      writerOf.set(plan.userId, index);
      pending.push({ index, plan, rows });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      results[index] = failed(index, sentIdOf(plan), error);
    }
  }

  // 4. Write batches of at most IMPORT_WRITE_ROWS rows (whole users); if a concurrent write took
  //    something since the read, that batch's users are written one batch each, so each lands or
  //    fails on its own.
  for (const group of writeGroups(pending)) {
    try {
      await insertUsersWithEvents(
        ctx,
        group.map((p) => p.rows),
      );
      for (const { index, plan } of group) results[index] = { index, id: plan.userId, status: "created" };
    } catch (error) {
      if (!isUniqueViolation(error) && !isForeignKeyViolation(error)) throw error;
      for (const { index, plan, rows } of group) {
        try {
          await insertUsersWithEvents(ctx, [rows]);
          results[index] = { index, id: plan.userId, status: "created" };
        } catch (single) {
          const result = conflictResult(index, plan, single);
          if (!result) throw single;
          results[index] = result;
        }
      }
    }
  }
  // The same id twice answers as two runs would: exists once the first made the user, so the
  // outcome does not depend on where the CLI cuts its batches.
  for (const { index, of, plan } of repeats) {
    results[index] =
      results[of]?.status === "created"
        ? { index, id: plan.userId, status: "exists" }
        : failed(index, sentIdOf(plan), errors.identifierExists("id", "user ID"));
  }
  return results as UserImportResult[];
}

/**
 * Writes `newUsers` in one batch with one user.created per user (the transactional outbox,
 * workers/webhooks/outbox.ts): the users and their events land together or not at all.
 */
async function insertUsersWithEvents(ctx: AppContext, newUsers: NewUserRows[]): Promise<void> {
  await sqlBatchWithEvents(ctx, insertNewUsersStatements(newUsers), [userEvent("user.created", ...newUsers.map((u) => u.user.id))]);
}

/**
 * Rows (users, identifications, backup codes) one write batch of an import takes at most, a user
 * never split. A D1 batch is one call that holds the database for its whole length, and with
 * the triggers each inserted row costs about 0.15–0.5 ms on local D1 (a whole 500-user batch of
 * the bench's mix, ~1,300 rows, took 200–250 ms idle; 150-row batches still reached 109 ms at
 * 100k users): 100 rows keep a call near 15–50 ms, so requests that arrive during an import
 * wait little. More calls cost little: the work per row is the same.
 */
export const IMPORT_WRITE_ROWS = 100;

/** `pending` in consecutive groups of at most IMPORT_WRITE_ROWS rows (a larger user alone). */
function* writeGroups<T extends { plan: NewUserPlan }>(pending: readonly T[]): Generator<T[]> {
  let group: T[] = [];
  let rows = 0;
  for (const item of pending) {
    const n = plannedRows(item.plan);
    if (group.length > 0 && rows + n > IMPORT_WRITE_ROWS) {
      yield group;
      group = [];
      rows = 0;
    }
    group.push(item);
    rows += n;
  }
  if (group.length > 0) yield group;
}

/**
 * Rows one import request may write at most. Write batches hold at most IMPORT_WRITE_ROWS rows
 * of whole users, so a request of heavy users (up to 401 rows each within create's limits) would
 * otherwise make one batch of up to five INSERTs per user: 500 such users, 2,500 statements. With
 * this cap a request makes at most ~100 write batches (users of 51 rows each, one per batch),
 * about 500 statements, and at most a few seconds of D1 time. The CLI halves a batch refused so.
 */
export const MAX_IMPORT_ROWS = 5_000;

function plannedRows(plan: NewUserPlan): number {
  // The same choice buildNewUserRows makes: stored digests when sent, else plain codes.
  const { backup_code_digests: digests, backup_codes: codes } = plan.input;
  const codeRows = digests !== undefined && digests !== null ? digests.length : (codes?.length ?? 0);
  return 1 + plan.emails.length + plan.phones.length + plan.wallets.length + codeRows;
}
