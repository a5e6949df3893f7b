/**
 * Listing, counting and searching users (GET /v1/users, /v1/users/count): one entry point that
 * picks a plan, and the plans in their own modules.
 *
 * | plan        | when                                                         | module             |
 * |-------------|--------------------------------------------------------------|--------------------|
 * | plain       | no search: the users table's (column, id) indexes            | plan-plain.ts      |
 * | created_at  | a search in created_at order (the default)                   | plan-created-at.ts |
 * | walk        | a broad search (3+ char terms) in another order              | plan-walk.ts       |
 * | ranked      | any other search with 3+ char terms in another order         | plan-ranked.ts     |
 * | scan        | a search of only 1–2 char terms in another order             | plan-walk.ts       |
 *
 * Every plan finds every match (no plan stops at an arbitrary number of users) and none runs a
 * statement that looks at more than a bounded number of users: searches are cut into span groups
 * or walk chunks (spans.ts), because D1 runs one statement at a time per database.
 */
import { eq, sql } from "drizzle-orm";
import type { Db } from "../client";
import { users, type UserRow } from "../schema";
import { countMatching } from "./count";
import type { UserFilter, UserOrder, UserPage } from "./filter";
import { createdAtPage } from "./plan-created-at";
import { plainPage } from "./plan-plain";
import { rankedPage } from "./plan-ranked";
import { walkBudget, walkPage } from "./plan-walk";
import { anchorTerms, ftsMatchExpression, longTerms, needsFtsPerUser } from "./terms";
import { SPAN_GROUP_MAX } from "./rows";
import { HIGHEST_SPAN, rangeConditions } from "./spans";

export * from "./filter";
export { SEARCH_FIELDS } from "../derived/constants";
export { walkBudget } from "./plan-walk";

export type PlanName = "plain" | "created_at" | "walk" | "ranked" | "scan";

/** The deepest page (offset + limit) a walk testing users by FTS rowid is tried for. */
export const WALK_MAX_WANTED = 200;

/** The plan for a page, before any probe (the walk is tried first where it may apply). */
export function choosePlan(filter: UserFilter, order: UserOrder, page: UserPage): PlanName {
  if (filter.search.length === 0) return "plain";
  if (order.field === "created_at") return "created_at";
  if (longTerms(filter.search).length === 0) return "scan";
  // A walk that must test users by FTS rowid (a few hundred µs each) is worth it only for a page
  // near the start of the order.
  return needsFtsPerUser(filter.search) && page.offset + page.limit > WALK_MAX_WANTED ? "ranked" : "walk";
}

/**
 * The anchors' matches in the newest span (at most `probe` of them) and its documents: whether
 * the walk may be worth trying, and how dense the search is. One bounded statement: at most
 * `probe` FTS rows, in one span.
 */
async function probeNewestSpan(db: Db, filter: UserFilter, probe: number): Promise<{ matches: number; docs: number }> {
  const int = (n: number) => sql.raw(String(n));
  // The anchors' matches only (one row each; the other terms would cost a document read each,
  // and the walk gives up early anyway when they make the search rare). The newest span reaches
  // the end of the table, so FTS5 has nothing to read past it.
  const row = await db.get<{ n: number; docs: number | null }>(
    sql`select (select count(*) from (select 1 from user_search where user_search match ${ftsMatchExpression(anchorTerms(filter.search).fts)} and ${sql.join(
      rangeConditions(sql`user_search.rowid`, HIGHEST_SPAN),
      sql` and `,
    )} limit ${int(probe)})) as n,
      (select docs from search_spans where lo = (select max(lo) from search_spans)) as docs`,
  );
  return { matches: Number(row?.n ?? 0), docs: Number(row?.docs ?? 0) };
}

/**
 * How many spans the ranked plan's first statement takes on, from the probe: FTS5 ranks every
 * match of a statement (about 7 µs each), so about RANK_FIRST_MATCHES of them, at the density of
 * matches the newest span showed (one span when it showed many).
 */
function firstRankedGroup(probed: { matches: number; docs: number }, probe: number): number {
  if (probed.matches >= probe || probed.docs === 0) return 1;
  const perSpan = Math.max(1, probed.matches);
  return Math.max(1, Math.min(SPAN_GROUP_MAX, Math.floor(RANK_FIRST_MATCHES / perSpan)));
}
const RANK_FIRST_MATCHES = 1500;

/** One page of users matching `filter`, and the plan that found it. */
export async function findUserPage(db: Db, filter: UserFilter, order: UserOrder, page: UserPage): Promise<{ rows: UserRow[]; plan: PlanName }> {
  const plan = choosePlan(filter, order, page);
  switch (plan) {
    case "plain":
      return { rows: await plainPage(db, filter, order, page), plan };
    case "created_at":
      return { rows: await createdAtPage(db, filter, order, page), plan };
    case "scan":
      return { rows: (await walkPage(db, filter, order, page, "scan"))!, plan };
    case "walk": {
      const { probe, sample } = walkBudget(page);
      const probed = await probeNewestSpan(db, filter, probe);
      // Worth a walk: the newest span holds at least `probe` matches, or it is too small to tell
      // (fewer documents than a search common enough for the walk would need for that).
      if (probed.matches >= probe || probed.docs < Math.ceil((probe * sample) / (page.offset + page.limit))) {
        const rows = await walkPage(db, filter, order, page, "walk", sample);
        if (rows) return { rows, plan: "walk" };
      }
      return { rows: await rankedPage(db, filter, order, page, firstRankedGroup(probed, probe)), plan: "ranked" };
    }
    case "ranked":
      return { rows: await rankedPage(db, filter, order, page), plan };
  }
}

/** One page of users matching `filter`. */
export async function findUserRowsMatching(db: Db, filter: UserFilter, order: UserOrder, page: UserPage): Promise<UserRow[]> {
  return (await findUserPage(db, filter, order, page)).rows;
}

/** How many users match `filter`. */
export async function countUsersMatching(db: Db, filter: UserFilter): Promise<number> {
  return countMatching(db, filter);
}

/** The created_at of a user, for a starting_after cursor (undefined if there is no such user). */
export async function findUserCreatedAt(db: Db, id: string): Promise<number | undefined> {
  const row = await db.select({ createdAt: users.createdAt }).from(users).where(eq(users.id, id)).get();
  return row?.createdAt;
}
