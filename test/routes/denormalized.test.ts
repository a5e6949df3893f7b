/**
 * Denormalised copies the read paths rely on. users.children_json (migration 0004) is a copy of the user's child rows that the User JSON is
 * read from. These tests drive every write path that touches a child table through the API and
 * then compare, for every user, the aggregate decoded from the copy with the child tables read
 * directly: a trigger that misses a write, or a view that drops a column, fails here.
 * user_search_documents' sort keys (migration 0007) are the users' order columns in the form FTS5
 * sorts search matches by; they are compared with the view that defines them.
 * user_totals (migration 0005) is the user count that counting every user reads.
 */
import { env } from "cloudflare:test";
import { asc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "../../workers/db/client";
import { backupCodes, emailAddresses, externalAccounts, passkeys, phoneNumbers, users, web3Wallets } from "../../workers/db/schema";
import { aggregateOf } from "../../workers/db/users";
import rebuildDerivedData from "../../scripts/rebuild-derived-data.sql?raw";
import { call, createUser, unique } from "../helpers";

const db = createDb(env.DB);

/** `row` restricted to the keys of `like` (the columns the copy carries). */
function pick(row: Record<string, unknown>, like: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.keys(like).map((key) => [key, row[key]]));
}

const SORT_KEY_COLUMNS = [
  "sort_updated_at",
  "sort_email_address",
  "sort_web3wallet",
  "sort_first_name",
  "sort_last_name",
  "sort_phone_number",
  "sort_username",
  "sort_last_active_at",
  "sort_last_sign_in_at",
];

/** Fails unless every user has one search document whose sort keys are those user_sort_keys computes now. */
async function expectSortKeysMatchUsers(): Promise<void> {
  const differs = SORT_KEY_COLUMNS.map((c) => `d.${c} IS NOT k.${c}`).join(" OR ");
  const stale = await env.DB.prepare(
    `SELECT d.user_id FROM user_search_documents d JOIN user_sort_keys k ON k.user_id = d.user_id WHERE ${differs}`,
  ).all();
  expect(stale.results).toEqual([]);
  const counts = await env.DB.prepare(
    "SELECT (SELECT count(*) FROM users) AS users, (SELECT count(DISTINCT user_id) FROM user_search_documents) AS documents",
  ).first();
  expect(counts!.documents).toBe(counts!.users);
}

/** Fails unless every user's decoded copy equals its child rows, in (created_at, id) order, and its sort keys are current. */
async function expectCopiesMatchTables(): Promise<number> {
  await expectSortKeysMatchUsers();
  const rows = await db.select().from(users);
  for (const row of rows) {
    const aggregate = aggregateOf(row);
    const children = async (table: typeof emailAddresses | typeof phoneNumbers | typeof web3Wallets | typeof passkeys | typeof externalAccounts) =>
      (await db.select().from(table).where(eq(table.userId, row.id)).orderBy(asc(table.createdAt), asc(table.id))) as Record<string, unknown>[];
    const compare = (decoded: object[], actual: Record<string, unknown>[], what: string) => {
      expect(decoded.length, `${what} of ${row.id}`).toBe(actual.length);
      for (const [i, element] of decoded.entries()) {
        expect(element, `${what} ${i} of ${row.id}`).toEqual(pick(actual[i]!, element as Record<string, unknown>));
      }
    };
    compare(aggregate.emailAddresses, await children(emailAddresses), "emails");
    compare(aggregate.phoneNumbers, await children(phoneNumbers), "phones");
    compare(aggregate.web3Wallets, await children(web3Wallets), "wallets");
    compare(aggregate.passkeys, await children(passkeys), "passkeys");
    compare(aggregate.externalAccounts, await children(externalAccounts), "external accounts");
    const codes = await db.select().from(backupCodes).where(eq(backupCodes.userId, row.id));
    expect(aggregate.backupCodeCount, `backup codes of ${row.id}`).toBe(codes.length);
  }
  return rows.length;
}

