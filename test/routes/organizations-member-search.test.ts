/**
 * A membership list searched by its members (GET /v1/organizations/{id}/memberships?query=…):
 * the search tests each membership's user, so a search of only 1–2-character terms (too short
 * for the trigram index) finds every matching member however old, and the statement's work is
 * bounded by the organization's memberships, not by the number of users (issue 13 §3).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { call, createUser } from "../helpers";
import { measured, seedUsers } from "../perf-helpers";

/** Users created after the members below; their names match the short terms too. */
const SEEDED = 2000;
const OLD = Date.UTC(2015, 0, 1);

let orgId = "";
const ids: Record<string, string> = {};

beforeAll(async () => {
  // The oldest users of the instance: created long before every seeded user.
  const old = [
    ["anna", { first_name: "Anna", last_name: "Øst", email_address: ["old-anna@example.com"] }],
    ["dan", { first_name: "Dan", last_name: "Berg", email_address: ["old-dan@example.com"] }],
    ["bob", { first_name: "Bob", last_name: "Ross", email_address: ["old-bob@example.com"] }],
  ] as const;
  for (const [i, [key, body]] of old.entries()) {
    ids[key] = (await createUser({ ...body, created_at: new Date(OLD + i * 1000).toISOString() })).id;
  }
  await seedUsers(SEEDED, { organizations: 0 });
  ids.nancy = (await createUser({ first_name: "Nancy", last_name: "Vo", email_address: ["nancy@example.com"] })).id;
  const org = await call("POST", "/v1/organizations", { name: "Old Members", created_by: ids.bob });
  expect(org.status, JSON.stringify(org.body)).toBe(200);
  orgId = org.body.id;
  for (const key of ["anna", "dan", "nancy"]) {
    const added = await call("POST", `/v1/organizations/${orgId}/memberships`, { user_id: ids[key], role: "org:member" });
    expect(added.status, JSON.stringify(added.body)).toBe(200);
  }
}, 120_000);

/** The members matching `filter` (first-name order) and the request's rows read. */
async function search(filter: string): Promise<{ members: string[]; rowsRead: number }> {
  const result = await measured("GET", `/v1/organizations/${orgId}/memberships?order_by=first_name&${filter}`, undefined, {
    schema: "OrganizationMemberships",
  });
  expect(result.status, JSON.stringify(result.body)).toBe(200);
  expect(result.body.total_count).toBe(result.body.data.length);
  const keyOf = new Map(Object.entries(ids).map(([key, id]) => [id, key]));
  return { members: result.body.data.map((m: any) => keyOf.get(m.public_user_data.user_id)), rowsRead: result.timing.rowsRead };
}

describe("GET /v1/organizations/{id}/memberships searched with only short terms", () => {
  it("finds every matching member, the oldest users of the instance included", async () => {
    // The seeded users match "an" too: they are not members, so they are not listed.
    expect((await search("name_query=an")).members).toEqual(["anna", "dan", "nancy"]);
    expect((await search("query=%C3%B8")).members).toEqual(["anna"]); // ø, a non-ASCII short term
    expect((await search("query=%C3%98")).members).toEqual(["anna"]); // Ø
    expect((await search("name_query=an&email_address_query=n@")).members).toEqual(["dan"]);
    expect((await search(`name_query=a&created_at_before=${OLD + 10_000}`)).members).toEqual(["anna", "dan"]);
    expect((await search("name_query=o")).members).toEqual(["bob", "nancy"]); // not Øst: accents are not ignored
    expect((await search("name_query=o&role=org:admin")).members).toEqual(["bob"]);
  });

  it("reads a number of rows bounded by the organization's memberships, not by the users", async () => {
    for (const filter of ["name_query=an", "query=a", "query=%C3%B8&name_query=n", "email_address_query=n@"]) {
      const { rowsRead } = await search(filter);
      // The organization lookup, then for each of the 4 memberships its row, its user's row and
      // search document (10–13 rows here). Searching every user's document read over SEEDED.
      expect(rowsRead, filter).toBeLessThan(40);
    }
  });
});
