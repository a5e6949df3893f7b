/**
 * Passkeys and external accounts added through the extension endpoints.
 * OAuth tokens are sealed with AES-GCM before they reach D1 and never appear in responses.
 */
import { isUniqueViolation } from "../db/constraint-errors";
import type { AppContext } from "../context";
import { encryptSecret } from "../crypto/encryption";
import { newId } from "../crypto/ids";
import {
  deleteIdentityUnlessLast,
  insertExternalAccount,
  insertPasskey,
  primaryWalletAfterRemoving,
  type RemovableIdentityTable,
} from "../db/identities";
import { normalizeProvider } from "../db/normalize";
import { externalAccounts, passkeys, web3Wallets, type ExternalAccountRow, type PasskeyRow } from "../db/schema";
import { rowBelongsTo, type Statement } from "../db/users";
import { ApiError, errors } from "../http/errors";
import type { CreateExternalAccountInput, CreatePasskeyInput } from "../schemas/identities";
import { batchWithEvents, userEvent } from "../webhooks/outbox";
import { requireUserRow } from "./require-user";
import { deletedUserConflict } from "./users";

/**
 * The batch of an identity change with its user.updated: the User JSON lists the identity. A
 * write that fails (a taken credential, a user deleted meanwhile) rolls its event back with it;
 * with `onlyIfChanged`, none unless the last statement changed a row (a refused removal).
 */
const withUserUpdated =
  (ctx: AppContext, userId: string, onlyIfChanged = false) =>
  (statements: Statement[]) =>
    batchWithEvents(ctx, statements, [{ ...userEvent("user.updated", userId), onlyIfChanged }]);

/** Associated data binding a sealed token to its account and field, so rows cannot be swapped. */
export function tokenContext(accountId: string, field: "access_token" | "refresh_token" | "id_token" | "token_secret"): string {
  return `${accountId}:${field}`;
}

export async function createPasskey(ctx: AppContext, userId: string, input: CreatePasskeyInput): Promise<PasskeyRow> {
  await requireUserRow(ctx, userId);
  const now = ctx.now();
  try {
    return await insertPasskey(ctx.db, withUserUpdated(ctx, userId), {
      id: newId("idn", now),
      userId,
      name: input.name,
      credentialId: input.credential_id,
      publicKey: input.public_key,
      signCount: input.sign_count ?? 0,
      transports: JSON.stringify(input.transports ?? []),
      lastUsedAt: null,
      createdAt: now,
      updatedAt: now,
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw errors.identifierExists("credential_id", "passkey");
    // The user was deleted after the check above: the insert failed its foreign key → 404.
    throw deletedUserConflict(error, userId) ?? error;
  }
}

export async function createExternalAccount(ctx: AppContext, userId: string, input: CreateExternalAccountInput): Promise<ExternalAccountRow> {
  await requireUserRow(ctx, userId);
  const now = ctx.now();
  const id = newId("eac", now);
  const seal = async (field: Parameters<typeof tokenContext>[1], value: string | null | undefined) =>
    value ? encryptSecret(ctx.config.encryptionKey, value, tokenContext(id, field)) : null;
  try {
    return await insertExternalAccount(ctx.db, withUserUpdated(ctx, userId), {
      id,
      userId,
      provider: normalizeProvider(input.provider),
      identificationId: newId("idn", now),
      providerUserId: input.provider_user_id,
      approvedScopes: input.approved_scopes ?? "",
      emailAddress: input.email_address ?? "",
      firstName: input.first_name ?? null,
      lastName: input.last_name ?? null,
      username: input.username ?? null,
      imageUrl: input.image_url ?? null,
      phoneNumber: input.phone_number ?? null,
      label: input.label ?? null,
      publicMetadata: JSON.stringify(input.public_metadata ?? {}),
      accessTokenEncrypted: await seal("access_token", input.access_token),
      refreshTokenEncrypted: await seal("refresh_token", input.refresh_token),
      idTokenEncrypted: await seal("id_token", input.id_token),
      tokenSecretEncrypted: await seal("token_secret", input.token_secret),
      tokenExpiresAt: input.expires_at ?? null,
      createdAt: now,
      updatedAt: now,
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new ApiError(
        422,
        "form_identifier_exists",
        "That external account is taken. Please try another.",
        "An external account for this provider and provider_user_id already exists.",
        { param_name: "provider_user_id" },
      );
    }
    // The user was deleted after the check above: the insert failed its foreign key → 404.
    throw deletedUserConflict(error, userId) ?? error;
  }
}

/** DeletedObject JSON for the identity removal endpoints. */
export interface DeletedIdentity {
  object: "passkey" | "web3_wallet" | "external_account";
  id: string;
  deleted: true;
}

const REMOVABLE: Record<DeletedIdentity["object"], RemovableIdentityTable> = {
  passkey: passkeys,
  web3_wallet: web3Wallets,
  external_account: externalAccounts,
};

/**
 * Removes one of the user's passkeys, web3 wallets or external accounts.
 * - An id that is not this user's → 404 (the delete is scoped by user, so nobody else's row is touched).
 * - The user's last identification (emails, phones, wallets, passkeys, external accounts and a
 *   username all count) → 400 identification_deletion_failed; the check runs inside the deleting
 *   batch, so two concurrent removals cannot both pass it.
 * - Removing the primary web3 wallet makes the oldest remaining one primary, or none.
 * - Removing an external account deletes its row, which holds its sealed tokens, its refresh
 *   lease and its idn_ identification (what email addresses' linked_to point at); email
 *   addresses the user owns stay.
 * - Clerk emails the user when a passkey is removed; there is no email channel here, so that is a no-op.
 */
export async function deleteIdentity(ctx: AppContext, userId: string, object: DeletedIdentity["object"], id: string): Promise<DeletedIdentity> {
  await requireUserRow(ctx, userId);
  const table = REMOVABLE[object];
  if (!(await rowBelongsTo(ctx.db, table, userId, id))) throw errors.identificationNotFound();
  const userValues = object === "web3_wallet" ? primaryWalletAfterRemoving(userId, id) : {};
  if (!(await deleteIdentityUnlessLast(ctx.db, withUserUpdated(ctx, userId, true), table, userId, id, ctx.now(), userValues))) {
    // Not deleted: either it is the last identification, or a concurrent request removed it.
    if (await rowBelongsTo(ctx.db, table, userId, id)) throw errors.lastIdentificationDeletionFailed();
    throw errors.identificationNotFound();
  }
  return { object, id, deleted: true };
}
