/**
 * The ranked plan (workers/db/user-search/plan-ranked.ts) answers a damaged search index by
 * sorting in SQL only when the damage is the one that sort gets around: the index lists a match
 * whose document is gone. Local D1 reports that failure as an opaque "internal error; reference
 * = …", the same text as any other failure inside workerd, so the plan checks the index before
 * falling back; any other error must reach the caller as a 500, not be hidden by a slower page.
 * (test/routes/denormalized.test.ts drives the real damage, and the rebuild that repairs it.)
 */
import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { call, createUser, expectError, unique } from "../helpers";

afterEach(() => vi.restoreAllMocks());

/** The opaque text local D1 gives a failure inside workerd (SQLITE_CORRUPT_VTAB among others). */
const OPAQUE_INTERNAL_ERROR = "internal error; reference = 0a1b2c3d4e5f6g7h8i9j0k1l";

/**
 * env.DB, except that every statement whose SQL contains `marker` fails with the opaque internal
 * error (an outage of D1 itself, not anything our data can cause); `failures` counts them.
 */
function d1FailingStatements(marker: string, failures: { count: number }): D1Database {
  const failing = (statement: D1PreparedStatement): D1PreparedStatement =>
    new Proxy(statement, {
      get(target, property) {
        if (property === "bind") return (...values: unknown[]) => failing(target.bind(...values));
        if (property === "all" || property === "raw" || property === "first" || property === "run") {
          return async () => {
            failures.count += 1;
            throw new Error(OPAQUE_INTERNAL_ERROR);
          };
        }
        const value = Reflect.get(target, property, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  return new Proxy(env.DB, {
    get(target, property) {
      if (property === "prepare") return (query: string) => (query.includes(marker) ? failing(target.prepare(query)) : target.prepare(query));
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

describe("a failure of FTS5's ranking statement", () => {
  it("over an intact index answers 500 instead of a page sorted in SQL", async () => {
    const name = `Ømega${unique("x")}`;
    const users = [await createUser({ last_name: `${name}b` }), await createUser({ last_name: `${name}a` })];
    // A long non-ASCII term and a page deeper than the walk is tried for: the ranked plan at once.
    const path = `/v1/users?name_query=${encodeURIComponent(name)}&order_by=last_name&limit=300`;
    const intact = await call("GET", path, undefined, { schema: ["User"] });
    expect(intact.status).toBe(200);
    expect(intact.body.map((u: any) => u.id)).toEqual([users[1].id, users[0].id]);

    const warnings = vi.spyOn(console, "warn").mockImplementation(() => {});
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const failures = { count: 0 };
    const failed = await call("GET", path, undefined, { bindings: { DB: d1FailingStatements("user_search.rank match", failures) } });
    expectError(failed, 500, "internal_clerk_error");
    expect(failures.count).toBe(1);
    expect(warnings).not.toHaveBeenCalled();
    expect(logged.mock.calls.flat().join(" ")).toContain(OPAQUE_INTERNAL_ERROR);
  });
});