let walletCounter = 0;
const wallet = () => `0x${(++walletCounter).toString(16).padStart(40, "c")}`;

async function ok(method: string, path: string, body?: unknown) {
  const result = await call(method, path, body);
  expect(result.status, `${method} ${path}: ${JSON.stringify(result.body)}`).toBe(200);
  return result.body;
}

describe("users.children_json", () => {
  it("follows every write to the child tables, through every route that makes one", async () => {
    const shared = `${unique("linked")}@example.com`;
    const a = await createUser({
      email_address: [shared, `${unique()}@example.com`],
      phone_number: ["+15555550101"],
      web3_wallet: [wallet(), wallet()],
      backup_codes: ["alpha-1", "beta-2", "gamma-3"],
      first_name: "Zoë",
    });
    const b = await createUser({ email_address: [`${unique()}@example.com`] });
    const bare = await createUser({ username: unique("bare") });
    expect(await expectCopiesMatchTables()).toBe(3);

    const passkey = await ok("POST", `/v1/users/${a.id}/passkeys`, { name: "Laptop", credential_id: unique("cred"), public_key: "pQECAyYgASFYIA" });
    await ok("POST", `/v1/users/${a.id}/passkeys`, { name: "Phone", credential_id: unique("cred"), public_key: "pQECAyYgASFYIB" });
    const google = await ok("POST", `/v1/users/${a.id}/external_accounts`, {
      provider: "oauth_google",
      provider_user_id: unique("gid"),
      email_address: shared,
      first_name: "Zoë",
      access_token: "ya29.secret-access",
      refresh_token: "1//secret-refresh",
      expires_at: 1_900_000_000_000,
      label: "work",
      public_metadata: { team: "ünïcødé" },
    });
    await ok("POST", `/v1/users/${a.id}/external_accounts`, { provider: "oauth_github", provider_user_id: unique("gh"), access_token: "gho_secret" });
    await expectCopiesMatchTables();

    // The linked_to entry is built from the copy of both the email and the account.
    const got = await ok("GET", `/v1/users/${a.id}`);
    const sharedEmail = got.email_addresses.find((e: any) => e.email_address === shared);
    expect(sharedEmail.linked_to).toEqual([{ type: "oauth_google", id: google.identification_id }]);
    expect(got.passkeys.map((p: any) => p.name)).toEqual(["Laptop", "Phone"]);

    await ok("PATCH", `/v1/users/${a.id}`, { backup_codes: ["delta-4"], username: unique("a") });
    await ok("DELETE", `/v1/users/${a.id}/passkeys/${passkey.id}`);
    await ok("DELETE", `/v1/users/${a.id}/web3_wallets/${a.web3_wallets[0].id}`);
    await ok("DELETE", `/v1/users/${a.id}/external_accounts/${google.id}`);
    await expectCopiesMatchTables();

    await ok("POST", `/v1/users/${a.id}/verify_totp`, { code: "delta-4" });
    expect((await ok("GET", `/v1/users/${a.id}`)).backup_code_enabled).toBe(false);
    await ok("PATCH", `/v1/users/${a.id}`, { backup_codes: ["epsilon-5", "zeta-6"] });
    await ok("DELETE", `/v1/users/${a.id}/backup_code`);
    await expectCopiesMatchTables();

    // Writes outside the API's reach (a token refresh, a lease) keep the copy in step too.
    const [github] = (await ok("GET", `/v1/users/${a.id}`)).external_accounts;
    await env.DB.prepare("UPDATE external_accounts SET token_expires_at = 1234, refresh_lease_id = 'lease', refresh_lease_until = 5 WHERE id = ?")
      .bind(github.id)
      .run();
    await env.DB.prepare("UPDATE email_addresses SET user_id = ? WHERE user_id = ?").bind(bare.id, b.id).run();
    await expectCopiesMatchTables();
    expect((await ok("GET", `/v1/users/${a.id}`)).external_accounts[0].verification.expire_at).toBe(1234);

    await ok("DELETE", `/v1/users/${b.id}`);
    expect(await expectCopiesMatchTables()).toBe(2);
  });

  it("never holds a digest, key or token", async () => {
    const user = await createUser({ email_address: [`${unique()}@example.com`], backup_codes: ["secret-code-1"], password: "correct horse battery" });
    await ok("POST", `/v1/users/${user.id}/passkeys`, { name: "Key", credential_id: "credential-id-secret", public_key: "public-key-material" });
    await ok("POST", `/v1/users/${user.id}/external_accounts`, {
      provider: "oauth_google",
      provider_user_id: unique("gid"),
      access_token: "ya29.access",
      refresh_token: "1//refresh",
      id_token: "eyJ.id",
    });
    const stored = (await env.DB.prepare("SELECT children_json FROM users WHERE id = ?").bind(user.id).first<{ children_json: string }>())!
      .children_json;
    const secrets = [
      ...(await env.DB.prepare("SELECT digest FROM backup_codes WHERE user_id = ?").bind(user.id).all<{ digest: string }>()).results.map(
        (r) => r.digest,
      ),
      ...Object.values(
        (await env.DB.prepare(
          "SELECT access_token_encrypted a, refresh_token_encrypted r, id_token_encrypted i FROM external_accounts WHERE user_id = ?",
        )
          .bind(user.id)
          .first<Record<string, string>>())!,
      ),
      "credential-id-secret",
      "public-key-material",
    ];
    expect(secrets.length).toBe(6);
    for (const secret of secrets) expect(stored).not.toContain(secret);
    expect(JSON.parse(stored).b).toBe(1);
  });

  it("is rebuilt for existing users by the migration's backfill", async () => {
    await createUser({ email_address: [`${unique()}@example.com`], phone_number: ["+15555550199"], backup_codes: ["one-1"] });
    await createUser({ username: unique("nochildren") });
    const before = await env.DB.prepare("SELECT id, children_json FROM users ORDER BY id").all();
    const migration = env.TEST_MIGRATIONS.find((m) => m.name.startsWith("0004_"));
    const backfill = migration!.queries.at(-1)!;
    expect(backfill).toContain("UPDATE `users` SET children_json");
    await env.DB.prepare("UPDATE users SET children_json = NULL").run();
    await env.DB.prepare(backfill).run();
    expect((await env.DB.prepare("SELECT id, children_json FROM users ORDER BY id").all()).results).toEqual(before.results);
    await expectCopiesMatchTables();
  });
});

