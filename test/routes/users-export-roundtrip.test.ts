/**
 * Export → import into a fresh instance (issue 15's definition of a complete export): every
 * exported user, imported into an empty database (FRESH_DB, vitest.config.ts) by
 * POST /v1/users/import, reads back through GET /v1/users/{id} exactly as it did where it came
 * from, except updated_at and image URLs; its credentials verify there; and exporting the fresh
 * instance gives the same bytes again. Time is frozen, so timestamps the import sets (a lock's
 * start) are those of the source.
 */
import { applyD1Migrations, env } from "cloudflare:test";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { decodeBase32Secret, hotp, totpStep } from "../../workers/crypto/totp";
import worker from "../../workers/index";
import { BACKUP_CODE_VECTORS, DIGEST_VECTORS, RFC6238_SECRET } from "../crypto/vectors";
import { BASE, call, createUser, SECRET_KEY, unique } from "../helpers";
import { newPhone, newWallet } from "../identifiers";
import { importUsers } from "../import-helpers";

const T0 = Date.UTC(2030, 5, 1, 12);
const CREDENTIALS = { EXPORT_CREDENTIALS: "true" };
const fresh = { bindings: { DB: env.FRESH_DB } };

beforeAll(async () => {
  await applyD1Migrations(env.FRESH_DB, env.TEST_MIGRATIONS);
});
beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(T0);
});
afterEach(() => vi.useRealTimers());

/** The export's body with credentials, from the source database or `db`. */
async function exportText(db: D1Database = env.DB): Promise<string> {
  const request = new Request(`${BASE}/v1/users/export?include_credentials=true`, {
    headers: { Authorization: `Bearer ${SECRET_KEY}`, "Clerk-API-Version": "2026-05-12" },
  });
  const response = await worker.fetch(request, { ...env, ...CREDENTIALS, DB: db });
  // Bytes decoded as UTF-8 (workerd warns when .text() reads a body that is not text/*).
  const text = new TextDecoder().decode(await response.arrayBuffer());
  expect(response.status, text).toBe(200);
  expect(response.headers.get("content-type")).toBe("application/x-ndjson");
  return text;
}

/** A User JSON without what the round trip may change: updated_at (at any depth) and image URLs. */
function comparable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(comparable);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !["updated_at", "image_url", "profile_image_url"].includes(key))
      .map(([key, item]) => [key, comparable(item)]),
  );
}

const byAddress = (list: any[], key: string, value: string) => list.find((item) => item[key] === value).id;

/** Users with every kind of state the record carries, in the source database. */
async function sourceUsers() {
  const created = Date.UTC(2029, 0, 1);
  const [e1, e2, e3, e4] = ["one", "two", "three", "four"].map((n) => `${unique(n)}@example.com`);
  const [p1, p2, p3] = [newPhone(), newPhone(), newPhone()];
  const [w1, w2] = [newWallet(), newWallet()];
  const full = await createUser({
    created_at: new Date(created).toISOString(),
    external_id: unique("ext"),
    first_name: "Ada",
    last_name: "Lovelace",
    locale: "en-GB",
    username: unique("ada"),
    email_address: [e1, e2, e3, e4],
    email_address_identification_status: ["verified", "reserved", "verified", "verified"],
    phone_number: [p1, p2, p3],
    phone_number_identification_status: ["verified", "reserved", "verified"],
    web3_wallet: [w1, w2],
    public_metadata: { plan: "pro", nested: { a: [1, 2] } },
    private_metadata: { internal: true },
    unsafe_metadata: { theme: "dark" },
    password: "round-trip-Q7v!pass",
    totp_secret: RFC6238_SECRET,
    backup_codes: ["alpha-123", BACKUP_CODE_VECTORS[0].bcrypt_digest],
    delete_self_enabled: false,
    create_organization_enabled: false,
    create_organizations_limit: 0,
    legal_accepted_at: "2029-01-02T03:04:05.678Z",
    bypass_client_trust: true,
    banned: true,
  });
  vi.setSystemTime(T0 + 60_000);
  expect((await call("DELETE", `/v1/users/${full.id}/mfa`)).status).toBe(200);
  vi.setSystemTime(T0 + 120_000);
  const again = await call("PATCH", `/v1/users/${full.id}`, { totp_secret: RFC6238_SECRET, backup_codes: ["bravo-456", "charlie-789"] });
  expect(again.status).toBe(200);
  const primaries = {
    primary_email_address_id: byAddress(full.email_addresses, "email_address", e4),
    primary_phone_number_id: byAddress(full.phone_numbers, "phone_number", p3),
    primary_web3_wallet_id: byAddress(full.web3_wallets, "web3_wallet", w2),
  };
  expect((await call("PATCH", `/v1/users/${full.id}`, primaries)).status).toBe(200);
  // State no route sets here (another system's history), written directly.
  await env.DB.batch([
    env.DB.prepare("update email_addresses set verification_status = null, verification_strategy = null where id = ?").bind(
      byAddress(full.email_addresses, "email_address", e3),
    ),
    env.DB.prepare("update email_addresses set created_at = ? where id = ?").bind(
      created + 1000,
      byAddress(full.email_addresses, "email_address", e2),
    ),
    env.DB.prepare("update phone_numbers set reserved_for_second_factor = 1, default_second_factor = 1 where id = ?").bind(
      byAddress(full.phone_numbers, "phone_number", p1),
    ),
    env.DB.prepare("update users set last_sign_in_at = ?, last_active_at = ? where id = ?").bind(created + 5000, created + 6000, full.id),
  ]);

  const imported = DIGEST_VECTORS.find((v) => v.password_hasher === "pbkdf2_sha256_django")!;
  const digest = await createUser({ username: unique("dj"), password_digest: imported.password_digest, password_hasher: imported.password_hasher });
  const credentials = await createUser({
    email_address: [`${unique("creds")}@example.com`],
    password: "round-trip-Q7v!pass",
    totp_secret: RFC6238_SECRET,
    backup_codes: ["delta-012"],
  });
  const bare = await createUser({});
  const blank = await createUser({ first_name: "", last_name: "" });
  // Ids that are not KSUIDs, in one millisecond, and a KSUID whose created_at is its own.
  const legacy = await importUsers([
    { id: "user_legacyB", created_at: "2028-05-05T00:00:00.000Z", email_address: [`${unique("lb")}@example.com`] },
    { id: "user_legacya", created_at: "2028-05-05T00:00:00.000Z", phone_number: [newPhone()], phone_number_identification_status: ["reserved"] },
    { id: "user_2piEk9WXYGJvGz0aIJR5nawsdRQ", web3_wallet: [newWallet()] },
  ]);
  expect(legacy.map((r) => r.status)).toEqual(["created", "created", "created"]);

  // Locked last, at the time the import runs: a lock starts again when imported.
  vi.setSystemTime(T0 + 180_000);
  expect((await call("POST", `/v1/users/${full.id}/lock`)).status).toBe(200);
  return { full, digest, credentials, bare, blank, imported, legacyIds: legacy.map((r) => r.id!) };
}

