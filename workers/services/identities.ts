/**
 * Passkeys and external accounts added through the extension endpoints.
 * OAuth tokens are sealed with AES-GCM before they reach D1 and never appear in responses.
 */
import type { AppContext } from "../context";
import { encryptSecret } from "../crypto/encryption";
import { newId } from "../crypto/ids";
import { insertExternalAccount, insertPasskey } from "../db/identities";
import type { ExternalAccountRow, PasskeyRow } from "../db/schema";
import { ApiError, errors } from "../http/errors";
import type { CreateExternalAccountInput, CreatePasskeyInput } from "../schemas/identities";
import { requireUserRow } from "./users";

/** Providers are stored with the `oauth_` prefix, as Clerk names them (oauth_google). */
export function normalizeProvider(provider: string): string {
  return provider.startsWith("oauth_") ? provider : `oauth_${provider}`;
}

/** Associated data binding a sealed token to its account and field, so rows cannot be swapped. */
export function tokenContext(accountId: string, field: "access_token" | "refresh_token" | "id_token" | "token_secret"): string {
  return `${accountId}:${field}`;
}

function isUniqueViolation(error: unknown): boolean {
  const text = String((error as { message?: unknown })?.message ?? error) + String((error as { cause?: unknown })?.cause ?? "");
  return text.includes("UNIQUE constraint failed");
}

export async function createPasskey(ctx: AppContext, userId: string, input: CreatePasskeyInput): Promise<PasskeyRow> {
  await requireUserRow(ctx, userId);
  const now = ctx.now();
  try {
    return await insertPasskey(ctx.db, {
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
    throw error;
  }
}

export async function createExternalAccount(ctx: AppContext, userId: string, input: CreateExternalAccountInput): Promise<ExternalAccountRow> {
  await requireUserRow(ctx, userId);
  const now = ctx.now();
  const id = newId("eac", now);
  const seal = async (field: Parameters<typeof tokenContext>[1], value: string | null | undefined) =>
    value ? encryptSecret(ctx.config.encryptionKey, value, tokenContext(id, field)) : null;
  try {
    return await insertExternalAccount(ctx.db, {
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
    throw error;
  }
}
