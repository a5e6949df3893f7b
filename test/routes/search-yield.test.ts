/**
 * A search of many statements lets other requests run between its statements. Local D1 answers
 * through the isolate's own event loop, so without a turn through the timer queue between
 * statements, a request arriving during a long search waited for all of it
 * (workers/db/user-search/spans.ts, yieldToOtherRequests).
 */
import { env } from "cloudflare:test";
import { beforeAll, expect, it } from "vitest";
import { call, createUser } from "../helpers";
import { seedUsers } from "../perf-helpers";

let userId = "";

beforeAll(async () => {
  // One-document spans: a search of only short terms takes many statements.
  await env.DB.prepare("update search_settings set span_docs = 1").run();
  await seedUsers(3000);
  userId = (await createUser({ first_name: "Probe" })).id;
}, 120_000);

it("serves a request that arrives during a long search before the search ends", async () => {
  for (let round = 0; round < 3; round++) {
    const order: string[] = [];
    const search = call("GET", "/v1/users/count?name_query=zq", undefined, { schema: "TotalCount" }).then((r) => {
      expect(r.status).toBe(200);
      order.push("search");
    });
    // Sent once the search has started (its first statement is in flight).
    await new Promise((resolve) => setTimeout(resolve, 0));
    const get = call("GET", `/v1/users/${userId}`, undefined, { schema: "User" }).then((r) => {
      expect(r.status).toBe(200);
      order.push("get");
    });
    await Promise.all([search, get]);
    expect(order, `round ${round}`).toEqual(["get", "search"]);
  }
}, 60_000);
