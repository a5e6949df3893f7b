/**
 * The one source of derived SQL objects (workers/db/derived/): the database the migrations build
 * holds exactly its objects, the files generated from it are current, the constants the Worker
 * shares with the SQL agree with what the database does, and migration plans drop and re-create
 * what they must. scripts/db-generate.mjs itself is exercised end to end in
 * test/e2e/db-generate.e2e.ts.
 */
import { env } from "cloudflare:test";
import { getTableColumns } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import derivedSnapshot from "../../migrations/meta/_derived.json";
import rebuildDerivedData from "../../scripts/rebuild-derived-data.sql?raw";
import {
  BUCKET_BITS,
  CHILD_COLUMNS,
  clampedCreatedAt,
  CREATED_AT_MAX,
  DEFAULT_SPAN_DOCS,
  FIRST_SORT_COLUMN,
  LOWEST_SPAN,
  SEARCH_FIELDS,
  SEARCH_SORT_ORDERS,
} from "../../workers/db/derived/constants";
import {
  cascadeParents,
  currentSnapshot,
  DERIVED_OBJECTS,
  planMigration,
  rebuildScript,
  touchedTables,
  type DerivedSnapshot,
} from "../../workers/db/derived";
import { emailAddresses, externalAccounts, passkeys, phoneNumbers, web3Wallets } from "../../workers/db/schema";
import { bucketOfCreatedAt, bucketStart } from "../../workers/db/user-search/spans";
import { derivedObjectDifferences, undeclaredObjects } from "../derived-objects";
import { call, createUser, unique } from "../helpers";

describe("the derived objects after all migrations", () => {
  it("are exactly those of workers/db/derived, each as defined there", async () => {
    expect(await derivedObjectDifferences(env.DB)).toEqual([]);
    // Every kind is there, and found: the comparison is not vacuous.
    const found = await undeclaredObjects(env.DB);
    expect(found.size).toBe(DERIVED_OBJECTS.length);
    expect(new Set([...found.values()].map((o) => o.kind))).toEqual(new Set(["table", "index", "view", "virtual table", "trigger"]));
  });

  it("are what migrations/meta/_derived.json records: no derived change waits for npm run db:generate", async () => {
    expect(derivedSnapshot).toEqual(await currentSnapshot());
  });

  it("scripts/rebuild-derived-data.sql is the one workers/db/derived renders", () => {
    expect(rebuildDerivedData).toBe(rebuildScript());
  });
});

