/**
 * Organizations, their memberships and invitations (spec tags Organizations, Organization
 * Memberships, Organization Invitations), the instance-wide membership list, and the extension
 * POST …/invitations/{invitation_id}/accept (documented in the README; Clerk accepts through
 * its frontend). Thin: parse input, call a service, serialise.
 */
import type { AppContext } from "../context";
import { asksForVersionBefore } from "../http/api-version";
import { readJsonBody } from "../http/body";
import { queryOf } from "../http/query";
import { json } from "../http/respond";
import { parseWith } from "../http/validation";
import type { ApiRequest, RouterType } from "../http/router-types";
import {
  getOrganizationQuery,
  listInstanceMembershipsQuery,
  listOrganizationInvitationsQuery,
  listOrganizationMembershipsQuery,
  listOrganizationsQuery,
  listPendingInvitationsQuery,
} from "../schemas/organization-queries";
import {
  acceptInvitationBody,
  createInvitationBody,
  createMembershipBody,
  createOrganizationBody,
  organizationMetadataBody,
  revokeInvitationBody,
  updateMembershipBody,
  updateOrganizationBody,
  updateOrganizationBodyWithMetadata,
} from "../schemas/organizations";
import { serializeMembership, serializeOrganization } from "../serializers/organization";
import {
  acceptInvitation,
  createInvitation,
  getInvitation,
  listOrganizationInvitations,
  revokeInvitation,
} from "../services/organization-invitations";
import {
  createMembership,
  deleteMembership,
  listInstanceMemberships,
  listOrganizationMemberships,
  mergeMembershipMetadata,
  updateMembershipRole,
} from "../services/organization-memberships";
import {
  createOrganization,
  deleteOrganization,
  getOrganization,
  listOrganizations,
  updateOrganization,
  updateOrganizationMetadata,
} from "../services/organizations";
import { invitationJson, invitationsJson, membershipsJson } from "./organization-responses";