describe("search sort keys", () => {
  it("follow every write to the columns they are made of, inside and outside the API", async () => {
    const a = await createUser({
      email_address: [`${unique("keys")}@example.com`, `${unique("other")}@example.com`],
      phone_number: ["+15555550131", "+15555550132"],
      web3_wallet: [wallet()],
      first_name: "Ada",
      last_name: "Lovelace",
      username: unique("ada"),
    });
    const bare = await createUser({ external_id: unique("ext") });
    await expectSortKeysMatchUsers();
    const keys = async (id: string) => (await env.DB.prepare("SELECT * FROM user_search_documents WHERE user_id = ?").bind(id).first())!;
    expect((await keys(bare.id)).sort_last_name).toBeNull();
    expect((await keys(a.id)).sort_last_name).toBe(`14C6F76656C616365 ${a.id}`); // "1", hex("Lovelace"), " ", id

    await ok("PATCH", `/v1/users/${a.id}`, { first_name: "Augusta", last_name: null, username: unique("aug") });
    await ok("PATCH", `/v1/users/${a.id}`, {
      primary_email_address_id: a.email_addresses[1].id,
      primary_phone_number_id: a.phone_numbers[1].id,
    });
    await ok("DELETE", `/v1/users/${a.id}/web3_wallets/${a.web3_wallets[0].id}`);
    await ok("POST", `/v1/users/${bare.id}/ban`);
    await ok("PATCH", `/v1/users/${bare.id}`, { created_at: "2020-01-01T00:00:00.000Z" });
    await expectSortKeysMatchUsers();
    expect((await keys(a.id)).sort_last_name).toBeNull();

    // Each column a key is made of, changed alone (routes also set updated_at, which would hide
    // a column missing from the trigger's list).
    for (const [column, value] of [
      ["first_name", "Solo"],
      ["last_name", "Alone"],
      ["username_normalized", unique("solo")],
      ["primary_email_address_sort", "solo@example.com"],
      ["primary_phone_number_sort", "+15555550133"],
      ["primary_web3_wallet_sort", "0xsolo"],
      ["updated_at", 1],
    ] as const) {
      await env.DB.prepare(`UPDATE users SET ${column} = ? WHERE id = ?`).bind(value, a.id).run();
      await expectSortKeysMatchUsers();
    }

    // Columns no route writes, including values the key layout has to handle specially.
    for (const [active, signIn, name] of [
      [-5, 0, "Nul\u0000x"],
      [null, 9_223_372_036_854, "Ctl\u0001"],
      [1_700_000_000_000, null, ""],
    ] as const) {
      await env.DB.prepare("UPDATE users SET last_active_at = ?, last_sign_in_at = ?, last_name = ? WHERE id = ?")
        .bind(active, signIn, name, a.id)
        .run();
      await expectSortKeysMatchUsers();
    }
    const integrity = await env.DB.prepare("INSERT INTO user_search(user_search) VALUES ('integrity-check')").run();
    expect(integrity.success).toBe(true);
    await ok("DELETE", `/v1/users/${a.id}`);
    await expectSortKeysMatchUsers();
  });

  it("are filled for existing users by the migration's backfill", async () => {
    await createUser({ email_address: [`${unique()}@example.com`], first_name: "Backfilled" });
    const read = () => env.DB.prepare(`SELECT user_id, ${SORT_KEY_COLUMNS.join(", ")} FROM user_search_documents ORDER BY user_id`).all();
    const before = await read();
    const backfill = env.TEST_MIGRATIONS.find((m) => m.name.startsWith("0007_"))!.queries.find((q) =>
      q.startsWith("UPDATE user_search_documents SET ("),
    );
    expect(backfill).toBeDefined();
    await env.DB.prepare(`UPDATE user_search_documents SET ${SORT_KEY_COLUMNS.map((c) => `${c} = NULL`).join(", ")}`).run();
    await env.DB.prepare(backfill!).run();
    expect((await read()).results).toEqual(before.results);
  });
});

