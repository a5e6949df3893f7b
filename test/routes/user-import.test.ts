/**
 * POST /v1/users/import (extension, issue 15): the request's limits, per-user validation and
 * failure isolation, ids and timestamps kept, idempotent re-runs, the record's extensions, and
 * that imported credentials verify through the normal routes.
 */
import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { exportedBackupCodeDigest } from "../../workers/crypto/backup-codes";
import { ksuidTimestamp } from "../../workers/crypto/ids";
import { hotp, totpStep, decodeBase32Secret } from "../../workers/crypto/totp";
import { BACKUP_CODE_VECTORS, DIGEST_VECTORS, RFC6238_SECRET } from "../crypto/vectors";
import { call, createUser, expectError, unique } from "../helpers";
import { digestAtCost, newPhone, newWallet } from "../identifiers";
import { dbTiming } from "../perf-helpers";
import { failure, importUsers, ksuidUserId, shortUserId } from "../import-helpers";

const getUser = (id: string) => call("GET", `/v1/users/${id}`, undefined, { schema: "User" });
const email = (prefix = "imp") => `${unique(prefix)}@example.com`;

afterEach(() => {
  vi.useRealTimers();
});

describe("the request", () => {
  it("refuses 0 users and more than 500 with Clerk's codes, writing nothing", async () => {
    expectError(await call("POST", "/v1/users/import", { users: [] }), 422, "form_param_missing", "users");
    const over = await call("POST", "/v1/users/import", { users: Array.from({ length: 501 }, () => ({ email_address: [email()] })) });
    const error = expectError(over, 422, "form_param_array_size_exceeded", "users");
    expect(error.long_message).toBe("users should not exceed 500 items.");
    expect(dbTiming(over).queries).toBe(0);
    expect(dbTiming(over).rowsWritten).toBe(0);
  });

  it("answers the usual body errors for a missing or non-array users and unknown keys", async () => {
    expectError(await call("POST", "/v1/users/import", {}), 422, "form_param_missing", "users");
    expectError(await call("POST", "/v1/users/import", { users: { a: 1 } }), 422, "form_param_type_invalid", "users");
    expectError(await call("POST", "/v1/users/import", { users: [{}], extra: true }), 422, "form_param_unknown", "extra");
    expectError(await call("POST", "/v1/users/import", undefined, { rawBody: "{not json" }), 400, "request_body_invalid");
  });

  it("takes bodies up to 5 MB (500 users with large metadata), refuses larger ones with 413", async () => {
    const big = "m".repeat(4_000);
    const users = Array.from({ length: 500 }, () => ({ public_metadata: { big }, private_metadata: { big } }));
    // Larger than the 1 MB other bodies may have.
    expect(JSON.stringify({ users }).length).toBeGreaterThan(3.5 * 1024 * 1024);
    const results = await importUsers(users);
    expect(results.every((r) => r.status === "created")).toBe(true);
    const tooLarge = `{"users":[{"first_name":"${"x".repeat(5 * 1024 * 1024)}"}]}`;
    expectError(await call("POST", "/v1/users/import", undefined, { rawBody: tooLarge }), 413, "request_body_too_large");
    // One user over the 8 KB metadata limit fails alone.
    const [over, fine] = await importUsers([{ public_metadata: { big: "m".repeat(9_000) } }, { public_metadata: { big } }]);
    expect(failure(over)).toEqual({ code: "form_param_exceeds_allowed_size", param: "public_metadata" });
    expect(fine.status).toBe("created");
  });

  it("takes exactly 500 users", async () => {
    const results = await importUsers(Array.from({ length: 500 }, () => ({ email_address: [email("five")] })));
    expect(results.every((r) => r.status === "created")).toBe(true);
    expect(new Set(results.map((r) => r.id)).size).toBe(500);
  });
});