export function registerOrganizationRoutes(router: RouterType): void {
  router.post("/v1/organizations", async (request: ApiRequest, ctx: AppContext) => {
    const input = parseWith(createOrganizationBody, await readJsonBody(request));
    return json(serializeOrganization(ctx, await createOrganization(ctx, input)));
  });

  router.get("/v1/organizations", async (request: ApiRequest, ctx: AppContext) => {
    const { data, total } = await listOrganizations(ctx, parseWith(listOrganizationsQuery, queryOf(request)));
    return json({ data: data.map((o) => serializeOrganization(ctx, o.organization, o.counts)), total_count: total });
  });

  router.get("/v1/organizations/:organization_id", async (request: ApiRequest, ctx: AppContext) => {
    const { includeMembersCount } = parseWith(getOrganizationQuery, queryOf(request));
    const { organization, counts } = await getOrganization(ctx, request.params.organization_id, includeMembersCount);
    return json(serializeOrganization(ctx, organization, counts));
  });

  router.patch("/v1/organizations/:organization_id", async (request: ApiRequest, ctx: AppContext) => {
    // API 2026-05-12 moved metadata to …/metadata; older clients still send it here.
    const schema = asksForVersionBefore(request, "2026-05-12") ? updateOrganizationBodyWithMetadata : updateOrganizationBody;
    const input = parseWith(schema, await readJsonBody(request));
    return json(serializeOrganization(ctx, await updateOrganization(ctx, request.params.organization_id, input)));
  });

  router.delete("/v1/organizations/:organization_id", async (request: ApiRequest, ctx: AppContext) => {
    const organization = await deleteOrganization(ctx, request.params.organization_id);
    return json({ object: "organization", id: organization.id, slug: organization.slug, deleted: true });
  });

  for (const [method, mode] of [
    ["patch", "merge"],
    ["put", "replace"],
  ] as const) {
    router[method]("/v1/organizations/:organization_id/metadata", async (request: ApiRequest, ctx: AppContext) => {
      const input = parseWith(organizationMetadataBody, await readJsonBody(request));
      return json(serializeOrganization(ctx, await updateOrganizationMetadata(ctx, request.params.organization_id, input, mode)));
    });
  }

  // Memberships
  router.post("/v1/organizations/:organization_id/memberships", async (request: ApiRequest, ctx: AppContext) => {
    const input = parseWith(createMembershipBody, await readJsonBody(request));
    return json(serializeMembership(ctx, await createMembership(ctx, request.params.organization_id, input)));
  });

  router.get("/v1/organizations/:organization_id/memberships", async (request: ApiRequest, ctx: AppContext) => {
    const query = parseWith(listOrganizationMembershipsQuery, queryOf(request));
    return membershipsJson(ctx, await listOrganizationMemberships(ctx, request.params.organization_id, query));
  });

  router.patch("/v1/organizations/:organization_id/memberships/:user_id", async (request: ApiRequest, ctx: AppContext) => {
    const { role } = parseWith(updateMembershipBody, await readJsonBody(request));
    return json(serializeMembership(ctx, await updateMembershipRole(ctx, request.params.organization_id, request.params.user_id, role)));
  });

  router.patch("/v1/organizations/:organization_id/memberships/:user_id/metadata", async (request: ApiRequest, ctx: AppContext) => {
    const input = parseWith(organizationMetadataBody, await readJsonBody(request));
    return json(serializeMembership(ctx, await mergeMembershipMetadata(ctx, request.params.organization_id, request.params.user_id, input)));
  });

  router.delete("/v1/organizations/:organization_id/memberships/:user_id", async (request: ApiRequest, ctx: AppContext) => {
    return json(serializeMembership(ctx, await deleteMembership(ctx, request.params.organization_id, request.params.user_id)));
  });

  router.get("/v1/organization_memberships", async (request: ApiRequest, ctx: AppContext) => {
    return membershipsJson(ctx, await listInstanceMemberships(ctx, parseWith(listInstanceMembershipsQuery, queryOf(request))));
  });

  // Invitations
  router.post("/v1/organizations/:organization_id/invitations", async (request: ApiRequest, ctx: AppContext) => {
    const input = parseWith(createInvitationBody, await readJsonBody(request));
    return invitationJson(ctx, await createInvitation(ctx, request.params.organization_id, input));
  });

  router.get("/v1/organizations/:organization_id/invitations", async (request: ApiRequest, ctx: AppContext) => {
    const query = parseWith(listOrganizationInvitationsQuery, queryOf(request));
    return invitationsJson(ctx, await listOrganizationInvitations(ctx, request.params.organization_id, query));
  });

  // Deprecated in the spec but still served: the pending invitations. Registered before the
  // :invitation_id route, which would otherwise read "pending" as an id.
  router.get("/v1/organizations/:organization_id/invitations/pending", async (request: ApiRequest, ctx: AppContext) => {
    const query = parseWith(listPendingInvitationsQuery, queryOf(request));
    return invitationsJson(ctx, await listOrganizationInvitations(ctx, request.params.organization_id, query));
  });

  router.get("/v1/organizations/:organization_id/invitations/:invitation_id", async (request: ApiRequest, ctx: AppContext) => {
    return invitationJson(ctx, await getInvitation(ctx, request.params.organization_id, request.params.invitation_id));
  });

  router.post("/v1/organizations/:organization_id/invitations/:invitation_id/revoke", async (request: ApiRequest, ctx: AppContext) => {
    const { requesting_user_id } = parseWith(revokeInvitationBody, await readJsonBody(request));
    return invitationJson(ctx, await revokeInvitation(ctx, request.params.organization_id, request.params.invitation_id, requesting_user_id));
  });

  router.post("/v1/organizations/:organization_id/invitations/:invitation_id/accept", async (request: ApiRequest, ctx: AppContext) => {
    const { user_id } = parseWith(acceptInvitationBody, await readJsonBody(request));
    return invitationJson(ctx, await acceptInvitation(ctx, request.params.organization_id, request.params.invitation_id, user_id));
  });
}
