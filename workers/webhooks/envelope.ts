/**
 * The body of an event, as Clerk sends it: `{data, object: "event", type, timestamp,
 * instance_id, event_attributes: {http_request: {client_ip, user_agent}}}` (Clerk's webhook
 * spec, WebhookEventPayload). `data` is rebuilt from the outbox snapshot by the API's own
 * serializer, with the clock at the time of the change (lock state is derived from it).
 */
import type { Config } from "../env";
import type { PublicUserRow } from "../db/public-users";
import { aggregateOf, rowFromSql } from "../db/users";
import { organizationInvitations, organizationMemberships, organizations, users, type WebhookEventRow } from "../db/schema";
import { publicOrganizationData, serializeInvitation, serializeMembership, serializeOrganization } from "../serializers/organization";
import { serializeUser } from "../serializers/user";

type Row = Record<string, unknown>;
/** The outbox's snapshot of the changed object (workers/webhooks/outbox.ts writes it). */
type Snapshot =
  | { k: "user"; r: Row }
  | { k: "organization"; r: Row }
  | { k: "membership"; r: Row; o: Row; u: Row }
  | { k: "invitation"; r: Row; o: Row; v: Row; a: string | null }
  | { k: "deleted"; d: Row };

/** `rowFromSql` of a row the snapshot must hold. */
function required<T>(row: T | undefined, what: string): T {
  if (!row) throw new Error(`empty ${what} snapshot`);
  return row;
}

/** A PublicUserRow from its snapshot (SQLite's 0/1 banned → boolean); undefined when no user was joined. */
function publicUserOf(row: Row): PublicUserRow | undefined {
  if (row.id === null || row.id === undefined) return undefined;
  return { ...(row as unknown as PublicUserRow), banned: Boolean(row.banned) };
}

/** The event's `data`: the object as the API answered after the change. */
export function eventData(event: WebhookEventRow, config: Config): unknown {
  const snapshot = JSON.parse(event.snapshot) as Snapshot;
  const ctx = { config, origin: event.origin, now: () => event.createdAt };
  switch (snapshot.k) {
    case "user":
      return serializeUser(ctx, aggregateOf(required(rowFromSql(users, snapshot.r), "user")));
    case "organization":
      return serializeOrganization(ctx, required(rowFromSql(organizations, snapshot.r), "organization"));
    case "membership":
      return serializeMembership(ctx, {
        membership: required(rowFromSql(organizationMemberships, snapshot.r), "membership"),
        organization: required(rowFromSql(organizations, snapshot.o), "organization"),
        member: required(publicUserOf(snapshot.u), "member"),
      });
    case "invitation": {
      const invitation = required(rowFromSql(organizationInvitations, snapshot.r), "invitation");
      const inviter = publicUserOf(snapshot.v);
      const data = serializeInvitation(ctx, invitation, new Map(inviter ? [[inviter.id, inviter]] : []));
      if (snapshot.a === null) return data;
      // organizationInvitation.accepted (Clerk's OrganizationInvitationAcceptedPayload): the
      // accepting user's id and the organization's public data besides the invitation.
      const organization = required(rowFromSql(organizations, snapshot.o), "organization");
      return { ...data, user_id: snapshot.a, data: { public_organization_data: publicOrganizationData(ctx, organization) } };
    }
    case "deleted":
      return snapshot.d;
  }
}

/** The JSON body delivered for `event`. */
export function eventBody(event: WebhookEventRow, config: Config, instanceId: string): string {
  return JSON.stringify({
    data: eventData(event, config),
    object: "event",
    type: event.type,
    timestamp: event.createdAt,
    instance_id: instanceId,
    event_attributes: { http_request: { client_ip: event.clientIp, user_agent: event.userAgent } },
  });
}