describe("constants shared by the SQL and the Worker", () => {
  const docIdOf = async (userId: string) =>
    (await env.DB.prepare("SELECT cast(doc_id AS text) AS d FROM user_search_documents WHERE user_id = ?").bind(userId).first<{ d: string }>())!.d;

  it("BUCKET_BITS and the created_at clamp: each user's document is in the bucket bucketOfCreatedAt computes", async () => {
    const user = await createUser();
    const created = await docIdOf(user.id);
    expect(bucketStart(created)).toBe(bucketOfCreatedAt(user.created_at));
    for (const createdAt of [-5, 0, 1, 1_700_000_000_123, CREATED_AT_MAX - 1, CREATED_AT_MAX, CREATED_AT_MAX + 1, Number.MAX_SAFE_INTEGER]) {
      await env.DB.prepare("UPDATE users SET created_at = ? WHERE id = ?").bind(createdAt, user.id).run();
      const docId = await docIdOf(user.id);
      expect(bucketStart(docId), `created_at ${createdAt}`).toBe(bucketOfCreatedAt(createdAt));
      expect(BigInt(docId) >> BigInt(BUCKET_BITS), `created_at ${createdAt}`).toBe(BigInt(clampedCreatedAt(createdAt)));
    }
    expect(bucketOfCreatedAt(CREATED_AT_MAX + 1)).toBe(bucketOfCreatedAt(CREATED_AT_MAX));
    expect(BigInt(bucketOfCreatedAt(CREATED_AT_MAX)) + (1n << BigInt(BUCKET_BITS)) - 1n).toBe(2n ** 63n - 1n);
  });

  it("SEARCH_FIELDS, SEARCH_SORT_ORDERS and FIRST_SORT_COLUMN: FTS column FIRST_SORT_COLUMN + 2·i ranks by the i-th order's key", async () => {
    const columns = (await env.DB.prepare("SELECT name FROM pragma_table_info('user_search') ORDER BY cid").all<{ name: string }>()).results.map(
      (c) => c.name,
    );
    expect(columns.slice(0, FIRST_SORT_COLUMN)).toEqual([...SEARCH_FIELDS]);
    expect(columns.slice(FIRST_SORT_COLUMN)).toEqual(SEARCH_SORT_ORDERS.flatMap((order) => [`${order}_asc`, `${order}_desc`]));
    const term = unique("cols");
    const user = await createUser({ email_address: [`${term}@example.com`], first_name: "Kolumna", last_name: "Zed", username: term });
    const document = (await env.DB.prepare("SELECT * FROM user_search_documents WHERE user_id = ?").bind(user.id).first<Record<string, string>>())!;
    for (const [i, order] of SEARCH_SORT_ORDERS.entries()) {
      for (const [offset, nullKey] of [
        [0, "2"],
        [1, "0"],
      ] as const) {
        const column = FIRST_SORT_COLUMN + 2 * i + offset;
        const key = await env.DB.prepare(`SELECT highlight(user_search, ${column}, '', '') AS k FROM user_search WHERE user_search MATCH ?`)
          .bind(`"${term}"`)
          .first<{ k: string }>();
        expect(key!.k, `${order} column ${column}`).toBe(document[`sort_${order}`] ?? `${nullKey}${user.id}`);
      }
    }
  });

  it("CHILD_COLUMNS: children_json copies exactly those columns of each child table", async () => {
    const user = await createUser({
      email_address: [`${unique()}@example.com`],
      phone_number: ["+15555550161"],
      web3_wallet: [`0x${"d".repeat(40)}`],
      backup_codes: ["one-1", "two-2"],
    });
    expect(
      (await call("POST", `/v1/users/${user.id}/passkeys`, { name: "Key", credential_id: unique("cred"), public_key: "pQECAyYgASFYIA" })).status,
    ).toBe(200);
    const account = { provider: "oauth_google", provider_user_id: unique("gid"), access_token: "ya29.token" };
    expect((await call("POST", `/v1/users/${user.id}/external_accounts`, account)).status).toBe(200);
    const stored = (await env.DB.prepare("SELECT children_json FROM users WHERE id = ?").bind(user.id).first<{ children_json: string }>())!;
    const doc = JSON.parse(stored.children_json);
    const tables = { e: emailAddresses, p: phoneNumbers, w: web3Wallets, k: passkeys, x: externalAccounts } as const;
    for (const key of Object.keys(tables) as (keyof typeof tables)[]) {
      const columns: Record<string, { name: string }> = getTableColumns(tables[key]);
      expect(doc[key], key).toHaveLength(1);
      expect(Object.keys(doc[key][0]).sort(), key).toEqual(CHILD_COLUMNS[key].map((field) => columns[field]!.name).sort());
    }
    expect(doc.b).toBe(2);
  });

  it("LOWEST_SPAN and DEFAULT_SPAN_DOCS are the database's", async () => {
    const lowest = await env.DB.prepare("SELECT cast(min(lo) AS text) AS lo FROM search_spans").first<{ lo: string }>();
    expect(lowest!.lo).toBe(LOWEST_SPAN);
    const settings = await env.DB.prepare("SELECT span_docs FROM search_settings WHERE id = 1").first<{ span_docs: number }>();
    expect(settings!.span_docs).toBe(DEFAULT_SPAN_DOCS);
  });
});

