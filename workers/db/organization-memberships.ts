/**
 * SQL for organization memberships: list (per organization, per user, instance-wide; with the
 * member filters of GET /users), find, insert within the quota, update, delete.
 */
import { and, asc, desc, eq, sql, type SQL } from "drizzle-orm";
import type { Db } from "./client";
import type { OrderBy } from "./order";
import { hasRoom } from "./organization-rules";
import { primaryEmail, primaryPhone, primaryWallet, publicUserColumns, type PublicUserRow } from "./public-users";
import { organizationMemberships, organizations, users, type OrganizationMembershipRow, type OrganizationRow } from "./schema";
import { whereOf, type UserFilter } from "./user-search";
import { userMatches } from "./user-search/terms";
import { inJsonList, rowFromSql } from "./users";

export type MembershipOrderField = "created_at" | "email_address" | "phone_number" | "first_name" | "last_name" | "username";

export interface MembershipView {
  membership: OrganizationMembershipRow;
  organization: OrganizationRow;
  member: PublicUserRow;
}

export interface MembershipFilter {
  organizationId?: string;
  userId?: string;
  includeUserIds?: string[];
  excludeUserIds?: string[];
  roles?: string[];
  /** Only members matching this user filter (identifiers, searches, creation and activity times). */
  members?: UserFilter;
}

const MEMBERSHIP_ORDER_COLUMNS = {
  created_at: organizationMemberships.createdAt,
  email_address: users.primaryEmailAddressSort,
  phone_number: users.primaryPhoneNumberSort,
  first_name: users.firstName,
  last_name: users.lastName,
  username: users.usernameNormalized,
} as const;

/**
 * The member filter as conditions on each membership's joined `users` row (undefined when it
 * has none). The search is a test of the membership's user (its search document, found by
 * user_id), not a search over every user: the statement's work is bounded by the memberships it
 * looks at, whatever the terms — a search of only 1–2-character terms would otherwise test every
 * user's document in one statement (issue 13 §3).
 */
function memberConditions(members: UserFilter): SQL | undefined {
  return and(whereOf(members), members.search.length ? userMatches(members.search, sql`${organizationMemberships.userId}`) : undefined);
}

function membershipWhere(filter: MembershipFilter, members: SQL | undefined): SQL | undefined {
  return and(
    members,
    filter.organizationId ? eq(organizationMemberships.organizationId, filter.organizationId) : undefined,
    filter.userId ? eq(organizationMemberships.userId, filter.userId) : undefined,
    filter.includeUserIds?.length ? inJsonList(organizationMemberships.userId, filter.includeUserIds) : undefined,
    filter.excludeUserIds?.length ? sql`not ${inJsonList(organizationMemberships.userId, filter.excludeUserIds)}` : undefined,
    filter.roles?.length ? inJsonList(organizationMemberships.role, filter.roles) : undefined,
  );
}

function membershipsSelect(db: Db) {
  return db
    .select({ membership: organizationMemberships, organization: organizations, member: publicUserColumns })
    .from(organizationMemberships)
    .innerJoin(organizations, eq(organizations.id, organizationMemberships.organizationId))
    .innerJoin(users, eq(users.id, organizationMemberships.userId))
    .leftJoin(primaryEmail, eq(primaryEmail.id, users.primaryEmailAddressId))
    .leftJoin(primaryPhone, eq(primaryPhone.id, users.primaryPhoneNumberId))
    .leftJoin(primaryWallet, eq(primaryWallet.id, users.primaryWeb3WalletId));
}

/**
 * A page of memberships with their organization and member, ordered by a member field (or the
 * membership's creation time) with NULLs last whatever the direction, ties by membership id.
 */
export async function listMemberships(
  db: Db,
  filter: MembershipFilter,
  order: OrderBy<MembershipOrderField>,
  limit: number,
  offset: number,
): Promise<{ rows: MembershipView[]; total: number }> {
  const column = MEMBERSHIP_ORDER_COLUMNS[order.field];
  const direction = order.descending ? desc : asc;
  const members = filter.members && memberConditions(filter.members);
  const where = membershipWhere(filter, members);
  // The count reads the member's user row only when a member condition needs it.
  const count = db.select({ count: sql<number>`count(*)`.as("count") }).from(organizationMemberships);
  // Not one db.batch: inside a batch drizzle's D1 driver reads rows as objects keyed by column
  // name, which mixes up the joined tables' same-named columns (id, created_at, …).
  const [rows, counts] = await Promise.all([
    membershipsSelect(db)
      .where(where)
      .orderBy(sql`${column} is null`, direction(column), direction(organizationMemberships.id))
      .limit(limit)
      .offset(offset)
      .all(),
    members ? count.innerJoin(users, eq(users.id, organizationMemberships.userId)).where(where).all() : count.where(where).all(),
  ]);
  return { rows: rows as MembershipView[], total: Number(counts[0]?.count ?? 0) };
}

export async function findMembership(db: Db, organizationId: string, userId: string): Promise<MembershipView | undefined> {
  const row = await membershipsSelect(db)
    .where(and(eq(organizationMemberships.organizationId, organizationId), eq(organizationMemberships.userId, userId)))
    .get();
  return row as MembershipView | undefined;
}

/**
 * Inserts the membership only while the organization exists and has room (see hasRoom), and
 * returns it as inserted; undefined when the organization is gone or full. A duplicate
 * (organization, user) pair throws a UNIQUE violation, a user deleted meanwhile a FOREIGN KEY one.
 */
export async function insertMembershipIfRoom(
  db: Db,
  row: typeof organizationMemberships.$inferInsert,
  now: number,
): Promise<OrganizationMembershipRow | undefined> {
  const inserted = await db.get<Record<string, unknown> | undefined>(sql`
    insert into organization_memberships (id, organization_id, user_id, role, public_metadata, private_metadata, created_at, updated_at)
    select ${row.id}, o.id, ${row.userId}, ${row.role}, ${row.publicMetadata ?? "{}"}, ${row.privateMetadata ?? "{}"}, ${row.createdAt}, ${row.updatedAt}
    from organizations o
    where o.id = ${row.organizationId} and ${hasRoom(now, null)}
    returning *`);
  return rowFromSql(organizationMemberships, inserted);
}

/** Updates the membership and returns it as written; undefined when it no longer exists. */
export async function updateMembershipRow(
  db: Db,
  id: string,
  values: Partial<Pick<typeof organizationMemberships.$inferInsert, "role" | "publicMetadata" | "privateMetadata" | "updatedAt">>,
): Promise<OrganizationMembershipRow | undefined> {
  return db.update(organizationMemberships).set(values).where(eq(organizationMemberships.id, id)).returning().get();
}

/** Deletes the membership; false when it was already gone. */
export async function deleteMembershipRow(db: Db, id: string): Promise<boolean> {
  const deleted = await db
    .delete(organizationMemberships)
    .where(eq(organizationMemberships.id, id))
    .returning({ id: organizationMemberships.id })
    .get();
  return deleted !== undefined;
}
