/**
 * Webhook endpoints: create, read, update, delete, and their signing secrets (README, Webhooks).
 * Secrets are sealed at rest with CREDENTIALS_ENCRYPTION_KEY like TOTP secrets, bound to the
 * endpoint's id; plain secrets exist only in the create/secret/rotate responses and while a
 * delivery signs.
 */
import type { AppContext } from "../context";
import { decryptSecret, encryptSecret } from "../crypto/encryption";
import { newId } from "../crypto/ids";
import {
  deleteWebhookEndpoint,
  findWebhookEndpoint,
  insertWebhookEndpoint,
  listWebhookEndpoints,
  rotateWebhookEndpointSecret,
  updateWebhookEndpoint,
} from "../db/webhook-endpoints";
import type { WebhookEndpointRow } from "../db/schema";
import { errors } from "../http/errors";
import type { CreateWebhookEndpointInput, UpdateWebhookEndpointInput } from "../schemas/webhooks";
import { newSigningSecret } from "../webhooks/signing";

/** How long a rotated-out secret keeps signing beside the new one (Svix's grace period). */
export const PREVIOUS_SECRET_TTL_MS = 24 * 60 * 60 * 1000;

/** Associated data of an endpoint's sealed secrets: a sealed secret cannot be moved to another endpoint. */
const sealContext = (endpointId: string) => `webhook_endpoint:${endpointId}`;

export async function createWebhookEndpoint(
  ctx: AppContext,
  input: CreateWebhookEndpointInput,
): Promise<{ row: WebhookEndpointRow; secret: string }> {
  const now = ctx.now();
  const id = newId("wep", now);
  const secret = newSigningSecret();
  const row = await insertWebhookEndpoint(ctx.db, {
    id,
    url: input.url,
    events: JSON.stringify(input.events ?? []),
    description: input.description ?? "",
    disabled: input.disabled ?? false,
    secretEncrypted: await encryptSecret(ctx.config.encryptionKey, secret, sealContext(id)),
    createdAt: now,
    updatedAt: now,
  });
  return { row, secret };
}

export async function getWebhookEndpoint(ctx: AppContext, id: string): Promise<WebhookEndpointRow> {
  const row = await findWebhookEndpoint(ctx.db, id);
  if (!row) throw errors.webhookEndpointNotFound(id);
  return row;
}

export async function listEndpoints(ctx: AppContext, page: { limit: number; offset: number }) {
  return listWebhookEndpoints(ctx.db, page);
}

export async function updateEndpoint(ctx: AppContext, id: string, input: UpdateWebhookEndpointInput): Promise<WebhookEndpointRow> {
  const values: Parameters<typeof updateWebhookEndpoint>[2] = { updatedAt: ctx.now() };
  if (input.url !== undefined) values.url = input.url;
  // null reads as the default: all events, no description, enabled.
  if (input.events !== undefined) values.events = JSON.stringify(input.events ?? []);
  if (input.description !== undefined) values.description = input.description ?? "";
  if (input.disabled !== undefined) values.disabled = input.disabled ?? false;
  const row = await updateWebhookEndpoint(ctx.db, id, values);
  if (!row) throw errors.webhookEndpointNotFound(id);
  return row;
}

export async function deleteEndpoint(ctx: AppContext, id: string): Promise<void> {
  if (!(await deleteWebhookEndpoint(ctx.db, id))) throw errors.webhookEndpointNotFound(id);
}

/** The endpoint's current signing secret. */
export async function endpointSecret(ctx: AppContext, id: string): Promise<string> {
  const row = await getWebhookEndpoint(ctx, id);
  return decryptSecret(ctx.config.encryptionKey, row.secretEncrypted, sealContext(row.id));
}

/**
 * A new signing secret; the one it replaces keeps signing beside it for PREVIOUS_SECRET_TTL_MS,
 * so receivers can switch without rejecting a delivery. A second rotation within that time
 * retires the oldest secret at once (at most two sign).
 */
export async function rotateEndpointSecret(ctx: AppContext, id: string): Promise<string> {
  const now = ctx.now();
  const secret = newSigningSecret();
  const sealed = await encryptSecret(ctx.config.encryptionKey, secret, sealContext(id));
  const row = await rotateWebhookEndpointSecret(ctx.db, id, sealed, now + PREVIOUS_SECRET_TTL_MS, now);
  if (!row) throw errors.webhookEndpointNotFound(id);
  return secret;
}

/** Every secret that signs a delivery at `at`: the current one, then the previous one while it is valid. */
export async function signingSecrets(encryptionKey: string | undefined, row: WebhookEndpointRow, at: number): Promise<string[]> {
  const secrets = [await decryptSecret(encryptionKey, row.secretEncrypted, sealContext(row.id))];
  if (row.previousSecretEncrypted && row.previousSecretExpiresAt !== null && at < row.previousSecretExpiresAt) {
    secrets.push(await decryptSecret(encryptionKey, row.previousSecretEncrypted, sealContext(row.id)));
  }
  return secrets;
}
