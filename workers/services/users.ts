/**
 * The rules of the user operations: create, read, update, delete and metadata.
 * No Request/Response here; routes parse input, call these, and serialise.
 */
import { d1ErrorText, isForeignKeyViolation, isUniqueViolation } from "../db/constraint-errors";
import type { AppContext } from "../context";
import { normalizeUsername } from "../db/normalize";
import { backupCodes, emailAddresses, images, phoneNumbers, users, web3Wallets, type UserRow } from "../db/schema";
import { abortBatchUnlessMetadataFits, metadataAssignments, sendsMetadata } from "../db/metadata";
import {
  abortBatchUnless,
  aggregateOf,
  BATCH_GUARD_FAILED,
  deleteUserStatement,
  findTakenIdentifiers,
  findUserAggregateById,
  insertRowsStatements,
  insertUserStatements,
  ownedRowExists,
  rowBelongsTo,
  type BatchCondition,
  updateUserStatement,
  type Statement,
  type UserAggregate,
} from "../db/users";
import { errors, type ApiError } from "../http/errors";
import type { CreateUserInput, MetadataInput, UpdateUserInput } from "../schemas/users";
import { deleteImagesOfUserStatement } from "../db/images";
import { canRemoveUsername, usernameRemovable } from "../db/identities";
import { deleteImageObjects } from "../storage/images";
import { backupCodeRows, mfaFactorsOf, mfaTimestampColumns, passwordColumns, totpColumns } from "./credentials";
import { deleteBackupCodesStatement } from "../db/credentials";
import { requireUserRow } from "./require-user";
import { buildNewUserRows, identifiersOf, planNewUser, repeatedIdentifierError } from "./new-user";
import { batchWithEvents, userEvent, type EventSpec } from "../webhooks/outbox";
import { metadataWrite, runWithMetadataLimit, updateWithMetadata, type MetadataMode } from "./metadata";

/** Maps a UNIQUE constraint failure (a concurrent create won the race) to Clerk's error. */
export function identifierConflict(error: unknown): ApiError | undefined {
  if (!isUniqueViolation(error)) return undefined;
  const text = d1ErrorText(error);
  if (text.includes("email_addresses.")) return errors.identifierExists("email_address", "email address");
  if (text.includes("phone_numbers.")) return errors.identifierExists("phone_number", "phone number");
  if (text.includes("web3_wallets.")) return errors.identifierExists("web3_wallet", "web3 wallet");
  if (text.includes("users.username")) return errors.identifierExists("username", "username");
  if (text.includes("users.external_id")) return errors.identifierExists("external_id", "external ID");
  return undefined;
}

/**
 * A child-row insert whose user was deleted by a concurrent request fails its foreign key;
 * for the caller that user no longer exists.
 */
export function deletedUserConflict(error: unknown, userId: string): ApiError | undefined {
  return isForeignKeyViolation(error) ? errors.userNotFound(userId) : undefined;
}

/**
 * Runs a write batch, turning a lost uniqueness race into form_identifier_exists and a write
 * racing the user's deletion into 404.
 */
async function runUserBatch(ctx: AppContext, statements: Statement[], userId?: string, events: EventSpec[] = []): Promise<void> {
  try {
    await batchWithEvents(ctx, statements, events);
  } catch (error) {
    throw identifierConflict(error) ?? (userId ? deletedUserConflict(error, userId) : undefined) ?? error;
  }
}

/** Refuses identifiers that repeat in the request or belong to another user. */
async function assertIdentifiersFree(
  ctx: AppContext,
  input: { emails: string[]; phones: string[]; wallets: string[]; username?: string | null; externalId?: string | null; exceptUserId?: string },
): Promise<void> {
  const repeated = repeatedIdentifierError(input);
  if (repeated) throw repeated;
  const taken = await findTakenIdentifiers(ctx.db, input);
  if (taken.email) throw errors.identifierExists("email_address", "email address");
  if (taken.phone) throw errors.identifierExists("phone_number", "phone number");
  if (taken.wallet) throw errors.identifierExists("web3_wallet", "web3 wallet");
  if (taken.username) throw errors.identifierExists("username", "username");
  if (taken.externalId) throw errors.identifierExists("external_id", "external ID");
}

/** A user's metadata columns: the 8 KB limit counts the three together. */
const USER_METADATA_COLUMNS = {
  publicMetadata: users.publicMetadata,
  privateMetadata: users.privateMetadata,
  unsafeMetadata: users.unsafeMetadata,
};

export async function getUser(ctx: AppContext, userId: string): Promise<UserAggregate> {
  const aggregate = await findUserAggregateById(ctx.db, userId);
  if (!aggregate) throw errors.userNotFound(userId);
  return aggregate;
}

