/**
 * A user's organization memberships and the invitations addressed to their verified email
 * addresses: GET /v1/users/{user_id}/organization_memberships and …/organization_invitations.
 */
import type { AppContext } from "../context";
import { queryOf } from "../http/query";
import { json } from "../http/respond";
import type { ApiRequest, RouterType } from "../http/router-types";
import { serializeInvitationWithOrganization } from "../serializers/organization";
import { listUserInvitations } from "../services/organization-invitations";
import { listUserMemberships } from "../services/organization-memberships";
import { membershipsJson } from "./organizations";

export function registerUserOrganizationRoutes(router: RouterType): void {
  router.get("/v1/users/:user_id/organization_memberships", async (request: ApiRequest, ctx: AppContext) => {
    return membershipsJson(ctx, await listUserMemberships(ctx, request.params.user_id, queryOf(request)));
  });

  router.get("/v1/users/:user_id/organization_invitations", async (request: ApiRequest, ctx: AppContext) => {
    const page = await listUserInvitations(ctx, request.params.user_id, queryOf(request));
    return json({ data: page.data.map((v) => serializeInvitationWithOrganization(ctx, v, page.inviters)), total_count: page.total });
  });
}
