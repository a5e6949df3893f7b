/**
 * SQL for organizations, their memberships and invitations. Nothing else in the Worker writes
 * SQL for these tables.
 *
 * Rules that must hold under concurrent requests (the membership quota, one pending invitation
 * per address, accept-once) are written as single conditional statements: D1 runs each
 * statement atomically, so "INSERT … SELECT … WHERE <rule holds>" cannot be raced. Writes
 * return the rows they wrote (RETURNING): nothing returned means the rule, or a concurrent
 * delete, refused the write, and the caller never reads back a row that may be gone by then.
 */
import { and, asc, desc, eq, or, sql, type SQL } from "drizzle-orm";
import { isUniqueViolation } from "./constraint-errors";
import { alias, SQLiteAsyncDialect } from "drizzle-orm/sqlite-core";
import type { Db } from "./client";
import type { OrderBy } from "./order";
import {
  emailAddresses,
  organizationInvitations,
  organizationMemberships,
  organizations,
  phoneNumbers,
  users,
  web3Wallets,
  type OrganizationInvitationRow,
  type OrganizationMembershipRow,
  type OrganizationRow,
} from "./schema";
import { userIdsQuery, type UserFilter } from "./user-search";
import { inJsonList, rowFromSql, type Statement } from "./users";

export type InvitationStatus = "pending" | "accepted" | "revoked" | "expired";
export type MembershipOrderField = "created_at" | "email_address" | "phone_number" | "first_name" | "last_name" | "username";

/** What a member's public data is built from (no credentials are read). */
export interface PublicUserRow {
  id: string;
  firstName: string | null;
  lastName: string | null;
  imageId: string | null;
  username: string | null;
  banned: boolean;
  email: string | null;
  phone: string | null;
  wallet: string | null;
}

export interface MembershipView {
  membership: OrganizationMembershipRow;
  organization: OrganizationRow;
  member: PublicUserRow;
}

export interface InvitationView {
  invitation: OrganizationInvitationRow;
  organization: OrganizationRow;
}

export interface OrganizationCounts {
  members: number;
  pendingInvitations: number;
}

const primaryEmail = alias(emailAddresses, "primary_email");
const primaryPhone = alias(phoneNumbers, "primary_phone");
const primaryWallet = alias(web3Wallets, "primary_wallet");

const publicUserColumns = {
  id: users.id,
  firstName: users.firstName,
  lastName: users.lastName,
  imageId: users.imageId,
  username: users.username,
  banned: users.banned,
  email: primaryEmail.emailAddress,
  phone: primaryPhone.phoneNumber,
  wallet: primaryWallet.web3Wallet,
};

/** An invitation still counts as pending while it has not expired (expiry is derived at read time). */
function livePending(now: number): SQL {
  return sql`(${organizationInvitations.status} = 'pending' and (${organizationInvitations.expiresAt} is null or ${organizationInvitations.expiresAt} > ${now}))`;
}

function invitationStatusCondition(status: InvitationStatus, now: number): SQL {
  switch (status) {
    case "pending":
      return livePending(now);
    case "expired":
      return sql`(${organizationInvitations.status} = 'pending' and ${organizationInvitations.expiresAt} <= ${now})`;
    default:
      return eq(organizationInvitations.status, status);
  }
}

/**
 * True while the organization `o` has room for one more member: unlimited (0), or memberships
 * plus live pending invitations (Clerk counts outstanding invitations) below the limit.
 * `exceptInvitationId` leaves out the invitation that is being turned into the membership.
 */
function hasRoom(now: number, exceptInvitationId: string | null): SQL {
  return sql`(o.max_allowed_memberships = 0 or
    (select count(*) from organization_memberships m where m.organization_id = o.id)
    + (select count(*) from organization_invitations i where i.organization_id = o.id and i.status = 'pending'
        and (i.expires_at is null or i.expires_at > ${now}) and i.id <> ${exceptInvitationId ?? ""})
    < o.max_allowed_memberships)`;
}

/** Whether `error` is a UNIQUE violation on the given table (e.g. a concurrent create won the race). */
export function isUniqueViolationOn(error: unknown, table: "organizations" | "organization_memberships"): boolean {
  return isUniqueViolation(error, `${table}.`);
}

const dialect = new SQLiteAsyncDialect();

/**
 * Runs hand-written statements as one D1 batch (one transaction). drizzle's db.batch cannot
 * take a parameterised db.run(sql``), so these go to D1 directly.
 */
async function runRawBatch(db: Db, statements: SQL[]): Promise<D1Result[]> {
  // createDb builds Db with drizzle(), which keeps the D1 binding as $client.
  const d1 = (db as Db & { $client: D1Database }).$client;
  return d1.batch(
    statements.map((statement) => {
      const query = dialect.sqlToQuery(statement);
      return d1.prepare(query.sql).bind(...query.params);
    }),
  );
}

// ---------------------------------------------------------------- organizations

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
  row: typeof organizations.$inferInsert,
  creatorMembership: typeof organizationMemberships.$inferInsert | null,
): Promise<OrganizationRow> {
  const insert = db.insert(organizations).values(row).returning();
  const statements: Statement[] = creatorMembership ? [db.insert(organizationMemberships).values(creatorMembership)] : [];
  const [inserted] = await db.batch([insert, ...statements]);
  return inserted[0]!;
}

export async function updateOrganizationRow(db: Db, id: string, values: Partial<typeof organizations.$inferInsert>): Promise<void> {
  await db.update(organizations).set(values).where(eq(organizations.id, id));
}