describe("per-user validation and failure isolation", () => {
  it("fails only the bad users, each with its own Clerk error, and creates the others", async () => {
    const taken = await createUser({ email_address: [email("taken")] });
    const dup = email("dup");
    const goodIds = [shortUserId(), shortUserId(), shortUserId()];
    const badId = "user_has-a-dash";
    const records = [
      { id: goodIds[0], email_address: [email()], first_name: "First" },
      { email_address: ["not-an-email"] },
      { id: badId, email_address: [email()] },
      { id: shortUserId(), email_address: [taken.email_addresses[0].email_address.toUpperCase()] },
      { id: goodIds[1], email_address: [dup] },
      { id: shortUserId(), email_address: [dup.toUpperCase()] },
      { id: shortUserId(), backup_codes: ["abcdefgh"], backup_code_digests: [BACKUP_CODE_VECTORS[0].bcrypt_digest] },
      "not an object",
      { id: shortUserId(), email_address: [email()], email_address_ids: ["idn_a", "idn_b"] },
      { id: shortUserId(), unknown_field: 1 },
      { id: shortUserId(), password: "short" },
      { id: shortUserId(), first_name: "lone \ud800 surrogate" },
      { id: goodIds[2], phone_number: [newPhone()], last_name: "Last" },
    ];
    const results = await importUsers(records);
    expect(results.map((r) => r.status)).toEqual([
      "created",
      "failed",
      "failed",
      "failed",
      "created",
      "failed",
      "failed",
      "failed",
      "failed",
      "failed",
      "failed",
      "failed",
      "created",
    ]);
    expect(failure(results[1])).toEqual({ code: "form_param_format_invalid", param: "email_address" });
    expect(results[1].id).toBeNull();
    expect(failure(results[2])).toEqual({ code: "form_param_format_invalid", param: "id" });
    // A failed user reports the id it sent.
    expect(results[2].id).toBe(badId);
    expect(failure(results[3])).toEqual({ code: "form_identifier_exists", param: "email_address" });
    expect(failure(results[5])).toEqual({ code: "form_identifier_exists", param: "email_address" });
    expect(failure(results[6])).toEqual({ code: "form_param_value_invalid", param: "backup_code_digests" });
    expect(failure(results[7])).toEqual({ code: "form_param_type_invalid", param: "users" });
    expect(failure(results[8])).toEqual({ code: "form_param_array_length_mismatch", param: "email_address_ids" });
    expect(failure(results[9])).toEqual({ code: "form_param_unknown", param: "unknown_field" });
    expect(failure(results[10])).toEqual({ code: "form_password_length_too_short", param: "password" });
    // A lone UTF-16 surrogate (valid JSON, no UTF-8 form) fails its user only, as create refuses it.
    expect(failure(results[11])).toEqual({ code: "form_param_value_invalid", param: "first_name" });
    expect(results.filter((r) => r.status === "created").map((r) => r.id)).toEqual(goodIds);

    for (const id of goodIds) expect((await getUser(id)).status).toBe(200);
    for (const r of results.filter((r) => r.status === "failed" && r.id !== null && r.id !== badId)) {
      expectError(await call("GET", `/v1/users/${r.id}`), 404, "resource_not_found");
    }
    // The duplicate's email belongs to the earlier user only.
    const owners = await call("GET", `/v1/users?email_address=${encodeURIComponent(dup)}`, undefined, { schema: ["User"] });
    expect(owners.body.map((u: { id: string }) => u.id)).toEqual([goodIds[1]]);
  });

  it("never echoes a password, digest or secret in a failure", async () => {
    const digest = "$2b$10$tooShort";
    const results = await importUsers([
      { id: shortUserId(), password_digest: digest, password_hasher: "bcrypt" },
      { id: shortUserId(), totp_secret: "not base32 !!" },
      { id: shortUserId(), password: "password1" },
    ]);
    expect(failure(results[0])).toEqual({ code: "form_password_digest_invalid_code", param: "password_digest" });
    expect(failure(results[1])).toEqual({ code: "form_param_format_invalid", param: "totp_secret" });
    expect(failure(results[2])).toEqual({ code: "form_password_pwned", param: "password" });
    const text = JSON.stringify(results.response.body);
    for (const secret of [digest, "not base32 !!", "password1"]) expect(text).not.toContain(secret);
  });

  it("fails a user whose identifiers repeat a user earlier in the batch, in every kind (a repeated id is exists)", async () => {
    const username = unique("dupname");
    const [phone, wallet, external, idn] = [newPhone(), newWallet(), unique("ext"), `idn_${unique("dup")}`];
    const sameId = shortUserId();
    const results = await importUsers([
      {
        id: sameId,
        username,
        phone_number: [phone],
        web3_wallet: [wallet],
        external_id: external,
        email_address: [email()],
        email_address_ids: [idn],
      },
      { id: sameId },
      { username: username.toUpperCase() },
      { phone_number: [phone] },
      { web3_wallet: [wallet] },
      { external_id: external },
      { phone_number: [newPhone()], phone_number_ids: [idn] },
    ]);
    expect(results[0].status).toBe("created");
    // The same id again answers as a second run would (see user-import-edge-cases.test.ts).
    expect(results[1]).toEqual({ index: 1, id: sameId, status: "exists" });
    expect(results.slice(2).map((r) => failure(r).param)).toEqual(["username", "phone_number", "web3_wallet", "external_id", "phone_number_ids"]);
    for (const r of results.slice(2)) expect(failure(r).code).toBe("form_identifier_exists");
  });

  it("a duplicate of a user that failed is not a duplicate", async () => {
    const address = email("second-chance");
    const results = await importUsers([{ email_address: [address], password: "short" }, { email_address: [address] }]);
    expect(results.map((r) => r.status)).toEqual(["failed", "created"]);
  });

  it("fails identifiers and identification ids already stored, and repeats inside one user", async () => {
    const stored = await createUser({ email_address: [email()], phone_number: [newPhone()], username: unique("stored"), external_id: unique("x") });
    const results = await importUsers([
      { phone_number: [stored.phone_numbers[0].phone_number] },
      { username: stored.username },
      { external_id: stored.external_id },
      { email_address: [email()], email_address_ids: [stored.email_addresses[0].id] },
      { phone_number: [newPhone()], phone_number_ids: [stored.email_addresses[0].id] },
      { email_address: [email(), email()], email_address_ids: ["idn_same", "idn_same"] },
      { email_address: ["Twice@example.com", "twice@EXAMPLE.com"] },
    ]);
    // None of these sent an id, so none reports one.
    expect(results.map((r) => r.id)).toEqual(results.map(() => null));
    expect(results.map((r) => failure(r))).toEqual([
      { code: "form_identifier_exists", param: "phone_number" },
      { code: "form_identifier_exists", param: "username" },
      { code: "form_identifier_exists", param: "external_id" },
      { code: "form_identifier_exists", param: "email_address_ids" },
      { code: "form_identifier_exists", param: "phone_number_ids" },
      { code: "form_identifier_exists", param: "email_address_ids" },
      { code: "form_identifier_exists", param: "email_address" },
    ]);
  });

  it("checks the record's parallel lists and phone second-factor flags", async () => {
    const results = await importUsers([
      { phone_number: [newPhone()], phone_number_created_at: [1, 2] },
      { web3_wallet: [newWallet()], web3_wallet_ids: [] as string[], web3_wallet_created_at: [1, 2] },
      { phone_number: [newPhone(), newPhone()], phone_number_reserved_for_second_factor: [true] },
      { phone_number: [newPhone()], phone_number_default_second_factor: [true] },
      {
        phone_number: [newPhone(), newPhone()],
        phone_number_reserved_for_second_factor: [true, true],
        phone_number_default_second_factor: [true, true],
      },
      { email_address: [email()], email_address_identification_status: ["unknown"] },
      { email_address: [email()], email_address_ids: ["idn_bad-char"] },
      { last_sign_in_at: -1 },
      { mfa_enabled_at: 1.5 },
      { email_address: [email()], email_address_created_at: ["2020-01-01"] },
    ]);
    expect(results.map((r) => failure(r))).toEqual([
      { code: "form_param_array_length_mismatch", param: "phone_number_created_at" },
      { code: "form_param_array_length_mismatch", param: "web3_wallet_created_at" },
      { code: "form_param_array_length_mismatch", param: "phone_number_reserved_for_second_factor" },
      { code: "form_param_value_invalid", param: "phone_number_default_second_factor" },
      { code: "form_param_value_invalid", param: "phone_number_default_second_factor" },
      { code: "form_param_value_invalid", param: "email_address_identification_status" },
      { code: "form_param_format_invalid", param: "email_address_ids" },
      { code: "form_param_value_invalid", param: "last_sign_in_at" },
      { code: "form_param_type_invalid", param: "mfa_enabled_at" },
      { code: "form_param_type_invalid", param: "email_address_created_at" },
    ]);
  });
});

