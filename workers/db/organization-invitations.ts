/**
 * SQL for organization invitations: list by status (expiry derived at read time), find,
 * insert (one live pending invitation per address, within the quota), revoke, accept.
 */
import { and, asc, desc, eq, or, sql, type SQL } from "drizzle-orm";
import type { Db } from "./client";
import type { OrderBy } from "./order";
import { hasRoom, isExpiredInvitation, isLivePendingInvitation } from "./organization-rules";
import { emailAddresses, organizationInvitations, organizations, type OrganizationInvitationRow, type OrganizationRow } from "./schema";
import { type BatchRunner, rowFromSql, type SqlBatchRunner } from "./users";

export type InvitationStatus = "pending" | "accepted" | "revoked" | "expired";
export type InvitationOrderField = "created_at" | "email_address";

export interface InvitationView {
  invitation: OrganizationInvitationRow;
  organization: OrganizationRow;
}

export interface InvitationFilter {
  organizationId?: string;
  /** Invitations addressed to any verified email address of this user (case-insensitively). */
  addressedToUserId?: string;
  emailAddressNormalized?: string;
  statuses: InvitationStatus[];
}

/** The table's own name, for the live-pending rule in drizzle-built statements. */
const TABLE = "organization_invitations";

function invitationStatusCondition(status: InvitationStatus, now: number): SQL {
  switch (status) {
    case "pending":
      return isLivePendingInvitation(TABLE, now);
    case "expired":
      return isExpiredInvitation(TABLE, now);
    default:
      return eq(organizationInvitations.status, status);
  }
}

function invitationWhere(filter: InvitationFilter, now: number): SQL | undefined {
  return and(
    filter.organizationId ? eq(organizationInvitations.organizationId, filter.organizationId) : undefined,
    filter.addressedToUserId
      ? sql`${organizationInvitations.emailAddressNormalized} in (select e.email_address_normalized from email_addresses e
          where e.user_id = ${filter.addressedToUserId} and e.verification_status = 'verified')`
      : undefined,
    filter.emailAddressNormalized ? eq(organizationInvitations.emailAddressNormalized, filter.emailAddressNormalized) : undefined,
    filter.statuses.length ? or(...filter.statuses.map((s) => invitationStatusCondition(s, now))) : undefined,
  );
}

/** A page of invitations (with their organization), newest first unless ordered otherwise. */
export async function listInvitations(
  db: Db,
  filter: InvitationFilter,
  order: OrderBy<InvitationOrderField>,
  now: number,
  limit: number,
  offset: number,
): Promise<{ rows: InvitationView[]; total: number }> {
  const column = order.field === "email_address" ? organizationInvitations.emailAddressNormalized : organizationInvitations.createdAt;
  const direction = order.descending ? desc : asc;
  const where = invitationWhere(filter, now);
  // Not one db.batch, for the reason given in listMemberships.
  const [rows, counts] = await Promise.all([
    db
      .select({ invitation: organizationInvitations, organization: organizations })
      .from(organizationInvitations)
      .innerJoin(organizations, eq(organizations.id, organizationInvitations.organizationId))
      .where(where)
      .orderBy(direction(column), direction(organizationInvitations.id))
      .limit(limit)
      .offset(offset)
      .all(),
    db
      .select({ count: sql<number>`count(*)`.as("count") })
      .from(organizationInvitations)
      .where(where)
      .all(),
  ]);
  return { rows, total: Number(counts[0]?.count ?? 0) };
}

export async function findInvitation(db: Db, organizationId: string, invitationId: string): Promise<OrganizationInvitationRow | undefined> {
  return db
    .select()
    .from(organizationInvitations)
    .where(and(eq(organizationInvitations.id, invitationId), eq(organizationInvitations.organizationId, organizationId)))
    .get();
}

export async function hasLivePendingInvitation(db: Db, organizationId: string, emailAddressNormalized: string, now: number): Promise<boolean> {
  const row = await db
    .select({ id: organizationInvitations.id })
    .from(organizationInvitations)
    .where(
      and(
        eq(organizationInvitations.organizationId, organizationId),
        eq(organizationInvitations.emailAddressNormalized, emailAddressNormalized),
        isLivePendingInvitation(TABLE, now),
      ),
    )
    .get();
  return row !== undefined;
}

