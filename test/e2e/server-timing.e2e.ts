import { describe, expect, inject, it } from "vitest";
import { parseServerTiming } from "../../bench/server-timing.mjs";
import { clerk } from "./client";

// Over real HTTP through `wrangler dev`: the header the bench reads reaches the client intact.
describe("Server-Timing over HTTP", () => {
  it("carries the D1 totals of a get and of an error", async () => {
    const user = await clerk().users.createUser({ emailAddress: [`timing-${Date.now()}@example.com`] });
    const headers = { authorization: `Bearer ${inject("secretKey")}` };
    const got = await fetch(`${inject("apiUrl")}/v1/users/${user.id}`, { headers });
    await got.arrayBuffer();
    expect(parseServerTiming(got.headers.get("server-timing"))?.rowsRead).toBeGreaterThan(0);

    const unauthorized = await fetch(`${inject("apiUrl")}/v1/users/${user.id}`);
    await unauthorized.arrayBuffer();
    expect(unauthorized.status).toBe(401);
    expect(parseServerTiming(unauthorized.headers.get("server-timing"))).toEqual({
      durationMs: 0,
      rowsRead: 0,
      rowsWritten: 0,
      queries: 0,
      maxQueryMs: 0,
      unmetered: 0,
    });
  });
});
