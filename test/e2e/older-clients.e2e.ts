/**
 * Older official clients keep working: @clerk/backend 1.x (Clerk-API-Version 2025-04-10),
 * 2.x (2025-11-10) and @clerk/clerk-sdk-node 5 (its own @clerk/backend 1.x) send public and
 * private metadata inside PATCH /v1/organizations/{id}, which API 2026-05-12 moved to
 * …/metadata. Each real client's updateOrganization is driven against the Worker, and what was
 * stored is read back with the current client. Responses pass the spec check in ./client.
 */
import { createClerkClient as createBackendV1 } from "clerk-backend-v1";
import { createClerkClient as createBackendV2 } from "clerk-backend-v2";
import { createClerkClient as createSdkNodeV5 } from "clerk-sdk-node-v5";
import { describe, expect, inject, it } from "vitest";
import { apiUrl, clerk, seen } from "./client";

const tag = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

const OLDER_CLIENTS = [
  { name: "@clerk/backend 1.x", version: "2025-04-10", create: createBackendV1 },
  { name: "@clerk/backend 2.x", version: "2025-11-10", create: createBackendV2 },
  { name: "@clerk/clerk-sdk-node 5", version: "2025-04-10", create: createSdkNodeV5 },
] as const;

describe.each(OLDER_CLIENTS)("$name: updateOrganization with metadata", ({ version, create }) => {
  it("applies the metadata it sends in PATCH /organizations/{id}, with the other fields", async () => {
    const old = create({ secretKey: inject("secretKey"), apiUrl: apiUrl() });
    const current = clerk();
    const org = await current.organizations.createOrganization({
      name: `Older client ${tag()}`,
      publicMetadata: { plan: "free", nested: { a: 1 } },
      privateMetadata: { crm: "x1" },
    });

    const updated = await old.organizations.updateOrganization(org.id, {
      name: "Renamed by an older client",
      maxAllowedMemberships: 7,
      publicMetadata: { plan: "pro", nested: { b: 2 } },
      privateMetadata: { crm: "x2", seats: 10 },
    });
    const sent = seen.filter((r) => r.method === "PATCH" && r.url.endsWith(`/v1/organizations/${org.id}`)).at(-1)!;
    expect([sent.status, sent.apiVersion]).toEqual([200, version]);
    expect([updated.name, updated.publicMetadata, updated.privateMetadata]).toEqual([
      "Renamed by an older client",
      { plan: "pro", nested: { b: 2 } },
      { crm: "x2", seats: 10 },
    ]);

    // What is stored, through the current client: each object sent replaced the stored one.
    const stored = await current.organizations.getOrganization({ organizationId: org.id });
    expect([stored.name, stored.maxAllowedMemberships, stored.publicMetadata, stored.privateMetadata]).toEqual([
      "Renamed by an older client",
      7,
      { plan: "pro", nested: { b: 2 } },
      { crm: "x2", seats: 10 },
    ]);

    // An object it does not send is kept.
    await old.organizations.updateOrganization(org.id, { publicMetadata: { plan: "team" } });
    const again = await current.organizations.getOrganization({ organizationId: org.id });
    expect([again.publicMetadata, again.privateMetadata]).toEqual([{ plan: "team" }, { crm: "x2", seats: 10 }]);
  });
});