/**
 * Inserts the invitation only if the organization exists, the address has no live pending
 * invitation in it and it has room; returns the invitation as inserted, or undefined when a rule
 * refused it.
 */
export async function insertInvitationIfAllowed(
  run: SqlBatchRunner,
  row: typeof organizationInvitations.$inferInsert,
  now: number,
): Promise<OrganizationInvitationRow | undefined> {
  const [inserted] = await run([
    sql`
    insert into organization_invitations (id, organization_id, email_address, email_address_normalized, role, inviter_user_id,
      status, public_metadata, private_metadata, url, expires_at, created_at, updated_at)
    select ${row.id}, o.id, ${row.emailAddress}, ${row.emailAddressNormalized}, ${row.role}, ${row.inviterUserId ?? null},
      'pending', ${row.publicMetadata ?? "{}"}, ${row.privateMetadata ?? "{}"}, ${row.url ?? null}, ${row.expiresAt ?? null},
      ${row.createdAt}, ${row.updatedAt}
    from organizations o
    where o.id = ${row.organizationId}
      and not exists (select 1 from organization_invitations d where d.organization_id = o.id
        and d.email_address_normalized = ${row.emailAddressNormalized} and ${isLivePendingInvitation("d", now)})
      and ${hasRoom(now, null)}
    returning *`,
  ]);
  return rowFromSql(organizationInvitations, inserted.results[0] as Record<string, unknown> | undefined);
}

/** Marks a live pending invitation revoked and returns it; undefined when it was not live and pending (or is gone). */
export async function revokeInvitationRow(
  db: Db,
  run: BatchRunner,
  invitationId: string,
  now: number,
): Promise<OrganizationInvitationRow | undefined> {
  const [rows] = (await run([
    db
      .update(organizationInvitations)
      .set({ status: "revoked", updatedAt: now })
      .where(and(eq(organizationInvitations.id, invitationId), isLivePendingInvitation(TABLE, now)))
      .returning(),
  ])) as [OrganizationInvitationRow[]];
  return rows[0];
}

/** Whether the user has a verified email address whose folded form is `normalized`. */
export async function userHasVerifiedEmail(db: Db, userId: string, normalized: string): Promise<boolean> {
  const row = await db
    .select({ id: emailAddresses.id })
    .from(emailAddresses)
    .where(
      and(
        eq(emailAddresses.userId, userId),
        eq(emailAddresses.emailAddressNormalized, normalized),
        eq(emailAddresses.verificationStatus, "verified"),
      ),
    )
    .get();
  return row !== undefined;
}

/**
 * Accepts a live pending invitation for `userId` in one transaction: the membership (role and
 * metadata taken from the invitation) is inserted only while the invitation is live and the
 * organization has room (the invitation itself does not count against it), and the invitation
 * is marked accepted only if that membership now exists. Returns the accepted invitation, or
 * undefined when nothing was written; an existing membership throws a UNIQUE violation and a
 * user deleted meanwhile a FOREIGN KEY one, either rolling the batch back.
 */
export async function acceptInvitationRows(
  run: SqlBatchRunner,
  invitationId: string,
  membershipId: string,
  userId: string,
  now: number,
): Promise<OrganizationInvitationRow | undefined> {
  const [, accepted] = await run([
    sql`
      insert into organization_memberships (id, organization_id, user_id, role, public_metadata, private_metadata, created_at, updated_at)
      select ${membershipId}, o.id, ${userId}, inv.role, inv.public_metadata, inv.private_metadata, ${now}, ${now}
      from organization_invitations inv join organizations o on o.id = inv.organization_id
      where inv.id = ${invitationId} and ${isLivePendingInvitation("inv", now)}
        and ${hasRoom(now, invitationId)}`,
    sql`
      update organization_invitations set status = 'accepted', updated_at = ${now}
      where id = ${invitationId} and status = 'pending'
        and exists (select 1 from organization_memberships where id = ${membershipId})
      returning *`,
  ]);
  return rowFromSql(organizationInvitations, accepted.results[0] as Record<string, unknown> | undefined);
}
