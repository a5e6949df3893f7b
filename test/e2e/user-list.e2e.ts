import { isClerkAPIResponseError } from "@clerk/backend/errors";
import { beforeAll, describe, expect, it } from "vitest";
import { clerk, seen } from "./client";

// The e2e database is shared by every e2e file: scope everything to a marker unique to this run.
const marker = `Srch${Date.now().toString(36)}`;
const names = ["Charlie", "Alice", "Bob", "Élodie"];
const created: { id: string; firstName: string }[] = [];

beforeAll(async () => {
  const client = clerk();
  for (const [i, firstName] of names.entries()) {
    const user = await client.users.createUser({
      firstName,
      lastName: marker,
      emailAddress: [`${firstName.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase()}.${marker.toLowerCase()}@example.com`],
      createdAt: new Date(Date.UTC(2023, 0, 1 + i)),
    } as Parameters<typeof client.users.createUser>[0]);
    created.push({ id: user.id, firstName });
  }
});

describe("getUserList and getCount with the official client", () => {
  it("searches, orders and pages with getUserList({ query, orderBy, limit, offset })", async () => {
    const client = clerk();
    const first = await client.users.getUserList({ query: marker, orderBy: "+first_name", limit: 2, offset: 0 });
    expect(first.totalCount).toBe(4);
    expect(first.data.map((u) => u.firstName)).toEqual(["Alice", "Bob"]);
    const second = await client.users.getUserList({ query: marker, orderBy: "+first_name", limit: 2, offset: 2 });
    expect(second.data.map((u) => u.firstName)).toEqual(["Charlie", "Élodie"]);
    expect(second.totalCount).toBe(4);
    const newest = await client.users.getUserList({ query: marker, orderBy: "-created_at", limit: 10 });
    expect(newest.data.map((u) => u.firstName)).toEqual(["Élodie", "Bob", "Alice", "Charlie"]);
    // The SDK sent a URL-encoded "+" and a separate count request without limit/offset/order_by.
    expect(seen.some((r) => r.url.includes("/v1/users?") && r.url.includes("order_by=%2Bfirst_name"))).toBe(true);
    expect(seen.some((r) => r.url.includes("/v1/users/count?") && !r.url.includes("limit="))).toBe(true);
  });

  it("folds case and accents in query terms and matches every term", async () => {
    const client = clerk();
    const hit = await client.users.getUserList({ query: `ÉLODIE ${marker.toUpperCase()}` });
    expect(hit.data.map((u) => u.id)).toEqual([created[3].id]);
    expect(hit.totalCount).toBe(1);
    expect((await client.users.getUserList({ query: `Alice Élodie ${marker}` })).data).toEqual([]);
  });

  it("counts with filters via getCount", async () => {
    const client = clerk();
    expect(await client.users.getCount({ query: marker })).toBe(4);
    expect(await client.users.getCount({ query: marker, userId: [created[0].id, created[1].id] })).toBe(2);
    expect(await client.users.getCount({ emailAddress: [`ALICE.${marker}@EXAMPLE.COM`] })).toBe(1);
    expect(await client.users.getCount({ query: `nobody-${marker}` })).toBe(0);
  });

  it("passes +/- prefixed ids, time filters and the deprecated last_active_at_since through the client", async () => {
    const client = clerk();
    const others = await client.users.getUserList({ query: marker, userId: [`-${created[0].id}`], orderBy: "+created_at" });
    expect(others.data.map((u) => u.id)).toEqual(created.slice(1).map((u) => u.id));
    expect(others.totalCount).toBe(3);
    const included = await client.users.getUserList({ query: marker, userId: [`+${created[2].id}`] });
    expect(included.data.map((u) => u.id)).toEqual([created[2].id]);
    // Created 2023-01-01 … 04: strictly after Jan 2, strictly before Jan 4.
    const window = await client.users.getUserList({
      query: marker,
      createdAtAfter: Date.UTC(2023, 0, 2),
      createdAtBefore: Date.UTC(2023, 0, 4),
    });
    expect(window.data.map((u) => u.id)).toEqual([created[2].id]);
    expect(window.totalCount).toBe(1);
    // No sessions here, so last_active_at is null and never matches a time filter.
    const active = await client.users.getUserList({ query: marker, last_active_at_since: 1, lastActiveAtBefore: Date.UTC(2030, 0, 1) });
    expect(active.data).toEqual([]);
    expect(active.totalCount).toBe(0);
    expect(seen.some((r) => r.url.includes("user_id=%2B") && r.url.includes("/v1/users?"))).toBe(true);
  });

  it("surfaces an invalid order_by and limit as ClerkAPIResponseError 422", async () => {
    const client = clerk();
    for (const params of [{ orderBy: "-nonsense" }, { limit: 501 }]) {
      const error = await client.users.getUserList(params as Parameters<typeof client.users.getUserList>[0]).catch((e: unknown) => e);
      expect(isClerkAPIResponseError(error)).toBe(true);
      if (isClerkAPIResponseError(error)) {
        expect(error.status).toBe(422);
        expect(error.errors[0].code).toBe("form_param_value_invalid");
      }
    }
  });
});