/** Memberships and invitations go with it through ON DELETE CASCADE. */
export async function deleteOrganizationRow(db: Db, id: string): Promise<void> {
  await db.delete(organizations).where(eq(organizations.id, id));
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
    db
      .select()
      .from(organizations)
      .where(where)
      .orderBy(direction(column), direction(organizations.id))
      .limit(limit)
      .offset(offset),
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
      .where(and(inJsonList(organizationInvitations.organizationId, organizationIds), livePending(now)))
      .groupBy(organizationInvitations.organizationId),
  ]);
  for (const m of members) out.get(m.id)!.members = Number(m.count);
  for (const i of invitations) out.get(i.id)!.pendingInvitations = Number(i.count);
  return out;
}

// ---------------------------------------------------------------- memberships

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

function membershipWhere(db: Db, filter: MembershipFilter): SQL | undefined {
  return and(
    filter.members ? sql`${organizationMemberships.userId} in ${userIdsQuery(db, filter.members)}` : undefined,
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
  const where = membershipWhere(db, filter);
  // Not one db.batch: inside a batch drizzle's D1 driver reads rows as objects keyed by column
  // name, which mixes up the joined tables' same-named columns (id, created_at, …).
  const [rows, counts] = await Promise.all([
    membershipsSelect(db)
      .where(where)
      .orderBy(sql`${column} is null`, direction(column), direction(organizationMemberships.id))
      .limit(limit)
      .offset(offset)
      .all(),
    db.select({ count: sql<number>`count(*)`.as("count") }).from(organizationMemberships).where(where).all(),
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
  const deleted = await db.delete(organizationMemberships).where(eq(organizationMemberships.id, id)).returning({ id: organizationMemberships.id }).get();
  return deleted !== undefined;
}

// ---------------------------------------------------------------- public user data

/** Public data of the given users (inviters), keyed by id. */
export async function findPublicUsers(db: Db, ids: string[]): Promise<Map<string, PublicUserRow>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .select(publicUserColumns)
    .from(users)
    .leftJoin(primaryEmail, eq(primaryEmail.id, users.primaryEmailAddressId))
    .leftJoin(primaryPhone, eq(primaryPhone.id, users.primaryPhoneNumberId))
    .leftJoin(primaryWallet, eq(primaryWallet.id, users.primaryWeb3WalletId))
    .where(inJsonList(users.id, [...new Set(ids)]))
    .all();
  return new Map(rows.map((r) => [r.id, r]));
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

// ---------------------------------------------------------------- invitations

export interface InvitationFilter {
  organizationId?: string;
  /** Invitations addressed to any verified email address of this user (case-insensitively). */
  addressedToUserId?: string;
  emailAddressNormalized?: string;
  statuses: InvitationStatus[];
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

export type InvitationOrderField = "created_at" | "email_address";

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
    db.select({ count: sql<number>`count(*)`.as("count") }).from(organizationInvitations).where(where).all(),
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
        livePending(now),
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
  db: Db,
  row: typeof organizationInvitations.$inferInsert,
  now: number,
): Promise<OrganizationInvitationRow | undefined> {
  const inserted = await db.get<Record<string, unknown> | undefined>(sql`
    insert into organization_invitations (id, organization_id, email_address, email_address_normalized, role, inviter_user_id,
      status, public_metadata, private_metadata, url, expires_at, created_at, updated_at)
    select ${row.id}, o.id, ${row.emailAddress}, ${row.emailAddressNormalized}, ${row.role}, ${row.inviterUserId ?? null},
      'pending', ${row.publicMetadata ?? "{}"}, ${row.privateMetadata ?? "{}"}, ${row.url ?? null}, ${row.expiresAt ?? null},
      ${row.createdAt}, ${row.updatedAt}
    from organizations o
    where o.id = ${row.organizationId}
      and not exists (select 1 from organization_invitations d where d.organization_id = o.id
        and d.email_address_normalized = ${row.emailAddressNormalized} and d.status = 'pending'
        and (d.expires_at is null or d.expires_at > ${now}))
      and ${hasRoom(now, null)}
    returning *`);
  return rowFromSql(organizationInvitations, inserted);
}

/** Marks a live pending invitation revoked and returns it; undefined when it was not live and pending (or is gone). */
export async function revokeInvitationRow(db: Db, invitationId: string, now: number): Promise<OrganizationInvitationRow | undefined> {
  return db
    .update(organizationInvitations)
    .set({ status: "revoked", updatedAt: now })
    .where(and(eq(organizationInvitations.id, invitationId), livePending(now)))
    .returning()
    .get();
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
  db: Db,
  invitationId: string,
  membershipId: string,
  userId: string,
  now: number,
): Promise<OrganizationInvitationRow | undefined> {
  const [, accepted] = await runRawBatch(db, [
    sql`
      insert into organization_memberships (id, organization_id, user_id, role, public_metadata, private_metadata, created_at, updated_at)
      select ${membershipId}, o.id, ${userId}, inv.role, inv.public_metadata, inv.private_metadata, ${now}, ${now}
      from organization_invitations inv join organizations o on o.id = inv.organization_id
      where inv.id = ${invitationId} and inv.status = 'pending' and (inv.expires_at is null or inv.expires_at > ${now})
        and ${hasRoom(now, invitationId)}`,
    sql`
      update organization_invitations set status = 'accepted', updated_at = ${now}
      where id = ${invitationId} and status = 'pending'
        and exists (select 1 from organization_memberships where id = ${membershipId})
      returning *`,
  ]);
  return rowFromSql(organizationInvitations, accepted.results[0] as Record<string, unknown> | undefined);
}