describe("ids and timestamps", () => {
  it("keeps user and identification ids verbatim, the first of each list primary", async () => {
    const id = shortUserId("keep");
    const [e1, e2] = [email(), email()];
    const [p1, p2] = [newPhone(), newPhone()];
    const w1 = newWallet();
    const ids = { e: ["idn_zzz", "idn_aaa"], p: ["idn_keepP2", "idn_keepP1"], w: ["idn_W"] };
    const results = await importUsers([
      {
        id,
        email_address: [e1, e2],
        email_address_ids: ids.e,
        phone_number: [p1, p2],
        phone_number_ids: ids.p,
        web3_wallet: [w1],
        web3_wallet_ids: ids.w,
      },
    ]);
    expect(results[0]).toEqual({ index: 0, id, status: "created" });
    const user = (await getUser(id)).body;
    expect(user.id).toBe(id);
    expect(user.primary_email_address_id).toBe("idn_zzz");
    expect(user.primary_phone_number_id).toBe("idn_keepP2");
    expect(user.primary_web3_wallet_id).toBe("idn_W");
    // Lists read back by (created_at, id): same created_at, so by id.
    expect(user.email_addresses.map((e: any) => [e.id, e.email_address])).toEqual([
      ["idn_aaa", e2],
      ["idn_zzz", e1],
    ]);
    expect(user.phone_numbers.map((p: any) => p.id)).toEqual(["idn_keepP1", "idn_keepP2"]);
    expect(user.web3_wallets.map((w: any) => w.id)).toEqual(["idn_W"]);
  });

  it("derives created_at from a KSUID id, uses now for other ids, and keeps a created_at sent", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const now = Date.UTC(2031, 4, 6, 7, 8, 9, 123);
    vi.setSystemTime(now);
    const clerkTime = Date.UTC(2021, 2, 3, 4, 5, 6, 789);
    const ksuid = ksuidUserId(clerkTime);
    const short = shortUserId("now");
    const sent = ksuidUserId(clerkTime);
    // 27 base62 characters above the largest 160-bit value: not a KSUID.
    const notKsuid = "user_zzzzzzzzzzzzzzzzzzzzzzzzzzz";
    const results = await importUsers([
      { id: ksuid, email_address: [email()] },
      { id: short },
      { id: sent, created_at: "2019-09-09T09:09:09.999Z" },
      { id: notKsuid },
      { first_name: "no id" },
    ]);
    expect(results.every((r) => r.status === "created")).toBe(true);
    const [a, b, c, d, e] = await Promise.all(results.map(async (r) => (await getUser(r.id!)).body));
    expect(a.created_at).toBe(Math.floor(clerkTime / 1000) * 1000);
    expect(a.email_addresses[0].created_at).toBe(a.created_at);
    expect(a.updated_at).toBe(now);
    expect(b.created_at).toBe(now);
    expect(c.created_at).toBe(Date.UTC(2019, 8, 9, 9, 9, 9, 999));
    expect(d.created_at).toBe(now);
    expect(e.created_at).toBe(now);
    expect(ksuidTimestamp(e.id)).toBe(Math.floor(now / 1000));
  });

  it("stores the record's timestamps, statuses and second-factor flags as the User JSON shows them", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const now = Date.UTC(2032, 0, 1);
    vi.setSystemTime(now);
    const id = shortUserId("full");
    const [e1, e2, e3] = [email(), email(), email()];
    const [p1, p2] = [newPhone(), newPhone()];
    const w1 = newWallet();
    const [result] = await importUsers([
      {
        id,
        created_at: "2020-02-02T02:02:02.002Z",
        email_address: [e1, e2, e3],
        email_address_identification_status: ["verified", "unverified", "reserved"],
        email_address_ids: ["idn_e1", "idn_e2", "idn_e3"],
        email_address_created_at: [1_600_000_000_001, 1_600_000_000_002, 1_600_000_000_003],
        phone_number: [p1, p2],
        phone_number_identification_status: ["verified", "unverified"],
        phone_number_ids: ["idn_p1", "idn_p2"],
        phone_number_created_at: [1_600_000_000_004, 1_600_000_000_005],
        phone_number_reserved_for_second_factor: [true, false],
        phone_number_default_second_factor: [true, false],
        web3_wallet: [w1],
        web3_wallet_ids: ["idn_w1"],
        web3_wallet_created_at: [1_600_000_000_006],
        username: unique("full"),
        first_name: "Grace",
        last_name: "Hopper",
        external_id: unique("ext"),
        public_metadata: { a: 1 },
        private_metadata: { b: [2] },
        unsafe_metadata: { c: "3" },
        password_digest: DIGEST_VECTORS[0].password_digest,
        password_hasher: DIGEST_VECTORS[0].password_hasher,
        password_last_updated_at: 1_600_000_000_100,
        mfa_enabled_at: 1_600_000_000_200,
        mfa_disabled_at: 1_600_000_000_300,
        last_sign_in_at: 1_600_000_000_400,
        last_active_at: 1_600_000_000_500,
        banned: true,
        locked: true,
        legal_accepted_at: "2021-01-01T00:00:00Z",
        delete_self_enabled: false,
        create_organization_enabled: false,
        create_organizations_limit: 4,
        bypass_client_trust: true,
        locale: "fr-FR",
      },
    ]);
    expect(result.status, JSON.stringify(result)).toBe("created");
    const user = (await getUser(id)).body;
    const identification = (object: string, value: Record<string, unknown>, createdAt: number, status: "verified" | "unverified" | "reserved") => ({
      object,
      ...value,
      ...(object === "email_address" ? { linked_to: [] } : {}),
      ...(object === "phone_number" ? { linked_to: [] } : {}),
      ...(object === "web3_wallet" ? {} : { reserved: status === "reserved" }),
      verification:
        status === "verified" ? { object: "verification_admin", status: "verified", strategy: "admin", attempts: null, expire_at: null } : null,
      created_at: createdAt,
      updated_at: now,
    });
    expect(user).toMatchObject({
      id,
      created_at: Date.UTC(2020, 1, 2, 2, 2, 2, 2),
      updated_at: now,
      primary_email_address_id: "idn_e1",
      primary_phone_number_id: "idn_p1",
      primary_web3_wallet_id: "idn_w1",
      first_name: "Grace",
      last_name: "Hopper",
      locale: "fr-FR",
      public_metadata: { a: 1 },
      private_metadata: { b: [2] },
      unsafe_metadata: { c: "3" },
      password_enabled: true,
      password_last_updated_at: 1_600_000_000_100,
      mfa_enabled_at: 1_600_000_000_200,
      mfa_disabled_at: 1_600_000_000_300,
      last_sign_in_at: 1_600_000_000_400,
      last_active_at: 1_600_000_000_500,
      two_factor_enabled: true,
      totp_enabled: false,
      backup_code_enabled: false,
      banned: true,
      locked: true,
      lockout_expires_in_seconds: 3600,
      legal_accepted_at: Date.UTC(2021, 0, 1),
      delete_self_enabled: false,
      create_organization_enabled: false,
      create_organizations_limit: 4,
      bypass_client_trust: true,
    });
    expect(user.email_addresses).toEqual([
      identification("email_address", { id: "idn_e1", email_address: e1 }, 1_600_000_000_001, "verified"),
      identification("email_address", { id: "idn_e2", email_address: e2 }, 1_600_000_000_002, "unverified"),
      identification("email_address", { id: "idn_e3", email_address: e3 }, 1_600_000_000_003, "reserved"),
    ]);
    expect(user.phone_numbers).toEqual([
      {
        ...identification("phone_number", { id: "idn_p1", phone_number: p1 }, 1_600_000_000_004, "verified"),
        reserved_for_second_factor: true,
        default_second_factor: true,
        backup_codes: null,
      },
      {
        ...identification("phone_number", { id: "idn_p2", phone_number: p2 }, 1_600_000_000_005, "unverified"),
        reserved_for_second_factor: false,
        default_second_factor: false,
        backup_codes: null,
      },
    ]);
    expect(user.web3_wallets).toEqual([identification("web3_wallet", { id: "idn_w1", web3_wallet: w1 }, 1_600_000_000_006, "verified")]);
    // The unverified rows are neither reserved nor verified; the reserved one is reserved.
    const rows = await env.DB.prepare("select id, reserved, verification_status from email_addresses where user_id = ? order by id").bind(id).all();
    expect(rows.results).toEqual([
      { id: "idn_e1", reserved: 0, verification_status: "verified" },
      { id: "idn_e2", reserved: 0, verification_status: null },
      { id: "idn_e3", reserved: 1, verification_status: null },
    ]);
  });

  it("an import like create's body gives the User that create gives (absent fields as create treats them)", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const now = Date.UTC(2033, 0, 1);
    vi.setSystemTime(now);
    const body = {
      email_address: [email()],
      phone_number: [newPhone()],
      web3_wallet: [newWallet()],
      first_name: "Same",
      totp_secret: RFC6238_SECRET,
      backup_codes: ["one-code-1"],
      password_digest: DIGEST_VECTORS[0].password_digest,
      password_hasher: DIGEST_VECTORS[0].password_hasher,
      locked: true,
    };
    const created = await createUser(body);
    const [imported] = await importUsers([
      {
        ...body,
        email_address: [email()],
        phone_number: [newPhone()],
        web3_wallet: [newWallet()],
      },
    ]);
    const got = (await getUser(imported.id!)).body;
    const strip = (u: any) => {
      const { id, email_addresses, phone_numbers, web3_wallets, primary_email_address_id, primary_phone_number_id, primary_web3_wallet_id, ...rest } =
        u;
      const children = (list: any[]) => list.map(({ id: _, email_address, phone_number, web3_wallet, ...item }: any) => item);
      return { ...rest, emails: children(email_addresses), phones: children(phone_numbers), wallets: children(web3_wallets) };
    };
    expect(strip(got)).toEqual(strip(created));
  });
});