export async function createUser(ctx: AppContext, input: CreateUserInput): Promise<UserAggregate> {
  const plan = planNewUser(ctx, input);
  // Before any hashing: a taken identifier is refused without paying for bcrypt.
  await assertIdentifiersFree(ctx, identifiersOf(plan));
  const rows = await buildNewUserRows(ctx, plan);
  await runUserBatch(ctx, insertUserStatements(ctx.db, rows), undefined, [userEvent("user.created", plan.userId)]);
  return getUser(ctx, plan.userId);
}

/** A primary_*_id must name one of this user's identifications, and a verified one. */
function choosePrimary<T extends { id: string; verificationStatus: string | null }>(
  list: T[],
  id: string | null | undefined,
  param: string,
): T | null | undefined {
  if (id === undefined) return undefined;
  if (id === null) throw errors.paramNil(param);
  const found = list.find((item) => item.id === id);
  if (!found) throw errors.formResourceNotFound(param);
  if (found.verificationStatus !== "verified") throw errors.verificationNeeded(param);
  return found;
}

export async function updateUser(ctx: AppContext, userId: string, input: UpdateUserInput): Promise<UserAggregate> {
  const current = await getUser(ctx, userId);
  const now = ctx.now();
  if (input.password === undefined || input.password === null) {
    if (input.skip_password_checks !== undefined && input.skip_password_checks !== null) {
      throw errors.paramValueInvalid("skip_password_checks", "skip_password_checks can only be used together with password.");
    }
    if (input.sign_out_of_other_sessions !== undefined && input.sign_out_of_other_sessions !== null) {
      throw errors.paramValueInvalid("sign_out_of_other_sessions", "sign_out_of_other_sessions can only be used together with password.");
    }
  }
  const values: Partial<UserRow> = {};
  const set = <K extends keyof UserRow>(key: K, value: UserRow[K] | undefined) => {
    if (value !== undefined) values[key] = value;
  };
  set("externalId", input.external_id);
  set("firstName", input.first_name);
  set("lastName", input.last_name);
  set("locale", input.locale);
  if (input.username !== undefined) {
    const name = input.username === "" ? null : input.username;
    values.username = name;
    values.usernameNormalized = name ? normalizeUsername(name) : null;
  }
  set("deleteSelfEnabled", input.delete_self_enabled ?? undefined);
  set("createOrganizationEnabled", input.create_organization_enabled ?? undefined);
  set("createOrganizationsLimit", input.create_organizations_limit);
  set("legalAcceptedAt", input.legal_accepted_at);
  set("bypassClientTrust", input.bypass_client_trust ?? undefined);
  if (input.created_at !== undefined && input.created_at !== null) values.createdAt = input.created_at;

  // Rows the update points the user at, and that removing the username leaves the user an
  // identification: re-checked when the batch runs (see below).
  const pointsAt: BatchCondition[] = [];
  const removesUsername = values.username === null;
  if (removesUsername) pointsAt.push(usernameRemovable(userId));
  const email = choosePrimary(current.emailAddresses, input.primary_email_address_id, "primary_email_address_id");
  if (email) {
    pointsAt.push(ownedRowExists(emailAddresses, email.id, userId));
    values.primaryEmailAddressId = email.id;
    values.primaryEmailAddressSort = email.emailAddressNormalized;
  }
  const phone = choosePrimary(current.phoneNumbers, input.primary_phone_number_id, "primary_phone_number_id");
  if (phone) {
    pointsAt.push(ownedRowExists(phoneNumbers, phone.id, userId));
    values.primaryPhoneNumberId = phone.id;
    values.primaryPhoneNumberSort = phone.phoneNumber;
  }
  const wallet = choosePrimary(current.web3Wallets, input.primary_web3_wallet_id, "primary_web3_wallet_id");
  if (wallet) {
    pointsAt.push(ownedRowExists(web3Wallets, wallet.id, userId));
    values.primaryWeb3WalletId = wallet.id;
    values.primaryWeb3WalletSort = wallet.web3Wallet;
  }

  if (input.profile_image_id !== undefined) {
    if (input.profile_image_id === null) throw errors.paramNil("profile_image_id");
    if (!(await rowBelongsTo(ctx.db, images, userId, input.profile_image_id))) throw errors.formResourceNotFound("profile_image_id");
    pointsAt.push(ownedRowExists(images, input.profile_image_id, userId));
    values.imageId = input.profile_image_id;
  }

  // Each metadata object sent replaces the stored one in the user's UPDATE; the others are not
  // written. The limit on the three together is checked by a guard just before it (below).
  const metadata = metadataWrite(
    USER_METADATA_COLUMNS,
    { public_metadata: input.public_metadata, private_metadata: input.private_metadata, unsafe_metadata: input.unsafe_metadata },
    "replace",
  );

  await assertIdentifiersFree(ctx, {
    emails: [],
    phones: [],
    wallets: [],
    username: values.username === undefined ? null : values.usernameNormalized,
    externalId: input.external_id ?? null,
    exceptUserId: userId,
  });

  Object.assign(values, await passwordColumns(ctx, input));
  const totp = await totpColumns(ctx, input, userId);
  const codes = await backupCodeRows(ctx, input, userId);
  Object.assign(values, totp, codes?.columns);
  const statements: Statement[] = [];
  if (codes) {
    statements.push(deleteBackupCodesStatement(ctx.db, userId));
    statements.push(...insertRowsStatements(ctx.db, backupCodes, codes.rows));
  }
  const mfaBefore = mfaFactorsOf(current);
  const mfaAfter = { ...mfaBefore, totp: mfaBefore.totp || Boolean(totp), backupCodes: codes ? codes.rows.length > 0 : mfaBefore.backupCodes };
  Object.assign(values, mfaTimestampColumns(mfaBefore, mfaAfter, now));

  values.updatedAt = now;
  statements.unshift(updateUserStatement(ctx.db, userId, { ...values, ...metadataAssignments(metadata) }));
  // The size guard must stop the whole batch (backup codes too), so it aborts it rather than
  // leaving the UPDATE to skip the row; in the one transaction nothing writes in between.
  if (sendsMetadata(metadata)) statements.unshift(abortBatchUnlessMetadataFits(ctx.db, users, userId, metadata));
  // A wallet or image named above may be removed by a concurrent request after it was read, and
  // another identification may go while the username is being removed; the guard refuses the
  // whole batch then, so the user never points at a row that is gone nor loses its last identification.
  if (pointsAt.length) statements.unshift(abortBatchUnless(ctx.db, userId, pointsAt));
  try {
    // The event snapshots the row after every statement (backup codes included); a refused
    // batch rolls it back with the rest, and a user deleted meanwhile has no row to snapshot.
    await runWithMetadataLimit(ctx, users, userId, metadata, () => runUserBatch(ctx, statements, userId, [userEvent("user.updated", userId)]));
  } catch (error) {
    if (!d1ErrorText(error).includes(BATCH_GUARD_FAILED)) throw error;
    // Re-validate against what is stored now, which names the parameter whose row is gone.
    const latest = await getUser(ctx, userId);
    choosePrimary(latest.emailAddresses, input.primary_email_address_id, "primary_email_address_id");
    choosePrimary(latest.phoneNumbers, input.primary_phone_number_id, "primary_phone_number_id");
    choosePrimary(latest.web3Wallets, input.primary_web3_wallet_id, "primary_web3_wallet_id");
    // Every primary still holds, so the username's removal or the image is what failed.
    if (removesUsername && (input.profile_image_id === undefined || !(await canRemoveUsername(ctx.db, userId)))) {
      throw errors.lastIdentificationDeletionFailed();
    }
    throw errors.formResourceNotFound("profile_image_id");
  }
  return getUser(ctx, userId);
}

