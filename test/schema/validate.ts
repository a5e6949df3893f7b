/**
 * Validates a response body against a schema of Clerk's OpenAPI contract, using validators
 * compiled in Node (build-validators.mjs) because ajv cannot compile inside workerd.
 */
// @ts-expect-error generated JavaScript module without types
import * as validators from "./validators.generated.mjs";

type Validator = ((data: unknown) => boolean) & { errors?: unknown[] | null };

export type SchemaName =
  | "User"
  | "DeletedObject"
  | "TotalCount"
  | "ClerkErrors"
  | "OAuthAccessToken"
  | "OrganizationMembership"
  | "OrganizationMemberships"
  | "OrganizationInvitationsWithPublicOrganizationData"
  | "OrganizationInvitationWithPublicOrganizationData"
  | "Organization"
  | "Organizations"
  | "OrganizationInvitation"
  | "OrganizationInvitations"
  | "Passkey"
  | "ExternalAccountWithVerification"
  | "EmailAddress"
  | "PhoneNumber"
  | "Web3Wallet"
  | `Event_${string}`;

/** Throws with ajv's errors when `body` does not match the named schema. */
export function assertMatchesSchema(name: SchemaName, body: unknown): void {
  const validate = (validators as Record<string, Validator>)[name];
  if (!validate) throw new Error(`no compiled validator for schema ${name}`);
  if (!validate(body)) {
    throw new Error(
      `response does not match spec schema ${name}: ${JSON.stringify(validate.errors?.slice(0, 5), null, 1)}\nbody: ${JSON.stringify(body).slice(0, 2000)}`,
    );
  }
}

/** Validates a bare array of items against an item schema (e.g. User.List). */
export function assertListMatchesSchema(name: SchemaName, body: unknown): void {
  if (!Array.isArray(body)) throw new Error(`expected a JSON array of ${name}, got ${JSON.stringify(body).slice(0, 500)}`);
  for (const item of body) assertMatchesSchema(name, item);
}
