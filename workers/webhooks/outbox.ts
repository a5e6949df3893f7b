/**
 * The transactional outbox (issue 16 §3). A write that changes a user or an organization
 * object appends `eventStatements` to its own `db.batch()`, so the event and the change commit
 * together or not at all:
 *
 * 1. `INSERT INTO webhook_events … SELECT <snapshot of the changed row> FROM <table> WHERE id = ?`:
 *    the row as the batch left it (workers/webhooks/snapshot.ts), read by SQL in the batch, so
 *    values SQL computed (a metadata merge, a trigger-kept copy) are in it. Written only when
 *    some enabled endpoint subscribes to the type, so a deployment without endpoints pays no
 *    row. With `onlyIfChanged`, only when the statement before it changed a row (SQLite's
 *    changes()), for writes that refuse by matching no row instead of failing the batch. With
 *    `before`, the snapshot is taken ahead of the write (a membership's deletion event carries
 *    the membership as it was). An organization membership's snapshot also holds its
 *    organization and its member's public data, an invitation's its inviter's. The memberships
 *    a user's or an organization's deletion removes by cascade are snapshotted by one such
 *    statement over all of them (one event each, however many: its bound parameters are a
 *    handful), taken `before` the delete, so within the transaction exactly the rows the delete
 *    then removes have an event.
 * 2. `INSERT INTO webhook_deliveries … SELECT … FROM webhook_endpoints … RETURNING`: one pending
 *    delivery per (event, subscribed enabled endpoint), due now.
 *
 * After the batch commits, `afterCommit` sends one queue message per delivery and arms the
 * scheduler's alarm; if either fails, the alarm or the cron finds the delivery in D1 anyway.
 */
import { sql, type SQL } from "drizzle-orm";
import type { AppContext } from "../context";
import { newId, newIds } from "../crypto/ids";
import type { Db } from "../db/client";
import { webhookDeliveries, webhookEvents } from "../db/schema";
import { runSqlBatch, type Statement } from "../db/users";
import type { DeliveryMessage } from "./delivery";
import type { WebhookEventType } from "./event-types";
import { enqueueDeliveries } from "./queue";
import {
  invitationSnapshotSql,
  membershipSnapshotSql,
  organizationSnapshotSql,
  publicUserJoins,
  publicUserSnapshotSql,
  userSnapshotSql,
} from "./snapshot";

/** One event a write emits. */
export interface EventSpec {
  type: WebhookEventType;
  /** What `data` is built from: the rows of these users as the batch leaves them (one event each), or a deleted object. */
  source:
    | { kind: "user"; userIds: string[] }
    | { kind: "organization"; id: string }
    /** The membership with its organization and its member's public data. */
    | { kind: "membership"; id: string }
    /** Every membership of the user or organization `id`, as `membership`, one event each (a cascade's; use with `before`). */
    | { kind: "memberships"; of: "user" | "organization"; id: string }
    /** The invitation with its inviter's public data; `acceptedBy` adds the accepting user and the organization. */
    | { kind: "invitation"; id: string; acceptedBy?: string }
    | { kind: "deleted"; object: "user" | "organization"; id: string; slug?: string };
  /** Emit only if the statement just before this event's changed a row (see the module comment). */
  onlyIfChanged?: boolean;
  /**
   * Snapshot the object before the write's statements instead of after (a deletion whose event
   * carries the object as it was). The event is written iff the object exists then; in the
   * same transaction the write that follows then finds it too.
   */
  before?: boolean;
}

/** The event of a change to one or more users; `data` is each user after the batch. */
export function userEvent(type: "user.created" | "user.updated", ...userIds: string[]): EventSpec {
  return { type, source: { kind: "user", userIds } };
}

/** The event of a change to one organization, membership or invitation; `data` is the object after the batch. */
export function objectEvent(
  type: Exclude<WebhookEventType, `user.${string}` | "organization.deleted">,
  kind: "organization" | "membership" | "invitation",
  id: string,
): EventSpec {
  return { type, source: { kind, id } };
}

/** `endpoint` (alias) is enabled and takes events of `type` (an SQL expression). */
export function subscribes(alias: string, type: SQL): SQL {
  const e = sql.raw(alias);
  return sql`(${e}.disabled = 0 and (${e}.events = '[]' or exists (select 1 from json_each(${e}.events) where value = ${type})))`;
}

/**
 * The ids of a statement's events when it writes any number of them (the cascade's memberships):
 * `prefix` (`msg_` and the first PREFIX_CHARS characters of a new KSUID: its time and about 56 random
 * bits, one prefix per statement) then the row's number, zero-padded to the KSUID's length. The
 * ids keep the shape and time of a KSUID, are distinct within the statement, and sort between
 * `prefix` and `prefix + "~"` (every base62 character sorts below "~"): the range by which the
 * deliveries statement finds them.
 */
