/**
 * The rules organizations, memberships and invitations share, as SQL conditions, each written
 * once: when an invitation is live and pending, and when an organization has room for one more
 * member.
 *
 * Rules that must hold under concurrent requests (the membership quota, one pending invitation
 * per address, accept-once) are written as single conditional statements: D1 runs each
 * statement atomically, so "INSERT … SELECT … WHERE <rule holds>" cannot be raced. Writes
 * return the rows they wrote (RETURNING): nothing returned means the rule, or a concurrent
 * delete, refused the write, and the caller never reads back a row that may be gone by then.
 */
import { sql, type SQL } from "drizzle-orm";
import { isUniqueViolation } from "./constraint-errors";

/** A name an organization_invitations row has in a statement: its table name or an alias. */
type InvitationRef = "organization_invitations" | "i" | "d" | "inv";

/**
 * The invitation `invitation` is pending and has not expired. Expiry is never stored: a pending
 * invitation whose expires_at has passed reads as expired (the serializer derives the status
 * the same way). A live pending invitation counts against the membership quota, blocks another
 * invitation to the same address, and is the only kind that can be revoked or accepted.
 */
export function isLivePendingInvitation(invitation: InvitationRef, now: number): SQL {
  const column = (name: string) => sql.raw(`${invitation}.${name}`);
  return sql`(${column("status")} = 'pending' and (${column("expires_at")} is null or ${column("expires_at")} > ${now}))`;
}

/** A pending invitation that is no longer live: status `expired` as read now. */
export function isExpiredInvitation(invitation: InvitationRef, now: number): SQL {
  return sql`(${sql.raw(`${invitation}.status`)} = 'pending' and not ${isLivePendingInvitation(invitation, now)})`;
}

/**
 * True while the organization `o` has room for one more member: unlimited (0), or memberships
 * plus live pending invitations (Clerk counts outstanding invitations) below the limit.
 * `exceptInvitationId` leaves out the invitation that is being turned into the membership.
 */
export function hasRoom(now: number, exceptInvitationId: string | null): SQL {
  return sql`(o.max_allowed_memberships = 0 or
    (select count(*) from organization_memberships m where m.organization_id = o.id)
    + (select count(*) from organization_invitations i where i.organization_id = o.id and ${isLivePendingInvitation("i", now)}
        and i.id <> ${exceptInvitationId ?? ""})
    < o.max_allowed_memberships)`;
}

/** Whether `error` is a UNIQUE violation on the given table (e.g. a concurrent create won the race). */
export function isUniqueViolationOn(error: unknown, table: "organizations" | "organization_memberships"): boolean {
  return isUniqueViolation(error, `${table}.`);
}
