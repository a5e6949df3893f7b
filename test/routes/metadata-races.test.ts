/**
 * Concurrent metadata writes lose nothing (users, organizations, memberships): each merge is one
 * statement (workers/db/metadata.ts), so N concurrent merges of distinct keys keep all N, a
 * `null` removal racing an unrelated merge always removes, and the 8 KB limit holds: writes
 * that would together exceed it are refused (422) and the rest are all kept.
 */
import { describe, expect, it } from "vitest";
import { call as callThroughSelf, createUser, expectError, unique, type ApiResult, type CallOptions } from "../helpers";

type JsonObject = Record<string, unknown>;

/**
 * `call`, with the Worker's fetch handler invoked directly (call's `vars` path, with no extra
 * vars) rather than through SELF: each SELF.fetch in a file makes the later ones slower (50 GETs
 * took 0.4 s fresh and 2.6 s after 300 more; direct calls stay flat), and these tests send about
 * a thousand requests. Concurrent requests interleave at their D1 calls either way.
 */
const call = (method: string, path: string, body?: unknown, options: CallOptions = {}) =>
  callThroughSelf(method, path, body, { ...options, vars: {} });

interface Metadata {
  public_metadata: JsonObject;
  private_metadata: JsonObject;
}

/** One row with metadata, written and read through the API. */
interface Row {
  merge(body: JsonObject): Promise<ApiResult>;
  read(): Promise<Metadata>;
}

interface Target {
  name: string;
  /** The objects the 8 KB limit counts together for this kind of row. */
  counted: (keyof Metadata | "unsafe_metadata")[];
  create(metadata?: JsonObject): Promise<Row>;
}

async function ok(method: string, path: string, body: unknown, schema: CallOptions["schema"]) {
  const result = await call(method, path, body, { schema });
  expect(result.status, JSON.stringify(result.body)).toBe(200);
  return result.body;
}

const users: Target = {
  name: "users",
  counted: ["public_metadata", "private_metadata", "unsafe_metadata"],
  async create(metadata = {}) {
    const user = await createUser(metadata);
    return {
      merge: (body) => call("PATCH", `/v1/users/${user.id}/metadata`, body, { schema: "User" }),
      read: () => ok("GET", `/v1/users/${user.id}`, undefined, "User"),
    };
  },
};

const organizations: Target = {
  name: "organizations",
  counted: ["public_metadata", "private_metadata"],
  async create(metadata = {}) {
    const org = await ok("POST", "/v1/organizations", { name: `Org ${unique()}`, ...metadata }, "Organization");
    return {
      merge: (body) => call("PATCH", `/v1/organizations/${org.id}/metadata`, body, { schema: "Organization" }),
      read: () => ok("GET", `/v1/organizations/${org.id}`, undefined, "Organization"),
    };
  },
};

const memberships: Target = {
  name: "memberships",
  counted: ["public_metadata", "private_metadata"],
  async create(metadata = {}) {
    const [org, user] = await Promise.all([ok("POST", "/v1/organizations", { name: `Org ${unique()}` }, "Organization"), createUser()]);
    await ok("POST", `/v1/organizations/${org.id}/memberships`, { user_id: user.id, role: "org:member", ...metadata }, "OrganizationMembership");
    const path = `/v1/organizations/${org.id}/memberships/${user.id}`;
    return {
      merge: (body) => call("PATCH", `${path}/metadata`, body, { schema: "OrganizationMembership" }),
      read: async () => (await ok("GET", `/v1/organizations/${org.id}/memberships?user_id=${user.id}`, undefined, "OrganizationMemberships")).data[0],
    };
  },
};

const CONCURRENT = 20;
const ROUNDS = 5;
// Independent races, run at once: ROWS rows with TRIALS / ROWS races each, each race on keys
// of its own, so one lost write shows as a key left behind or missing.
const TRIALS = 60;
const ROWS = 10;
const trialKeys = (prefix: string) => Array.from({ length: TRIALS / ROWS }, (_, t) => `${prefix}${t}`);
const objectOf = (keys: string[], value: (key: string) => unknown) => Object.fromEntries(keys.map((key) => [key, value(key)]));
// Hundreds of requests per test on a shared 2-core machine.
const SLOW = 60_000;

/** UTF-8 bytes of the counted objects together, as the limit counts them. */
function storedBytes(target: Target, metadata: JsonObject): number {
  return target.counted.reduce((sum, param) => sum + new TextEncoder().encode(JSON.stringify(metadata[param])).length, 0);
}