describe("idempotent re-runs", () => {
  it("answers exists for a stored id and leaves that user unchanged", async () => {
    const records = [
      { id: shortUserId("again"), email_address: [email()], first_name: "Before" },
      { id: ksuidUserId(Date.UTC(2022, 0, 1)), phone_number: [newPhone()] },
    ];
    const first = await importUsers(records);
    expect(first.map((r) => r.status)).toEqual(["created", "created"]);
    const before = await Promise.all(records.map(async (r) => (await getUser(r.id)).body));

    // The same file again, one record changed, plus a new user: only the new user is written.
    const again = await importUsers([{ ...records[0], first_name: "After", email_address: [email()] }, records[1], { id: shortUserId("new") }]);
    expect(again.map((r) => [r.id, r.status])).toEqual([
      [records[0].id, "exists"],
      [records[1].id, "exists"],
      [again[2].id, "created"],
    ]);
    const after = await Promise.all(records.map(async (r) => (await getUser(r.id)).body));
    expect(after).toEqual(before);
  });

  it("answers exists also for a user created by POST /v1/users", async () => {
    const user = await createUser({ email_address: [email()] });
    const [result] = await importUsers([{ id: user.id, email_address: user.email_addresses.map((e: any) => e.email_address) }]);
    expect(result).toEqual({ index: 0, id: user.id, status: "exists" });
  });
});

