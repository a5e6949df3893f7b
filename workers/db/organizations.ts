/**
 * SQL for organizations: find by id or slug, insert (with the creator's membership), delete,
 * list, and member counts. Memberships and invitations have their own modules
 * (organization-memberships.ts, organization-invitations.ts), the rules the three share are in
 * organization-rules.ts; nothing else in the Worker writes SQL for these tables.
 */
import { and, asc, desc, eq, or, sql, type SQL } from "drizzle-orm";
import type { Db } from "./client";
import type { OrderBy } from "./order";
import { isLivePendingInvitation } from "./organization-rules";
import { organizationInvitations, organizationMemberships, organizations, type OrganizationRow } from "./schema";
import { type BatchRunner, inJsonList, type Statement } from "./users";

// serializers/organization.ts imports the views it renders from here.
export type { InvitationView } from "./organization-invitations";
export type { MembershipView } from "./organization-memberships";
export type { PublicUserRow } from "./public-users";

export interface OrganizationCounts {
  members: number;
  pendingInvitations: number;
}

export async function findOrganizationByIdOrSlug(db: Db, idOrSlug: string): Promise<OrganizationRow | undefined> {
  return db
    .select()
    .from(organizations)
    .where(or(eq(organizations.id, idOrSlug), eq(organizations.slug, idOrSlug)))
    .get();
}

export async function isSlugTaken(db: Db, slug: string, exceptOrganizationId?: string): Promise<boolean> {
  const row = await db
    .select({ id: organizations.id })
    .from(organizations)
    .where(and(eq(organizations.slug, slug), exceptOrganizationId ? sql`${organizations.id} <> ${exceptOrganizationId}` : undefined))
    .get();
  return row !== undefined;
}

/**
 * The organization and (when it has a creator) the creator's admin membership, in one batch;
 * returns the organization as inserted. A creator deleted meanwhile fails the batch with a
 * FOREIGN KEY violation, and nothing is written.
 */
export async function insertOrganization(
  db: Db,
  run: BatchRunner,
  row: typeof organizations.$inferInsert,
  creatorMembership: typeof organizationMemberships.$inferInsert | null,
): Promise<OrganizationRow> {
  const insert = db.insert(organizations).values(row).returning();
  const statements: Statement[] = creatorMembership ? [db.insert(organizationMemberships).values(creatorMembership)] : [];
  const [inserted] = (await run([insert, ...statements])) as [OrganizationRow[]];
  return inserted[0]!;
}

/** Memberships and invitations go with it through ON DELETE CASCADE. */
export async function deleteOrganizationRow(db: Db, run: BatchRunner, id: string): Promise<void> {
  await run([db.delete(organizations).where(eq(organizations.id, id))]);
}

export type OrganizationOrderField = "created_at" | "name" | "members_count";

export interface OrganizationFilter {
  /** Exact id, or a case-insensitive substring of name or slug. */
  query?: string;
  includeIds: string[];
  excludeIds: string[];
  memberUserIds: string[];
  nonMemberUserIds: string[];
}

const membersCountSql = sql`(select count(*) from organization_memberships m where m.organization_id = ${organizations.id})`;

function organizationWhere(filter: OrganizationFilter): SQL | undefined {
  const conditions: (SQL | undefined)[] = [];
  if (filter.query) {
    const pattern = `%${filter.query.replace(/[\\%_]/g, (c) => `\\${c}`).toLowerCase()}%`;
    conditions.push(
      or(
        eq(organizations.id, filter.query),
        sql`lower(${organizations.name}) like ${pattern} escape '\\'`,
        sql`${organizations.slug} like ${pattern} escape '\\'`,
      ),
    );
  }
  if (filter.includeIds.length) conditions.push(inJsonList(organizations.id, filter.includeIds));
  if (filter.excludeIds.length) conditions.push(sql`not ${inJsonList(organizations.id, filter.excludeIds)}`);
  const memberOf = (ids: string[]) =>
    sql`exists (select 1 from organization_memberships m where m.organization_id = ${organizations.id} and ${inJsonList(sql`m.user_id`, ids)})`;
  if (filter.memberUserIds.length) conditions.push(memberOf(filter.memberUserIds));
  if (filter.nonMemberUserIds.length) conditions.push(sql`not ${memberOf(filter.nonMemberUserIds)}`);
  return and(...conditions);
}

export async function listOrganizationRows(
  db: Db,
  filter: OrganizationFilter,
  order: OrderBy<OrganizationOrderField>,
  limit: number,
  offset: number,
): Promise<{ rows: OrganizationRow[]; total: number }> {
  const column = order.field === "name" ? organizations.name : order.field === "members_count" ? membersCountSql : organizations.createdAt;
  const direction = order.descending ? desc : asc;
  const where = organizationWhere(filter);
  const [rows, counts] = await db.batch([
    db.select().from(organizations).where(where).orderBy(direction(column), direction(organizations.id)).limit(limit).offset(offset),
    db.select({ count: sql<number>`count(*)` }).from(organizations).where(where),
  ]);
  return { rows, total: Number(counts[0]?.count ?? 0) };
}

/** Member and live pending-invitation counts of the given organizations. */
export async function countOrganizationMembers(db: Db, organizationIds: string[], now: number): Promise<Map<string, OrganizationCounts>> {
  const out = new Map<string, OrganizationCounts>(organizationIds.map((id) => [id, { members: 0, pendingInvitations: 0 }]));
  if (organizationIds.length === 0) return out;
  const [members, invitations] = await db.batch([
    db
      .select({ id: organizationMemberships.organizationId, count: sql<number>`count(*)` })
      .from(organizationMemberships)
      .where(inJsonList(organizationMemberships.organizationId, organizationIds))
      .groupBy(organizationMemberships.organizationId),
    db
      .select({ id: organizationInvitations.organizationId, count: sql<number>`count(*)` })
      .from(organizationInvitations)
      .where(and(inJsonList(organizationInvitations.organizationId, organizationIds), isLivePendingInvitation("organization_invitations", now)))
      .groupBy(organizationInvitations.organizationId),
  ]);
  for (const m of members) out.get(m.id)!.members = Number(m.count);
  for (const i of invitations) out.get(i.id)!.pendingInvitations = Number(i.count);
  return out;
}
