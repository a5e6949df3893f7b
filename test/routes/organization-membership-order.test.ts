/**
 * A page of memberships in a member field's order is the same whether it is sorted in one
 * statement (few memberships) or found by walking the users in that order (many): ties of the
 * field break by member id, then membership id, NULLs last in both directions
 * (workers/db/organization-memberships.ts, findMembershipPageIds).
 */
import { env } from "cloudflare:test";
import { beforeAll, expect, it } from "vitest";
import { createDb } from "../../workers/db/client";
import { findMembershipPageIds, type MembershipFilter, type MembershipOrderField } from "../../workers/db/organization-memberships";
import { parseWith } from "../../workers/http/validation";
import { listUsersQuery } from "../../workers/schemas/user-queries";
import { seedUsers } from "../perf-helpers";

const db = createDb(env.DB);
let orgIds: string[] = [];

beforeAll(async () => {
  // 600 users in 12 organizations (seed-data: a user can be in several), first names that repeat.
  await seedUsers(600, { organizations: 12 });
  // Ties and NULLs in every member field.
  await env.DB.prepare(
    `update users set first_name = case when rowid % 9 = 0 then null else 'Name' || (rowid % 7) end,
       last_name = case when rowid % 4 = 0 then null else last_name end,
       username_normalized = case when rowid % 3 = 0 then null else username_normalized end`,
  ).run();
  orgIds = (await env.DB.prepare("select id from organizations order by id").all<{ id: string }>()).results.map((r) => r.id);
}, 120_000);

it("is the same page sorted or walked, in every member order, direction, filter and offset", async () => {
  const total = Number((await env.DB.prepare("select count(*) as n from organization_memberships").first<{ n: number }>())!.n);
  expect(total).toBeGreaterThan(200);
  const members = (qs: Record<string, string>) => parseWith(listUsersQuery, qs).filter;
  const filters: MembershipFilter[] = [
    {},
    { organizationId: orgIds[0] },
    { roles: ["org:admin"] },
    { members: members({ email_address_query: "1" }) },
    { organizationId: orgIds[1], members: members({ name_query: "Name3" }) },
    { excludeUserIds: [], roles: ["org:member"], members: members({ username_query: "0" }) },
  ];
  const fields: MembershipOrderField[] = ["first_name", "last_name", "username", "email_address", "phone_number"];
  let compared = 0;
  for (const filter of filters) {
    for (const field of fields) {
      for (const descending of [false, true]) {
        for (const [limit, offset] of [
          [10, 0],
          [37, 5],
          [50, total - 20],
        ]) {
          const order = { field, descending };
          const sorted = await findMembershipPageIds(db, filter, order, limit, offset, "sort");
          // Chunks of 31 users, so that pages cross chunk boundaries and ties straddle them.
          const walked = await findMembershipPageIds(db, filter, order, limit, offset, "walk", { first: 31, min: 31, max: 31 });
          expect(walked, JSON.stringify({ filter, order, limit, offset })).toEqual(sorted);
          compared += sorted.length;
        }
      }
    }
  }
  expect(compared).toBeGreaterThan(1000);
}, 120_000);
