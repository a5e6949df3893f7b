/**
 * SQL for organization memberships: list (per organization, per user, instance-wide; with the
 * member filters of GET /users), find, insert within the quota, update, delete.
 */
import { and, asc, desc, eq, sql, type SQL } from "drizzle-orm";
import { type Db, meterOf } from "./client";
import type { OrderBy } from "./order";
import { hasRoom } from "./organization-rules";
import { primaryEmail, primaryPhone, primaryWallet, publicUserColumns, type PublicUserRow } from "./public-users";
import { organizationMemberships, organizations, users, type OrganizationMembershipRow, type OrganizationRow } from "./schema";
import { whereOf, type UserFilter } from "./user-search";
import { walkInOrder } from "./user-search/plan-walk";
import { Chunker } from "./user-search/spans";
import { userMatches } from "./user-search/terms";
import { type BatchRunner, inJsonList, rowFromSql, type SqlBatchRunner } from "./users";

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
function memberConditions(members: UserFilter, userId: SQL): SQL | undefined {
  return and(whereOf(members), members.search.length ? userMatches(members.search, userId) : undefined);
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
 * Above this many memberships, a page in a member field's order is found by walking the users in
 * that order (a chunk per statement) rather than by sorting every membership in one statement
 * (150 ms for the 37k memberships of 100k seeded users on local D1; docs/search.md, Bounds).
 */
const MEMBERSHIP_SORT_MAX = 4096;

/**
 * A page of memberships with their organization and member, ordered by the membership's creation
 * time or by a member field with NULLs last whatever the direction, ties by member id then
 * membership id (so that a walk of the users in that order gives the same page).
 *
 * The page's ids are found first by a narrow statement (created_at, never NULL, read in the order
 * of its index; a member field sorted when the memberships are few, else walked), and only the
 * page's rows are then joined to their organization and identifiers.
 */
export async function listMemberships(
  db: Db,
  filter: MembershipFilter,
  order: OrderBy<MembershipOrderField>,
  limit: number,
  offset: number,
): Promise<{ rows: MembershipView[]; total: number }> {
  const members = filter.members && memberConditions(filter.members, sql`${organizationMemberships.userId}`);
  const where = membershipWhere(filter, members);
  // The count reads the member's user row only when a member condition needs it.
  const count = db.select({ count: sql<number>`count(*)`.as("count") }).from(organizationMemberships);
  const counted = members ? count.innerJoin(users, eq(users.id, organizationMemberships.userId)).where(where) : count.where(where);
  const total = Number((await counted.all())[0]?.count ?? 0);

  const how = order.field !== "created_at" && total > MEMBERSHIP_SORT_MAX ? "walk" : "sort";
  const ids = await findMembershipPageIds(db, filter, order, limit, offset, how);
  const rows = ids.length ? ((await membershipsSelect(db).where(inJsonList(organizationMemberships.id, ids)).all()) as MembershipView[]) : [];
  const byId = new Map(rows.map((r) => [r.membership.id, r]));
  // A membership removed between the two reads is simply not on the page.
  return { rows: ids.flatMap((id) => byId.get(id) ?? []), total };
}

/**
 * The ids of a page of memberships: sorted by one statement, or (`walk`, member field orders only)
 * found by walking the users in that order (workers/db/user-search/plan-walk.ts), taking each
 * walked user's memberships that pass the filters in membership id order. Both give the same page.
 */
export async function findMembershipPageIds(
  db: Db,
  filter: MembershipFilter,
  order: OrderBy<MembershipOrderField>,
  limit: number,
  offset: number,
  how: "sort" | "walk",
  chunk = { first: 1024, min: 64, max: 4096 },
): Promise<string[]> {
  if (how === "sort" || order.field === "created_at") {
    const column = MEMBERSHIP_ORDER_COLUMNS[order.field];
    const direction = order.descending ? desc : asc;
    const members = filter.members && memberConditions(filter.members, sql`${organizationMemberships.userId}`);
    const idsQuery = db.select({ id: organizationMemberships.id }).from(organizationMemberships);
    const byMember = order.field !== "created_at";
    const rows = await (members !== undefined || byMember ? idsQuery.innerJoin(users, eq(users.id, organizationMemberships.userId)) : idsQuery)
      .where(membershipWhere(filter, members))
      .orderBy(
        ...(byMember ? [sql`${column} is null`, direction(column), direction(users.id)] : [direction(column)]),
        direction(organizationMemberships.id),
      )
      .limit(limit)
      .offset(offset)
      .all();
    return rows.map((r) => r.id);
  }
  const dir = sql.raw(order.descending ? "desc" : "asc");
  const members = (filter.members && memberConditions(filter.members, sql`w.id`)) ?? sql`1`;
  const ownConditions = membershipWhere({ ...filter, members: undefined }, undefined);
  const ids: string[] = [];
  await walkInOrder<{ v: string | null; id: string; mid: string | null; hit: number }>(
    db,
    MEMBERSHIP_ORDER_COLUMNS[order.field as Exclude<MembershipOrderField, "created_at">],
    order.descending,
    new Chunker(chunk.first, chunk.min, chunk.max, meterOf(db)),
    (chunk, orderBy) => sql`select w.v as v, w.id as id, ${organizationMemberships.id} as mid, (case when ${members} then 1 else 0 end) as hit
      from ${chunk} cross join ${users} on ${users.id} = w.id
      left join ${organizationMemberships} on ${organizationMemberships.userId} = w.id ${ownConditions ? sql`and ${ownConditions}` : sql``}
      order by ${orderBy}, ${organizationMemberships.id} ${dir}`,
    (rows) => {
      for (const row of rows) if (row.mid !== null && row.hit) ids.push(row.mid);
      return ids.length >= offset + limit;
    },
  );
  return ids.slice(offset, offset + limit);
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
  run: SqlBatchRunner,
  row: typeof organizationMemberships.$inferInsert,
  now: number,
): Promise<OrganizationMembershipRow | undefined> {
  const [inserted] = await run([
    sql`
    insert into organization_memberships (id, organization_id, user_id, role, public_metadata, private_metadata, created_at, updated_at)
    select ${row.id}, o.id, ${row.userId}, ${row.role}, ${row.publicMetadata ?? "{}"}, ${row.privateMetadata ?? "{}"}, ${row.createdAt}, ${row.updatedAt}
    from organizations o
    where o.id = ${row.organizationId} and ${hasRoom(now, null)}
    returning *`,
  ]);
  return rowFromSql(organizationMemberships, inserted.results[0] as Record<string, unknown> | undefined);
}

/** Updates the membership and returns it as written; undefined when it no longer exists. */
export async function updateMembershipRow(
  db: Db,
  run: BatchRunner,
  id: string,
  values: Partial<Pick<typeof organizationMemberships.$inferInsert, "role" | "publicMetadata" | "privateMetadata" | "updatedAt">>,
): Promise<OrganizationMembershipRow | undefined> {
  const [rows] = (await run([db.update(organizationMemberships).set(values).where(eq(organizationMemberships.id, id)).returning()])) as [
    OrganizationMembershipRow[],
  ];
  return rows[0];
}

/** Deletes the membership; false when it was already gone. */
export async function deleteMembershipRow(db: Db, run: BatchRunner, id: string): Promise<boolean> {
  const [deleted] = (await run([
    db.delete(organizationMemberships).where(eq(organizationMemberships.id, id)).returning({ id: organizationMemberships.id }),
  ])) as [{ id: string }[]];
  return deleted.length > 0;
}
