/**
 * A user's organization memberships and the invitations addressed to their verified email
 * addresses: GET /v1/users/{user_id}/organization_memberships and …/organization_invitations.
 */
import type { AppContext } from "../context";
import { queryOf } from "../http/query";
import { parseWith } from "../http/validation";
import type { ApiRequest, RouterType } from "../http/router-types";
import { listUserInvitationsQuery, listUserMembershipsQuery } from "../schemas/organization-queries";
import { listUserInvitations } from "../services/organization-invitations";
import { listUserMemberships } from "../services/organization-memberships";
import { invitationsWithOrganizationJson, membershipsJson } from "./organization-responses";

export function registerUserOrganizationRoutes(router: RouterType): void {
  router.get("/v1/users/:user_id/organization_memberships", async (request: ApiRequest, ctx: AppContext) => {
    const page = parseWith(listUserMembershipsQuery, queryOf(request));
    return membershipsJson(ctx, await listUserMemberships(ctx, request.params.user_id, page));
  });

  router.get("/v1/users/:user_id/organization_invitations", async (request: ApiRequest, ctx: AppContext) => {
    const query = parseWith(listUserInvitationsQuery, queryOf(request));
    return invitationsWithOrganizationJson(ctx, await listUserInvitations(ctx, request.params.user_id, query));
  });
}