describe("user_totals", () => {
  const totals = async () => (await env.DB.prepare("SELECT users FROM user_totals WHERE id = 1").first<{ users: number }>())!.users;
  const actual = async () => (await env.DB.prepare("SELECT count(*) AS n FROM users").first<{ n: number }>())!.n;

  it("counts the users through creates (concurrent ones too), refused creates and deletes", async () => {
    expect(await totals()).toBe(await actual());
    const email = `${unique("dup")}@example.com`;
    const results = await Promise.all(Array.from({ length: 6 }, () => call("POST", "/v1/users", { email_address: [email] })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    const created = await Promise.all(Array.from({ length: 5 }, () => createUser()));
    expect(await totals()).toBe(await actual());
    await Promise.all(created.map((u) => ok("DELETE", `/v1/users/${u.id}`)));
    expect(await totals()).toBe(await actual());
    expect(await actual()).toBeGreaterThan(0);
  });
});

/** The script's statements, as `wrangler d1 execute --file` runs them (trigger bodies kept whole). */
function scriptStatements(text: string): string[] {
  const statements: string[] = [];
  let current = "";
  for (const line of text.split("\n")) {
    if (line.trim() === "" || line.trim().startsWith("--")) continue;
    current += `${line}\n`;
    const open = /^\s*CREATE\s+TRIGGER/i.test(current) && !/\bEND;\s*$/i.test(current);
    if (current.trimEnd().endsWith(";") && !open) {
      statements.push(current.trim());
      current = "";
    }
  }
  expect(current.trim()).toBe("");
  return statements;
}

describe("scripts/rebuild-derived-data.sql", () => {
  const list = async (query: string) => (await call("GET", `/v1/users?query=${encodeURIComponent(query)}`)).body.map((u: any) => u.id);
  const runScript = () => env.DB.batch(scriptStatements(rebuildDerivedData).map((s) => env.DB.prepare(s)));

  it("restores the search index, every children_json and the user count after they were lost", async () => {
    const user = await createUser({ email_address: [`${unique("restore")}@example.com`], phone_number: ["+15555550177"], first_name: "Restored" });
    const before = await ok("GET", `/v1/users/${user.id}`);
    expect(await list("Restored")).toEqual([user.id]);
    // What a data-only restore leaves: rows without their derived copies.
    await env.DB.batch([
      env.DB.prepare("UPDATE users SET children_json = NULL"),
      env.DB.prepare("UPDATE user_totals SET users = 0"),
      env.DB.prepare("DELETE FROM user_search_documents"),
    ]);
    expect((await ok("GET", `/v1/users/${user.id}`)).email_addresses).toEqual([]);
    expect(await list("Restored")).toEqual([]);
    await runScript();
    expect(await ok("GET", `/v1/users/${user.id}`)).toEqual(before);
    expect(await list("Restored")).toEqual([user.id]);
    expect((await env.DB.prepare("SELECT users FROM user_totals WHERE id = 1").first<{ users: number }>())!.users).toBe(
      (await env.DB.prepare("SELECT count(*) AS n FROM users").first<{ n: number }>())!.n,
    );
    await expectCopiesMatchTables();
  });

  it("keeps searches in other orders answering when the index lists a document that is gone, until the rebuild", async () => {
    const term = unique("gone");
    const lost = await createUser({ email_address: [`${term}1@example.com`], last_name: "Alpha" });
    const kept = await createUser({ email_address: [`${term}2@example.com`], last_name: "Beta" });
    const listIn = async (order: string) => {
      const result = await call("GET", `/v1/users?query=${term}&order_by=${order}&limit=100`);
      expect(result.status, JSON.stringify(result.body)).toBe(200);
      return result.body.map((u: any) => u.id);
    };
    expect(await listIn("last_name")).toEqual([lost.id, kept.id]);
    // A document deleted without telling FTS5: its index entries stay.
    await env.DB.batch([
      env.DB.prepare("DROP TRIGGER user_search_documents_ad"),
      env.DB.prepare("DELETE FROM user_search_documents WHERE user_id = ?").bind(lost.id),
    ]);
    for (const order of ["last_name", "-last_name", "created_at", "-updated_at"]) expect(await listIn(order), order).toEqual([kept.id]);
    await runScript();
    expect(await listIn("last_name")).toEqual([lost.id, kept.id]);
    expect(await listIn("-last_name")).toEqual([kept.id, lost.id]);
  });

  it("repairs an index that lost entries its documents still have, and leaves the triggers working", async () => {
    const user = await createUser({ email_address: [`${unique("dmg")}@example.com`], first_name: "Damaged" });
    await env.DB.prepare("INSERT INTO user_search(user_search) VALUES ('delete-all')").run();
    expect(await list("Damaged")).toEqual([]);
    await runScript();
    expect(await list("Damaged")).toEqual([user.id]);
    // The re-created triggers keep the index in step with later writes.
    expect((await call("PATCH", `/v1/users/${user.id}`, { first_name: "Renamed" })).status).toBe(200);
    expect(await list("Damaged")).toEqual([]);
    expect(await list("Renamed")).toEqual([user.id]);
    await ok("DELETE", `/v1/users/${user.id}`);
    expect(await list("Renamed")).toEqual([]);
    const integrity = await env.DB.prepare("INSERT INTO user_search(user_search) VALUES ('integrity-check')").run();
    expect(integrity.success).toBe(true);
  });
});