describe("export → import into a fresh instance", () => {
  it("gives every user the same GET /v1/users/{id} body (but updated_at and image URLs), working credentials, and the same export", async () => {
    const users = await sourceUsers();
    const text = await exportText();
    const records = text
      .slice(0, -1)
      .split("\n")
      .map((line) => JSON.parse(line));
    const ids = [users.full.id, users.digest.id, users.credentials.id, users.bare.id, users.blank.id, ...users.legacyIds];
    expect(records.map((r) => r.id).sort()).toEqual([...ids].sort());

    const results = await importUsers(records, fresh);
    expect(results.map((r) => [r.id, r.status])).toEqual(records.map((r) => [r.id, "created"]));

    for (const id of ids) {
      const before = await call("GET", `/v1/users/${id}`, undefined, { schema: "User" });
      const after = await call("GET", `/v1/users/${id}`, undefined, { schema: "User", ...fresh });
      expect(after.status, id).toBe(200);
      expect(comparable(after.body), id).toEqual(comparable(before.body));
    }
    // The full user really had the state compared above.
    const full = (await call("GET", `/v1/users/${users.full.id}`, undefined, fresh)).body;
    expect(full).toMatchObject({ locked: true, banned: true, totp_enabled: true, backup_code_enabled: true, password_enabled: true });
    // In the User's order (by creation): one, three (unverified), four, two (reserved, added later).
    expect(full.email_addresses.map((e: any) => e.verification?.status ?? (e.reserved ? "reserved" : "none"))).toEqual([
      "verified",
      "none",
      "verified",
      "reserved",
    ]);

    // The fresh instance exports exactly what it was given.
    expect(await exportText(env.FRESH_DB)).toBe(text);

    // Credentials verify in the fresh instance (the full user is locked, so the others).
    const verify = (id: string, path: string, body: unknown) => call("POST", `/v1/users/${id}/${path}`, body, fresh);
    expect((await verify(users.credentials.id, "verify_password", { password: "round-trip-Q7v!pass" })).body).toEqual({ verified: true });
    expect((await verify(users.digest.id, "verify_password", { password: users.imported.password })).body).toEqual({ verified: true });
    const code = hotp(decodeBase32Secret(RFC6238_SECRET)!, totpStep(Date.now()));
    expect((await verify(users.credentials.id, "verify_totp", { code })).body).toEqual({ verified: true, code_type: "totp" });
    expect((await verify(users.credentials.id, "verify_totp", { code: "delta-012" })).body).toEqual({ verified: true, code_type: "backup_code" });
    expect((await verify(users.credentials.id, "verify_totp", { code: "delta-012" })).status).toBe(422);
  });
});