/** Deletes the user and everything it owns: rows (by cascade) and its R2 image objects. */
export async function deleteUser(ctx: AppContext, userId: string): Promise<void> {
  await requireUserRow(ctx, userId);
  // The ids come from the deleting statement itself, so an image uploaded meanwhile is included.
  // The event is written only if this DELETE removed the user (of two concurrent deletes, one).
  // The memberships the cascade removes each get organizationMembership.deleted, snapshotted in
  // the same transaction just before (so a concurrent delete finds none of them left); the
  // organizations' organization.updated (members_count) is not sent.
  const [owned] = (await batchWithEvents(
    ctx,
    [deleteImagesOfUserStatement(ctx.db, userId), deleteUserStatement(ctx.db, userId)],
    [
      { type: "organizationMembership.deleted", source: { kind: "memberships", of: "user", id: userId }, before: true },
      { type: "user.deleted", source: { kind: "deleted", object: "user", id: userId }, onlyIfChanged: true },
    ],
  )) as [{ id: string }[]];
  await deleteImageObjects(
    ctx,
    owned.map((i) => i.id),
  );
}

/**
 * PATCH /metadata (merge: RFC 7396 merge-patch of each object sent, null removes keys at any
 * level) and PUT /metadata (replace: each object sent replaces the stored one, {} or null
 * clears it). One statement: concurrent updates each apply to what the other wrote.
 */
export async function updateUserMetadata(ctx: AppContext, userId: string, input: MetadataInput, mode: MetadataMode): Promise<UserAggregate> {
  const row = await updateWithMetadata(ctx, users, userId, metadataWrite(USER_METADATA_COLUMNS, input, mode), { updatedAt: ctx.now() }, [
    userEvent("user.updated", userId),
  ]);
  if (!row) throw errors.userNotFound(userId);
  return aggregateOf(row);
}
