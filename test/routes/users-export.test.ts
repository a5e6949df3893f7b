/**
 * GET /v1/users/export: the NDJSON stream of user records (issue 15 §2). Order, keyset paging
 * across page boundaries, created_at_after and limit, every field of the record, credentials only
 * when the operator allows them, and a broken body (not a clean end) when it fails midway.
 *
 * The Worker is called through its fetch handler with the test's env (plus vars), so the test and
 * the Worker share EXPORT_PAGING, which tests lower to cross page boundaries with a few users.
 * Each test puts its users in its own years and exports from there (created_at_after, limit), as
 * storage is shared by the tests of a file.
 */
import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { findMatchingBackupCode, parseBackupCodeDigests } from "../../workers/crypto/backup-codes";
import { verifyDigest } from "../../workers/crypto/hashers";
import { createDb } from "../../workers/db/client";
import { backupCodesOfUsersQuery } from "../../workers/db/credentials";
import { usersByCreationQuery } from "../../workers/db/users";
import worker from "../../workers/index";
import { EXPORT_PAGING } from "../../workers/services/user-export";
import { BACKUP_CODE_VECTORS, DIGEST_VECTORS, RFC6238_SECRET } from "../crypto/vectors";
import { queryPlan } from "../db";
import { BASE, call, createUser, expectError, SECRET_KEY, unique } from "../helpers";
import { newPhone, newWallet } from "../identifiers";
import { assertMatchesSchema } from "../schema/validate";

const CREDENTIALS = { EXPORT_CREDENTIALS: "true" };
const CREDENTIAL_KEYS = ["password_digest", "password_hasher", "totp_secret", "backup_code_digests"];

/** The start of `year` (UTC) in epoch ms, and as create takes it. */
const yearMs = (year: number) => Date.UTC(year, 0, 1);
const at = (ms: number) => new Date(ms).toISOString();

/** GET /v1/users/export through the Worker's fetch handler, with `vars` added to the env. */
async function fetchExport(query: string, vars: Record<string, string> = {}): Promise<Response> {
  const request = new Request(`${BASE}/v1/users/export${query}`, {
    headers: { Authorization: `Bearer ${SECRET_KEY}`, "Clerk-API-Version": "2026-05-12" },
  });
  return worker.fetch(request, { ...env, ...vars });
}

/** Reads every line of `body`; each must be one JSON object and end with "\n". */
function parseLines(text: string): any[] {
  if (text === "") return [];
  expect(text.endsWith("\n"), "the body ends with a newline").toBe(true);
  return text
    .slice(0, -1)
    .split("\n")
    .map((line) => {
      const record = JSON.parse(line);
      expect(record !== null && typeof record === "object" && !Array.isArray(record), line).toBe(true);
      return record;
    });
}

/** A successful export: its exact headers, its text and its records. */
async function exportRecords(query = "", vars: Record<string, string> = {}) {
  const response = await fetchExport(query, vars);
  // Bytes decoded as UTF-8 (workerd warns when .text() reads a body that is not text/*).
  const text = new TextDecoder().decode(await response.arrayBuffer());
  expect(response.status, text).toBe(200);
  expect(response.headers.get("content-type")).toBe("application/x-ndjson");
  expect(response.headers.get("cache-control")).toBe("no-store");
  return { text, records: parseLines(text), headers: response.headers };
}

/** Runs `fn` with the export's page size set to `size`. */
async function withPageSize<T>(size: number, fn: () => Promise<T>): Promise<T> {
  const saved = EXPORT_PAGING.pageSize;
  EXPORT_PAGING.pageSize = size;
  try {
    return await fn();
  } finally {
    EXPORT_PAGING.pageSize = saved;
  }
}