describe.each([users, organizations, memberships])("concurrent metadata merges: $name", (target) => {
  it(
    `keeps all ${CONCURRENT} keys of ${CONCURRENT} concurrent merges, round after round`,
    async () => {
      const row = await target.create({ public_metadata: { base: true } });
      const expected: JsonObject = { base: true };
      for (let round = 0; round < ROUNDS; round++) {
        const keys = Array.from({ length: CONCURRENT }, (_, i) => `r${round}k${i}`);
        const results = await Promise.all(keys.map((key, i) => row.merge({ public_metadata: { [key]: i } })));
        expect(results.map((r) => r.status)).toEqual(keys.map(() => 200));
        for (const [i, key] of keys.entries()) expected[key] = i;
        expect((await row.read()).public_metadata).toEqual(expected);
      }
    },
    SLOW,
  );

  it(
    `never loses a null removal racing an unrelated merge (${TRIALS} trials)`,
    async () => {
      const roles = trialKeys("role");
      const rows = await Promise.all(
        Array.from({ length: ROWS }, () => target.create({ public_metadata: { plan: "pro", ...objectOf(roles, () => "admin") } })),
      );
      // Race t on a row: {role<t>: null} against an unrelated merge {seen<t>} (+ a private key).
      const results = await Promise.all(
        rows.flatMap((row) =>
          roles.flatMap((role, t) => [
            row.merge({ public_metadata: { [role]: null } }),
            row.merge({ public_metadata: { [`seen${t}`]: t }, private_metadata: { [`n${t}`]: t } }),
          ]),
        ),
      );
      expect(results.map((r) => r.status)).toEqual(results.map(() => 200));
      const stored = await Promise.all(rows.map((row) => row.read()));
      const seen = objectOf(trialKeys("seen"), (key) => Number(key.slice(4)));
      const n = objectOf(trialKeys("n"), (key) => Number(key.slice(1)));
      expect(stored.map((m) => [m.public_metadata, m.private_metadata])).toEqual(rows.map(() => [{ plan: "pro", ...seen }, n]));
    },
    SLOW,
  );

  it(
    "keeps the 8 KB limit when merges that together exceed it race: each is kept or refused with 422",
    async () => {
      const row = await target.create();
      // Each merge adds 1,008 or 1,009 bytes to the stored text, so exactly 8 of 20 fit.
      const keys = Array.from({ length: CONCURRENT }, (_, i) => `k${String(i).padStart(2, "0")}`);
      const results = await Promise.all(keys.map((key) => row.merge({ public_metadata: { [key]: "x".repeat(1000) } })));
      const accepted = keys.filter((_, i) => results[i].status === 200);
      for (const [i, result] of results.entries()) {
        if (result.status !== 200) expectError(result, 422, "form_param_exceeds_allowed_size", "public_metadata");
        else expect(result.body.public_metadata[keys[i]]).toHaveLength(1000);
      }
      expect(accepted).toHaveLength(8);
      const stored = await row.read();
      expect(Object.keys(stored.public_metadata).sort()).toEqual(accepted);
      expect(storedBytes(target, stored as unknown as JsonObject)).toBeLessThanOrEqual(8192);
    },
    SLOW,
  );
});

describe("PATCH /v1/users/{id} with metadata, racing metadata merges", () => {
  it(
    `writes only the objects it was sent, so a concurrent merge of another object is kept (${TRIALS} trials)`,
    async () => {
      const created = await Promise.all(Array.from({ length: ROWS }, () => createUser({ private_metadata: { a: 1 }, unsafe_metadata: { u: 1 } })));
      // Race t on a user: PATCH /users replacing public_metadata against a merge into the other two.
      const results = await Promise.all(
        created.flatMap((user) =>
          trialKeys("").flatMap((_, t) => [
            call("PATCH", `/v1/users/${user.id}`, { first_name: `F${t}`, public_metadata: { replaced: t } }, { schema: "User" }),
            call(
              "PATCH",
              `/v1/users/${user.id}/metadata`,
              { private_metadata: { [`b${t}`]: t }, unsafe_metadata: { [`v${t}`]: t } },
              { schema: "User" },
            ),
          ]),
        ),
      );
      expect(results.map((r) => r.status)).toEqual(results.map(() => 200));
      const b = objectOf(trialKeys("b"), (key) => Number(key.slice(1)));
      const v = objectOf(trialKeys("v"), (key) => Number(key.slice(1)));
      for (const user of created) {
        const stored = await ok("GET", `/v1/users/${user.id}`, undefined, "User");
        expect([stored.private_metadata, stored.unsafe_metadata]).toEqual([
          { a: 1, ...b },
          { u: 1, ...v },
        ]);
        // The last PATCH /users wins both of its fields together.
        expect(stored.public_metadata).toEqual({ replaced: Number(stored.first_name.slice(1)) });
      }
    },
    SLOW,
  );
});