describe("imported credentials verify through the normal routes", () => {
  // One vector per hasher (the cheapest of each), all in one batch.
  const perHasher = [...new Map(DIGEST_VECTORS.map((v) => [v.password_hasher, v])).values()];

  it(`password digests of ${perHasher.length} hashers, never re-hashed at import`, async () => {
    const records = perHasher.map((v) => ({ id: shortUserId("pw"), password_digest: v.password_digest, password_hasher: v.password_hasher }));
    const results = await importUsers(records);
    expect(results.map((r) => r.status)).toEqual(records.map(() => "created"));
    for (const [i, v] of perHasher.entries()) {
      const stored = await env.DB.prepare("select password_hasher, password_digest from users where id = ?").bind(records[i].id).first();
      expect(stored).toEqual({ password_hasher: v.password_hasher, password_digest: v.password_digest });
      const wrong = await call("POST", `/v1/users/${records[i].id}/verify_password`, { password: `${v.password}x` });
      expectError(wrong, 422, "incorrect_password");
      const right = await call("POST", `/v1/users/${records[i].id}/verify_password`, { password: v.password });
      expect(right.status, `${v.password_hasher}: ${JSON.stringify(right.body)}`).toBe(200);
      expect(right.body).toEqual({ verified: true });
    }
  }, 120_000);

  it("a plain password is hashed as create hashes it", async () => {
    const id = shortUserId("plain");
    await importUsers([{ id, password: "a fine passphrase 42" }]);
    const stored = await env.DB.prepare("select password_hasher, password_digest from users where id = ?").bind(id).first<any>();
    expect(stored.password_hasher).toBe("bcrypt");
    expect(stored.password_digest).toMatch(/^\$2[ab]\$04\$/);
    expect((await call("POST", `/v1/users/${id}/verify_password`, { password: "a fine passphrase 42" })).status).toBe(200);
  });

  it("a TOTP secret verifies with a frozen clock", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const now = 1_800_000_015;
    vi.setSystemTime(now * 1000);
    const id = shortUserId("totp");
    await importUsers([{ id, totp_secret: RFC6238_SECRET.toLowerCase() }]);
    const user = (await getUser(id)).body;
    expect(user.totp_enabled).toBe(true);
    expect(user.mfa_enabled_at).toBe(now * 1000);
    const code = hotp(decodeBase32Secret(RFC6238_SECRET)!, totpStep(now * 1000));
    expectError(await call("POST", `/v1/users/${id}/verify_totp`, { code: code === "000000" ? "000001" : "000000" }), 422, "totp_incorrect_code");
    expect((await call("POST", `/v1/users/${id}/verify_totp`, { code })).body).toEqual({ verified: true, code_type: "totp" });
  });

  it("backup_code_digests: bcrypt digests and HMAC codes from another user verify, once each", async () => {
    // HMAC codes as the export writes them: digests and salt of a user created here.
    const source = await createUser({ backup_codes: ["hmac-code-1", "hmac-code-2"] });
    const salt = (await env.DB.prepare("select backup_code_salt as s from users where id = ?").bind(source.id).first<{ s: string }>())!.s;
    const stored = (
      await env.DB.prepare("select kind, digest from backup_codes where user_id = ?").bind(source.id).all<{ kind: string; digest: string }>()
    ).results;
    const digests = [...stored.map((row) => exportedBackupCodeDigest(row, salt)), ...BACKUP_CODE_VECTORS.map((v) => v.bcrypt_digest)];
    const id = shortUserId("codes");
    const [result] = await importUsers([{ id, backup_code_digests: digests }]);
    expect(result.status).toBe("created");
    const user = (await getUser(id)).body;
    expect(user.backup_code_enabled).toBe(true);
    const rows = await env.DB.prepare("select kind, digest from backup_codes where user_id = ? order by digest").bind(id).all();
    expect(rows.results).toEqual(
      [...stored, ...BACKUP_CODE_VECTORS.map((v) => ({ kind: "bcrypt", digest: v.bcrypt_digest }))].sort((a, b) => (a.digest < b.digest ? -1 : 1)),
    );
    for (const code of ["hmac-code-2", BACKUP_CODE_VECTORS[0].code]) {
      expect((await call("POST", `/v1/users/${id}/verify_totp`, { code })).body).toEqual({ verified: true, code_type: "backup_code" });
      expectError(await call("POST", `/v1/users/${id}/verify_totp`, { code }), 422, "totp_incorrect_code");
    }
  });

  it("refuses malformed backup_code_digests: unknown shapes, two salts, bcrypt beyond the bound", async () => {
    const hex = "ab".repeat(32);
    const results = await importUsers([
      { backup_code_digests: ["plain-code"] },
      { backup_code_digests: [`$hmac-sha256$c2FsdHNhbHQ=$${hex}`, `$hmac-sha256$b3RoZXJzYWx0$${hex}`] },
      { backup_code_digests: [`$hmac-sha256$c2FsdHNhbHQ=$${hex.toUpperCase()}`] },
      { backup_code_digests: [digestAtCost(15)] },
      { backup_code_digests: [`$hmac-sha256$c2FsdHNhbHQ=$${hex}`] },
    ]);
    expect(results.slice(0, 4).map((r) => failure(r))).toEqual(
      Array.from({ length: 4 }, () => ({ code: "form_param_value_invalid", param: "backup_code_digests" })),
    );
    expect(results[4].status).toBe("created");
  });
});

describe("not subject to the create-user limit", () => {
  it("imports with the create limit exhausted and takes none of its slots", async () => {
    const vars = { USER_CREATE_RATE_LIMIT: "1", USER_CREATE_RATE_WINDOW_SECONDS: "10" };
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.UTC(2034, 0, 1));
    const results = await importUsers(
      Array.from({ length: 30 }, () => ({ email_address: [email("nolimit")] })),
      { vars },
    );
    expect(results.every((r) => r.status === "created")).toBe(true);
    expect((await call("POST", "/v1/users", {}, { vars, schema: "User" })).status).toBe(200);
    expectError(await call("POST", "/v1/users", {}, { vars }), 429, "too_many_requests");
    expect((await importUsers([{}], { vars }))[0].status).toBe("created");
  });
});