/** (created_at, id) of a record, compared as the export orders them. */
function compareRecords(a: { created_at: string; id: string }, b: { created_at: string; id: string }): number {
  return Date.parse(a.created_at) - Date.parse(b.created_at) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

const getUser = async (id: string) => {
  const result = await call("GET", `/v1/users/${id}`, undefined, { schema: "User" });
  expect(result.status).toBe(200);
  return result.body;
};

afterEach(() => vi.restoreAllMocks());

describe("order and paging", () => {
  it("lists every user once, in created_at then id order, the same at every page size", async () => {
    const tie = yearMs(2101);
    const tied: string[] = [];
    for (let i = 0; i < 7; i++) tied.push((await createUser({ created_at: at(tie), first_name: `tie${i}` })).id);
    // Ids that are not KSUIDs (only an import makes them; written directly here), in the same
    // millisecond: upper case sorts before lower case and digits before both, byte by byte.
    for (const id of ["user_a", "user_B", "user_0", "user_zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"]) {
      await env.DB.prepare("insert into users (id, created_at, updated_at) values (?, ?, ?)").bind(id, tie, tie).run();
      tied.push(id);
    }
    const before = await createUser({ created_at: at(tie - 1) });
    const after = await createUser({ created_at: at(tie + 1) });

    const all = await exportRecords();
    const stored = (await env.DB.prepare("select id from users").all<{ id: string }>()).results.map((r) => r.id);
    const ids = all.records.map((r) => r.id);
    expect(ids.length).toBe(stored.length);
    expect(new Set(ids)).toEqual(new Set(stored));
    for (let i = 1; i < all.records.length; i++) expect(compareRecords(all.records[i - 1], all.records[i])).toBeLessThan(0);
    // The ties, by id, between the users just before and just after them.
    const start = ids.indexOf(before.id);
    expect(ids.slice(start, start + tied.length + 2)).toEqual([before.id, ...[...tied].sort(), after.id]);

    // Pages of 1, 2, 3 and 4 users (boundaries inside the ties) give the same bytes as one page.
    for (const size of [1, 2, 3, 4]) {
      const paged = await withPageSize(size, () => exportRecords());
      expect(paged.text).toBe(all.text);
    }
  });

  it("created_at_after keeps the users created strictly after it, at any page size", async () => {
    const base = yearMs(2110);
    for (const offset of [0, 5, 5, 5, 9]) await createUser({ created_at: at(base + offset) });
    const all = (await exportRecords()).records;
    for (const after of [base - 1, base, base + 4, base + 5, base + 9]) {
      const expected = all.filter((r) => Date.parse(r.created_at) > after);
      for (const size of [2, 500]) {
        const { records } = await withPageSize(size, () => exportRecords(`?created_at_after=${after}`));
        expect(records).toEqual(expected);
      }
    }
    // The first page starts at created_at_after in the index: it reads only the rows it returns.
    const tail = await exportRecords(`?created_at_after=${base + 4}`);
    const rowsRead = Number(/rows_read=(\d+)/.exec(tail.headers.get("server-timing") ?? "")?.[1]);
    expect(tail.records.length).toBeGreaterThan(0);
    expect(rowsRead).toBeLessThanOrEqual(tail.records.length + 1);
  });

  it("limit stops after that many users, also across pages and with created_at_after", async () => {
    const base = yearMs(2120);
    for (let i = 0; i < 6; i++) await createUser({ created_at: at(base + i) });
    const all = (await exportRecords()).records;
    const fromBase = all.filter((r) => Date.parse(r.created_at) > base - 1);
    for (const size of [1, 3, 500]) {
      await withPageSize(size, async () => {
        expect((await exportRecords("?limit=4")).records).toEqual(all.slice(0, 4));
        expect((await exportRecords("?limit=1")).records).toEqual(all.slice(0, 1));
        expect((await exportRecords(`?limit=5&created_at_after=${base - 1}`)).records).toEqual(fromBase.slice(0, 5));
        expect((await exportRecords(`?limit=${all.length + 1000}`)).records).toEqual(all);
      });
    }
  });

  it("reads a page only when the client asks for it, and skips a user deleted meanwhile without skipping another", async () => {
    const base = yearMs(2130);
    const users: { id: string }[] = [];
    for (let i = 0; i < 5; i++) users.push(await createUser({ created_at: at(base + i) }));
    await withPageSize(2, async () => {
      const response = await fetchExport(`?created_at_after=${base - 1}`);
      expect(response.status).toBe(200);
      const reader = response.body!.getReader();
      const decoder = new TextDecoder();
      const first = await reader.read();
      expect(parseLines(decoder.decode(first.value)).map((r) => r.id)).toEqual([users[0].id, users[1].id]);
      // An exported user and one of the next page go while the client holds the stream.
      for (const gone of [users[0], users[2]]) expect((await call("DELETE", `/v1/users/${gone.id}`)).status).toBe(200);
      let rest = "";
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rest += decoder.decode(chunk.value);
      // Keyset paging: the third user is gone and the fourth not skipped (an OFFSET would skip it).
      expect(parseLines(rest).map((r) => r.id)).toEqual([users[3].id, users[4].id]);
    });
  });

  it("answers an empty body when no user matches", async () => {
    const { text } = await exportRecords(`?created_at_after=${yearMs(2240)}`);
    expect(text).toBe("");
  });

  it("reads each page with one index range scan (EXPLAIN QUERY PLAN), never a sort", async () => {
    const db = createDb(env.DB);
    const plan = async (query: Parameters<typeof queryPlan>[0]) => (await queryPlan(query)).join("\n");
    const first = await plan(usersByCreationQuery(db, { limit: 500 }));
    expect(first).toMatch(/SCAN users USING INDEX users_created_at_idx/);
    const later = await plan(usersByCreationQuery(db, { after: { createdAt: 5, id: "user_x" }, createdAfter: 3, limit: 500 }));
    expect(later).toMatch(/SEARCH users USING INDEX users_created_at_idx \(\(created_at,id\)>\(\?,\?\)\)/);
    const filtered = await plan(usersByCreationQuery(db, { createdAfter: 3, limit: 500 }));
    expect(filtered).toMatch(/SEARCH users USING INDEX users_created_at_idx \(created_at>\?\)/);
    const codes = await plan(backupCodesOfUsersQuery(db, ["user_a", "user_b"]));
    expect(codes).toMatch(/SEARCH backup_codes USING INDEX backup_codes_user_id_idx \(user_id=\?\)/);
    for (const detail of [first, later, filtered, codes]) expect(detail).not.toMatch(/TEMP B-TREE|SCAN backup_codes\b/);
  });
});

describe("query parameters", () => {
  it.each([
    ["limit=0", "limit"],
    ["limit=-1", "limit"],
    ["limit=abc", "limit"],
    ["limit=1.5", "limit"],
    ["limit=99999999999999999999", "limit"],
    ["created_at_after=2024-01-01", "created_at_after"],
    ["created_at_after=-5", "created_at_after"],
    ["include_credentials=yes", "include_credentials"],
  ])("%s → 422 form_param_value_invalid naming the parameter, not cached", async (query, param) => {
    const result = await call("GET", `/v1/users/export?${query}`);
    expectError(result, 422, "form_param_value_invalid", param);
    expect(result.headers.get("cache-control")).toBe("no-store");
  });

  it("is not taken for a user id by GET /v1/users/{user_id}", async () => {
    const response = await fetchExport("?limit=1");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/x-ndjson");
    await response.arrayBuffer();
  });
});

describe("the user record", () => {
  it("carries every field that is set, the primary identification first", async () => {
    const created = yearMs(2140);
    const [e1, e2, e3, e4] = ["one", "two", "three", "four"].map((n) => `${unique(n)}@example.com`);
    const [p1, p2] = [newPhone(), newPhone()];
    const [w1, w2] = [newWallet(), newWallet()];
    const fields = {
      external_id: unique("ext"),
      first_name: "Ada",
      last_name: "Lovelace",
      locale: "en-GB",
      username: unique("ada"),
      public_metadata: { plan: "pro", nested: { a: [1, 2] } },
      private_metadata: { internal: true },
      unsafe_metadata: { theme: "dark" },
      create_organizations_limit: 3,
      legal_accepted_at: "2140-01-02T03:04:05.678Z",
    };
    const user = await createUser({
      ...fields,
      created_at: at(created),
      email_address: [e1, e2, e3, e4],
      email_address_identification_status: ["verified", "reserved", "verified", "verified"],
      phone_number: [p1, p2],
      phone_number_identification_status: ["verified", "reserved"],
      web3_wallet: [w1, w2],
      password: "export-me-Q7v!pass",
      totp_secret: RFC6238_SECRET,
      backup_codes: ["alpha-123", "bravo-456"],
      delete_self_enabled: false,
      create_organization_enabled: false,
      bypass_client_trust: true,
      banned: true,
    });
    // MFA off and on again, so both of its timestamps are set.
    expect((await call("DELETE", `/v1/users/${user.id}/mfa`)).status).toBe(200);
    expect((await call("PATCH", `/v1/users/${user.id}`, { totp_secret: RFC6238_SECRET })).status).toBe(200);
    const id = (list: any[], key: string, value: string) => list.find((item) => item[key] === value).id;
    expect((await call("PATCH", `/v1/users/${user.id}`, { primary_email_address_id: id(user.email_addresses, "email_address", e4) })).status).toBe(
      200,
    );
    expect((await call("POST", `/v1/users/${user.id}/lock`)).status).toBe(200);
    // State no route sets here (an import or another system's history does), written directly:
    // an email neither verified nor reserved, an email added after the user, a phone that is a
    // second factor, sign-in and activity times.
    const e3Id = id(user.email_addresses, "email_address", e3);
    const e2Id = id(user.email_addresses, "email_address", e2);
    const p1Id = id(user.phone_numbers, "phone_number", p1);
    await env.DB.batch([
      env.DB.prepare("update email_addresses set verification_status = null, verification_strategy = null where id = ?").bind(e3Id),
      env.DB.prepare("update email_addresses set created_at = ? where id = ?").bind(created + 1000, e2Id),
      env.DB.prepare("update phone_numbers set reserved_for_second_factor = 1, default_second_factor = 1 where id = ?").bind(p1Id),
      env.DB.prepare("update users set last_sign_in_at = ?, last_active_at = ? where id = ?").bind(created + 5000, created + 6000, user.id),
    ]);

    const stored = await getUser(user.id);
    // Every optional part of the User is set, so the record below covers every field.
    expect(stored).toMatchObject({ banned: true, locked: true, bypass_client_trust: true, delete_self_enabled: false });
    for (const key of ["password_last_updated_at", "mfa_enabled_at", "mfa_disabled_at", "last_sign_in_at", "last_active_at", "legal_accepted_at"]) {
      expect(stored[key], key).toEqual(expect.any(Number));
    }
    // The primary first, then by creation: e2 was added after the others.
    const emails = [e4, e1, e3, e2];
    const { records } = await exportRecords(`?created_at_after=${created - 1}&limit=1`);
    expect(records).toEqual([
      {
        id: user.id,
        created_at: at(created),
        ...fields,
        email_address: emails,
        email_address_ids: emails.map((e) => id(stored.email_addresses, "email_address", e)),
        email_address_identification_status: ["verified", "verified", "unverified", "reserved"],
        email_address_created_at: [created, created, created, created + 1000],
        phone_number: [p1, p2],
        phone_number_ids: [p1, p2].map((p) => id(stored.phone_numbers, "phone_number", p)),
        phone_number_identification_status: ["verified", "reserved"],
        phone_number_reserved_for_second_factor: [true, false],
        phone_number_default_second_factor: [true, false],
        web3_wallet: [w1, w2],
        web3_wallet_ids: [w1, w2].map((w) => id(stored.web3_wallets, "web3_wallet", w)),
        delete_self_enabled: false,
        create_organization_enabled: false,
        bypass_client_trust: true,
        banned: true,
        locked: true,
        password_last_updated_at: stored.password_last_updated_at,
        mfa_enabled_at: stored.mfa_enabled_at,
        mfa_disabled_at: stored.mfa_disabled_at,
        last_sign_in_at: created + 5000,
        last_active_at: created + 6000,
      },
    ]);
    expect(stored.primary_email_address_id).toBe(records[0].email_address_ids[0]);
    expect(stored.primary_phone_number_id).toBe(records[0].phone_number_ids[0]);
    expect(stored.primary_web3_wallet_id).toBe(records[0].web3_wallet_ids[0]);
  });

  it("leaves out what is null, empty or create's default", async () => {
    const created = yearMs(2150);
    const email = `${unique("min")}@example.com`;
    const bare = await createUser({ created_at: at(created) });
    const minimal = await createUser({ created_at: at(created + 1), email_address: [email], public_metadata: {} });
    // An empty string is a value (GET shows "" and null apart), so it is kept.
    const blank = await createUser({ created_at: at(created + 2), first_name: "" });
    const { records } = await exportRecords(`?created_at_after=${created - 1}&limit=3`);
    expect(records).toEqual([
      { id: bare.id, created_at: at(created) },
      { id: minimal.id, created_at: at(created + 1), email_address: [email], email_address_ids: [minimal.email_addresses[0].id] },
      { id: blank.id, created_at: at(created + 2), first_name: "" },
    ]);
  });
});

describe("credentials", () => {
  const password = "export-me-Q7v!pass";
  const imported = DIGEST_VECTORS.find((v) => v.password_hasher === "pbkdf2_sha256_django")!;
  const bcryptCode = BACKUP_CODE_VECTORS[0];
  const plainCodes = ["alpha-123", "bravo-456"];

  /** Two users with every credential, in `year`; their stored secrets, read from the database. */
  async function usersWithCredentials(year: number) {
    const created = yearMs(year);
    const a = await createUser({
      created_at: at(created),
      password,
      totp_secret: RFC6238_SECRET,
      backup_codes: [...plainCodes, bcryptCode.bcrypt_digest],
    });
    const b = await createUser({
      created_at: at(created + 1),
      password_digest: imported.password_digest,
      password_hasher: imported.password_hasher,
    });
    const row = await env.DB.prepare("select password_digest, totp_secret_encrypted, backup_code_salt from users where id = ?")
      .bind(a.id)
      .first<{ password_digest: string; totp_secret_encrypted: string; backup_code_salt: string }>();
    const codes = await env.DB.prepare("select digest from backup_codes where user_id = ?").bind(a.id).all<{ digest: string }>();
    const secrets = [
      row!.password_digest,
      row!.totp_secret_encrypted,
      row!.backup_code_salt,
      RFC6238_SECRET,
      imported.password_digest,
      ...codes.results.map((c) => c.digest),
    ];
    expect(codes.results.length).toBe(3);
    return { a, b, query: `created_at_after=${created - 1}&limit=2`, secrets };
  }

  it("are never in an export that did not ask for them, nor when the operator did not allow them", async () => {
    const { a, b, query, secrets } = await usersWithCredentials(2160);
    for (const [params, vars] of [
      [query, {}],
      [query, CREDENTIALS],
      [`${query}&include_credentials=false`, CREDENTIALS],
      [`${query}&include_credentials=0`, {}],
    ] as const) {
      const { text, records } = await exportRecords(`?${params}`, vars);
      expect(records.map((r) => r.id)).toEqual([a.id, b.id]);
      for (const record of records) for (const key of CREDENTIAL_KEYS) expect(record).not.toHaveProperty(key);
      for (const secret of secrets) expect(text).not.toContain(secret);
    }
  });

  it.each([
    ["unset", {}],
    ["yes", { EXPORT_CREDENTIALS: "yes" }],
    ["1", { EXPORT_CREDENTIALS: "1" }],
    ["false", { EXPORT_CREDENTIALS: "false" }],
  ])("include_credentials with EXPORT_CREDENTIALS %s → 403 feature_not_enabled, not cached", async (_, vars) => {
    for (const value of ["true", "1"]) {
      const result = await call("GET", `/v1/users/export?include_credentials=${value}`, undefined, { vars });
      const error = expectError(result, 403, "feature_not_enabled", "include_credentials");
      expect(error.long_message).toContain("EXPORT_CREDENTIALS");
      expect(result.headers.get("cache-control")).toBe("no-store");
    }
  });

  it("come out usable with include_credentials=true when EXPORT_CREDENTIALS=true", async () => {
    const { a, b, query } = await usersWithCredentials(2170);
    const { records } = await exportRecords(`?${query}&include_credentials=true`, CREDENTIALS);
    const [ra, rb] = records;
    expect([ra.id, rb.id]).toEqual([a.id, b.id]);
    // The stored bcrypt digest, under a hasher name create accepts, verifies the password.
    expect(ra.password_hasher).toBe("bcrypt");
    expect(await verifyDigest(ra.password_hasher, ra.password_digest, password)).toEqual({ verified: true, rehash: false });
    expect(await verifyDigest(ra.password_hasher, ra.password_digest, `${password}x`)).toEqual({ verified: false, rehash: false });
    // An imported digest comes back as it was imported, never re-hashed.
    expect([rb.password_hasher, rb.password_digest]).toEqual([imported.password_hasher, imported.password_digest]);
    expect(await verifyDigest(rb.password_hasher, rb.password_digest, imported.password)).toMatchObject({ verified: true });
    // The TOTP secret decrypted; b has none.
    expect(ra.totp_secret).toBe(RFC6238_SECRET);
    expect(rb).not.toHaveProperty("totp_secret");
    expect(rb).not.toHaveProperty("backup_code_digests");
    // Backup codes as stored: each code the user holds matches exactly one of them.
    expect(ra.backup_code_digests).toHaveLength(3);
    expect(ra.backup_code_digests).toContain(bcryptCode.bcrypt_digest);
    const parsed = parseBackupCodeDigests(ra.backup_code_digests);
    if ("problem" in parsed) throw new Error(parsed.problem);
    const rows = parsed.codes.map((code, i) => ({ id: String(i), ...code }));
    const salt = parsed.salt!;
    const matched = new Set<string>();
    for (const code of [...plainCodes, bcryptCode.code]) {
      const match = await findMatchingBackupCode(code, salt, rows);
      expect(match, code).toBeDefined();
      matched.add(match!.id);
    }
    expect(matched.size).toBe(3);
    expect(await findMatchingBackupCode("charlie-789", salt, rows)).toBeUndefined();
  });

  it("end with an error line and a failed stream when a later page cannot be decrypted, and fail before the first byte when the first can't", async () => {
    const created = yearMs(2180);
    const plain = [await createUser({ created_at: at(created) }), await createUser({ created_at: at(created + 1) })];
    const withTotp = await createUser({ created_at: at(created + 2), totp_secret: RFC6238_SECRET });
    await createUser({ created_at: at(created + 3) });
    // The operator replaced CREDENTIALS_ENCRYPTION_KEY: the sealed TOTP secret no longer opens.
    const vars = { ...CREDENTIALS, CREDENTIALS_ENCRYPTION_KEY: btoa(String.fromCharCode(...new Uint8Array(32).fill(7))) };
    const logged: string[] = [];
    vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(" ")));
    await withPageSize(1, async () => {
      const response = await fetchExport(`?created_at_after=${created - 1}&limit=4&include_credentials=true`, vars);
      expect(response.status).toBe(200);
      const reader = response.body!.getReader();
      const decoder = new TextDecoder();
      let received = "";
      let failure: unknown;
      try {
        for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) received += decoder.decode(chunk.value);
      } catch (error) {
        failure = error;
      }
      // The two users before it, then Clerk's error envelope as the last line (what an HTTP
      // client sees, since workerd ends the body cleanly), then the stream failed instead of ending.
      const lines = parseLines(received);
      expect(lines.slice(0, -1).map((r) => r.id)).toEqual(plain.map((u) => u.id));
      const errorLine = lines.at(-1);
      assertMatchesSchema("ClerkErrors", errorLine);
      expect(errorLine.errors[0].code).toBe("internal_clerk_error");
      expect(errorLine).not.toHaveProperty("id");
      expect(String(failure)).toMatch(/incomplete/);
      expect(String(failure)).toContain(errorLine.clerk_trace_id);
      expect(logged.join("\n")).toContain(`internal error trace=${errorLine.clerk_trace_id}`);
    });
    for (const line of logged) expect(line).not.toContain(RFC6238_SECRET);

    // The same user first: nothing was sent yet, so the answer is an ordinary Clerk error.
    const first = await call("GET", `/v1/users/export?created_at_after=${created + 1}&include_credentials=true`, undefined, { vars });
    expectError(first, 500, "internal_clerk_error");
    expect(first.headers.get("cache-control")).toBe("no-store");
    expect(JSON.stringify(first.body)).not.toContain(withTotp.id);
  });
});