const PREFIX_CHARS = 15;
/** printf's format of the row number: the KSUID's other 12 characters. */
const ROW_NUMBER_FORMAT = "%012d";
const idRange = (prefix: string) => sql`${prefix} and ${`${prefix}~`}`;

/**
 * The event rows of `spec` (ids given, or their prefix for `memberships`): an INSERT … SELECT,
 * whose select lists every column of webhook_events in table order (drizzle names them all in
 * the INSERT).
 */
function eventInsert(db: Db, ctx: AppContext, now: number, spec: EventSpec, ids: string[], prefix = ""): Statement {
  const common = sql`${ctx.origin}, ${ctx.client.ip}, ${ctx.client.userAgent}, ${now}`;
  const wanted = sql`exists (select 1 from webhook_endpoints we where ${subscribes("we", sql`${spec.type}`)})`;
  const changed = spec.onlyIfChanged ? sql` and changes() > 0` : sql``;
  if (spec.source.kind === "user") {
    // Ids pair with user ids by position: one event per user, each with its own msg_ id.
    const pairs = JSON.stringify(spec.source.userIds.map((id, i) => [id, ids[i]]));
    return db.insert(webhookEvents).select(sql`
      select json_extract(p.value, '$[1]'), ${spec.type}, json_object('k', 'user', 'r', ${userSnapshotSql()}), ${common}
      from json_each(${pairs}) p join users u on u.id = json_extract(p.value, '$[0]')
      where ${wanted}${changed}`);
  }
  const one = sql`${ids[0]}, ${spec.type}`;
  switch (spec.source.kind) {
    case "organization":
      return db.insert(webhookEvents).select(sql`
        select ${one}, json_object('k', 'organization', 'r', ${organizationSnapshotSql("o")}), ${common}
        from organizations o where o.id = ${spec.source.id} and ${wanted}${changed}`);
    case "membership":
    case "memberships": {
      const source = spec.source;
      const [id, which] =
        source.kind === "membership"
          ? [sql`${ids[0]}`, sql`m.id = ${source.id}`]
          : [
              sql`${prefix} || printf(${ROW_NUMBER_FORMAT}, row_number() over (order by m.id))`,
              source.of === "user" ? sql`m.user_id = ${source.id}` : sql`m.organization_id = ${source.id}`,
            ];
      return db.insert(webhookEvents).select(sql`
        select ${id}, ${spec.type}, json_object('k', 'membership', 'r', ${membershipSnapshotSql("m")}, 'o', ${organizationSnapshotSql("o")},
          'u', ${publicUserSnapshotSql("mu")}), ${common}
        from organization_memberships m join organizations o on o.id = m.organization_id join users mu on mu.id = m.user_id
        ${publicUserJoins("mu")}
        where ${which} and ${wanted}${changed}`);
    }
    case "invitation":
      return db.insert(webhookEvents).select(sql`
        select ${one}, json_object('k', 'invitation', 'r', ${invitationSnapshotSql("i")}, 'v', ${publicUserSnapshotSql("iu")},
          'a', ${spec.source.acceptedBy ?? null}, 'o', ${organizationSnapshotSql("o")}), ${common}
        from organization_invitations i join organizations o on o.id = i.organization_id
        left join users iu on iu.id = i.inviter_user_id ${publicUserJoins("iu")}
        where i.id = ${spec.source.id} and ${wanted}${changed}`);
  }
  const { object, id, slug } = spec.source;
  const data = JSON.stringify({ deleted: true, id, object, ...(slug ? { slug } : {}) });
  return db.insert(webhookEvents).select(sql`
    select ${ids[0]}, ${spec.type}, json_object('k', 'deleted', 'd', json(${data})), ${common}
    where ${wanted}${changed}`);
}

/**
 * Pending deliveries of the events that were written among `eventIds` and those whose ids start
 * with one of `prefixes`, one per subscribed endpoint.
 */
function deliveriesInsert(db: Db, now: number, eventIds: string[], prefixes: string[]): Statement {
  // Each a lookup of the primary key: the ids listed, and a range per prefix.
  const ranges = prefixes.map((prefix) => sql` union all select id from webhook_events where id between ${idRange(prefix)}`);
  // Columns in the schema's order: event_id, endpoint_id, status, attempts, response_status,
  // next_attempt_at, lease_until, created_at, updated_at, swept_at.
  return db
    .insert(webhookDeliveries)
    .select(sql`
      select ev.id, e.id, 'pending', 0, null, ${now}, null, ${now}, ${now}, null
      from webhook_events ev join webhook_endpoints e on ${subscribes("e", sql`ev.type`)}
      where ev.id in (select value from json_each(${JSON.stringify(eventIds)})${sql.join(ranges)})`)
    .returning({ eventId: webhookDeliveries.eventId, endpointId: webhookDeliveries.endpointId });
}

