/**
 * The official client pointed at the Worker. Every response the client receives from the
 * Worker passes through a check first: exact `Content-Type: application/json` and a body
 * that matches the spec schema chosen from its shape.
 */
import { createClerkClient } from "@clerk/backend";
import { expect, inject } from "vitest";
import { assertMatchesSchema, type SchemaName } from "../schema/validate";

/** Every request a client sent to the Worker, in order (for assertions on what the SDK sends). */
export const seen: { method: string; url: string; status: number; apiVersion: string | null }[] = [];

const OBJECT_SCHEMAS: Record<string, SchemaName> = {
  user: "User",
  total_count: "TotalCount",
  organization: "Organization",
  organization_membership: "OrganizationMembership",
  organization_invitation: "OrganizationInvitation",
  oauth_access_token: "OAuthAccessToken",
};

function schemaFor(item: any, status: number): SchemaName | undefined {
  if (status >= 400) return "ClerkErrors";
  if (!item || typeof item !== "object" || Array.isArray(item)) return undefined;
  if ("deleted" in item) return "DeletedObject";
  // A user's invitations carry the organization's public data (a schema of its own).
  if (item.object === "organization_invitation" && "public_organization_data" in item) return "OrganizationInvitationWithPublicOrganizationData";
  return OBJECT_SCHEMAS[item.object];
}

function validateBody(body: any, status: number, url: string): void {
  const items = Array.isArray(body) ? body : body && Array.isArray(body.data) ? body.data : [body];
  for (const item of items) {
    const name = schemaFor(item, status);
    if (!name) continue;
    try {
      // The spec's OAuthAccessToken schema is the array, not its item.
      assertMatchesSchema(name, name === "OAuthAccessToken" ? [item] : item);
    } catch (error) {
      throw new Error(`${url}: ${(error as Error).message}`);
    }
  }
}

export function apiUrl(): string {
  return inject("apiUrl");
}

const rawFetch = globalThis.fetch;

// The SDK calls the global fetch at request time; route requests to the Worker through the check.
globalThis.fetch = (async (input: string | URL | Request, init?: RequestInit) => {
  const response = await rawFetch(input, init);
  const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
  if (!url.startsWith(apiUrl())) return response;
  const apiVersion = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined)).get("clerk-api-version");
  seen.push({ method: init?.method ?? (input instanceof Request ? input.method : "GET"), url, status: response.status, apiVersion });
  const text = await response.clone().text();
  if (text.startsWith("{") || text.startsWith("[")) {
    expect(response.headers.get("content-type"), url).toBe("application/json");
    validateBody(JSON.parse(text), response.status, url);
  }
  return response;
}) as typeof fetch;

export function clerk(secretKey: string = inject("secretKey")) {
  return createClerkClient({ secretKey, apiUrl: apiUrl() });
}