describe("migration plans", () => {
  /** drizzle-kit's statements for a column change of email_addresses (copy, drop, rename). */
  const COPY_AND_RENAME = [
    "PRAGMA foreign_keys=OFF;",
    "CREATE TABLE `__new_email_addresses` (`id` text PRIMARY KEY NOT NULL);",
    'INSERT INTO `__new_email_addresses`("id") SELECT "id" FROM `email_addresses`;',
    "DROP TABLE `email_addresses`;",
    "ALTER TABLE `__new_email_addresses` RENAME TO `email_addresses`;",
    "PRAGMA foreign_keys=ON;",
    "CREATE INDEX `email_addresses_user_id_idx` ON `email_addresses` (`user_id`);",
  ].join("--> statement-breakpoint\n");

  it("find the tables a migration copies, drops or renames, not those it adds to", () => {
    expect([...touchedTables(COPY_AND_RENAME)]).toEqual(["email_addresses"]);
    const others = [
      "ALTER TABLE `users` ADD `locale2` text;",
      "DROP TABLE IF EXISTS images;",
      "ALTER TABLE passkeys RENAME COLUMN name TO label;",
      "ALTER TABLE `phone_numbers` DROP COLUMN `reserved`;",
    ];
    expect([...touchedTables(others.join("--> statement-breakpoint\n"))].sort()).toEqual(["images", "passkeys", "phone_numbers"]);
  });

  it("know which tables are parents of ON DELETE CASCADE keys (dropping one on D1 deletes the children)", () => {
    expect(cascadeParents().get("users")).toEqual(expect.arrayContaining(["email_addresses", "backup_codes", "organization_memberships"]));
    expect(cascadeParents().has("email_addresses")).toBe(false);
  });

  it("around a copy of email_addresses, drop and re-create what reads it (through the view too), and refill nothing", async () => {
    const plan = await planMigration({ applied: await currentSnapshot(), touched: touchedTables(COPY_AND_RENAME) });
    expect(plan.changed).toEqual([]);
    expect(plan.refilled).toEqual([]);
    const expected = [
      "email_addresses_search_ai",
      "email_addresses_search_au",
      "email_addresses_search_ad",
      "user_children_documents",
      // Every children trigger reads the view, whatever table it is on.
      ...["email_addresses", "phone_numbers", "web3_wallets", "passkeys", "external_accounts", "backup_codes"].flatMap((table) =>
        ["ai", "au", "ad"].map((event) => `${table}_children_${event}`),
      ),
    ];
    expect([...plan.recreated].sort()).toEqual(expected.sort());
    expect(plan.before.join("\n")).toContain("DROP VIEW IF EXISTS user_children_documents");
    expect(plan.after.join("\n")).not.toContain("rebuild");
  });

  it("for a changed definition, re-create it and refill its group and the groups computed from it", async () => {
    const applied: DerivedSnapshot = structuredClone(await currentSnapshot());
    applied.objects.user_sort_keys!.sha256 = "0".repeat(64);
    delete applied.objects.users_totals_ad;
    applied.objects.old_trigger = { kind: "trigger", group: "totals", sha256: "1".repeat(64) };
    const plan = await planMigration({ applied });
    expect(plan.changed.sort()).toEqual(["user_sort_keys", "users_totals_ad"]);
    expect(plan.removed).toEqual(["old_trigger"]);
    expect(plan.refilled).toEqual(["search", "search-spans", "totals"]);
    expect(plan.before).toContain("DROP TRIGGER IF EXISTS old_trigger");
    // The FTS table itself did not change: it stays, and its index is rebuilt from the documents.
    expect(plan.recreated).not.toContain("user_search");
    expect(plan.after).toContain("INSERT INTO user_search(user_search) VALUES ('rebuild')");

    // Run on this database: searches, spans, sort keys and the user count come out whole.
    const term = unique("plan");
    const users = await Promise.all([1, 2, 3].map((n) => createUser({ email_address: [`${term}${n}@example.com`], last_name: `Plan${n}` })));
    await env.DB.batch([...plan.before, ...plan.after].map((statement) => env.DB.prepare(statement)));
    const search = await call("GET", `/v1/users?query=${term}&order_by=-last_name`);
    expect(search.body.map((u: { id: string }) => u.id)).toEqual(users.map((u) => u.id).reverse());
    const integrity = await env.DB.prepare("INSERT INTO user_search(user_search) VALUES ('integrity-check')").run();
    expect(integrity.success).toBe(true);
    const counts = await env.DB.prepare(
      "SELECT (SELECT sum(docs) FROM search_spans) AS spans, (SELECT count(*) FROM user_search_documents) AS docs, (SELECT users FROM user_totals) AS total, (SELECT count(*) FROM users) AS users",
    ).first<Record<string, number>>();
    expect(counts!.spans).toBe(counts!.docs);
    expect(counts!.total).toBe(counts!.users);
    expect(await derivedObjectDifferences(env.DB)).toEqual([]);
  });
});