/** Statements to append to a write's batch for `specs`. */
export interface OutboxPlan {
  /** One statement per spec, in order. */
  events: Statement[];
  /** The deliveries statement; last in the batch. */
  deliveries: Statement;
}

export function planEvents(ctx: AppContext, specs: EventSpec[]): OutboxPlan {
  // One clock for the write: its events share their timestamp (and the lock state derived from it).
  const now = ctx.now();
  const all: string[] = [];
  const prefixes: string[] = [];
  const events = specs.map((spec) => {
    if (spec.source.kind === "memberships") {
      const prefix = newId("msg", now).slice(0, "msg_".length + PREFIX_CHARS);
      prefixes.push(prefix);
      return eventInsert(ctx.db, ctx, now, spec, [], prefix);
    }
    const count = spec.source.kind === "user" ? spec.source.userIds.length : 1;
    const ids = newIds("msg", count, now);
    all.push(...ids);
    return eventInsert(ctx.db, ctx, now, spec, ids);
  });
  return { events, deliveries: deliveriesInsert(ctx.db, now, all, prefixes) };
}

/**
 * The batch of a write with its events: `before` events, the write's statements, the other
 * events, the deliveries last; and where the write's own results are in it.
 */
function orderedBatch<S>(ctx: AppContext, statements: S[], specs: EventSpec[], convert: (statement: Statement) => S) {
  const after = specs.filter((spec) => !spec.before);
  // changes() reads the statement just before: only the first event after the write follows it.
  if (after.slice(1).some((spec) => spec.onlyIfChanged) || specs.some((spec) => spec.before && spec.onlyIfChanged)) {
    throw new Error("onlyIfChanged applies to the first event after the write only");
  }
  const plan = planEvents(ctx, specs);
  const before = plan.events.filter((_, i) => specs[i].before).map(convert);
  const rest = plan.events.filter((_, i) => !specs[i].before).map(convert);
  return { batch: [...before, ...statements, ...rest, convert(plan.deliveries)], first: before.length };
}

/**
 * Runs `statements` with `specs`' events as one batch (see orderedBatch). Returns the results of
 * `statements` alone, in their order; sends the new deliveries to the queue after the commit.
 */
export async function batchWithEvents(ctx: AppContext, statements: Statement[], specs: EventSpec[]): Promise<unknown[]> {
  if (specs.length === 0) return statements.length ? ctx.db.batch(statements as [Statement, ...Statement[]]) : [];
  const { batch, first } = orderedBatch(ctx, statements, specs, (statement) => statement);
  const results = await ctx.db.batch(batch as [Statement, ...Statement[]]);
  afterCommit(ctx, results[results.length - 1] as DeliveryMessage[]);
  return results.slice(first, first + statements.length);
}

/** A drizzle query builder's SQL (every statement planEvents makes is one). */
const sqlOf = (statement: Statement): SQL => (statement as unknown as { getSQL(): SQL }).getSQL();

/**
 * batchWithEvents for hand-written SQL (run by runSqlBatch, since drizzle's batch cannot take a
 * parameterised `sql```): `statements`, then the events, then the deliveries, as one D1 batch.
 * Returns D1's results of `statements` alone.
 */
export async function sqlBatchWithEvents(ctx: AppContext, statements: SQL[], specs: EventSpec[]): Promise<D1Result[]> {
  if (specs.length === 0) return statements.length ? runSqlBatch(ctx.db, statements) : [];
  const { batch, first } = orderedBatch(ctx, statements, specs, sqlOf);
  const results = await runSqlBatch(ctx.db, batch);
  // D1's raw rows carry the column names of deliveriesInsert's RETURNING.
  const rows = (results[results.length - 1].results ?? []) as { event_id: string; endpoint_id: string }[];
  afterCommit(
    ctx,
    rows.map((r) => ({ eventId: r.event_id, endpointId: r.endpoint_id })),
  );
  return results.slice(first, first + statements.length);
}

/** After the batch committed: queue each new delivery (in the background) and arm the scheduler. */
export function afterCommit(ctx: AppContext, deliveries: DeliveryMessage[]): void {
  if (deliveries.length === 0) return;
  ctx.waitUntil(enqueueDeliveries(ctx.env, deliveries, ctx.now()));
}
