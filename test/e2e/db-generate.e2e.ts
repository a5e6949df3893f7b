/**
 * `npm run db:generate` (scripts/db-generate.mjs) for real, on the change issue 14 names: making
 * email_addresses.verification_status NOT NULL, which drizzle-kit migrates by copying the table
 * (`__new_email_addresses`), dropping it and renaming the copy. That drops the table's six
 * triggers and fails on the view user_children_documents. In a copy of the repository, a local D1
 * (Miniflare) gets every migration and some users, then drizzle-kit's own migration is shown to
 * fail, then the wrapper's is applied and the derived objects and data are checked.
 */
import { readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { derivedObjectDifferences } from "../derived-objects";

const ROOT = resolve(__dirname, "../..");
const USERS = 12;

type D1 = Awaited<ReturnType<Miniflare["getD1Database"]>>;

let work: string;
let mf: Miniflare;
let db: D1;

/** Applies the migrations of `dir` (all, or the one file named), each in one batch, as D1 does. */
async function migrate(dir: string, file?: string) {
  for (const migration of await readD1Migrations(dir)) {
    if (!file || migration.name.replace(/\.sql$/, "") === file.replace(/\.sql$/, ""))
      await db.batch(migration.queries.map((query) => db.prepare(query)));
  }
}

const run = (command: string, args: string[]) => {
  const result = spawnSync(command, args, { cwd: work, encoding: "utf8" });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
};

const sqlFiles = (dir: string) =>
  readdirSync(dir)
    .filter((name) => name.endsWith(".sql"))
    .sort();

/** Fails unless every user's children_json, search document and index entry is what its rows say. */
async function expectDerivedDataCurrent() {
  const stale = await db
    .prepare("SELECT count(*) AS n FROM users u WHERE u.children_json IS NOT (SELECT doc FROM user_children_documents d WHERE d.user_id = u.id)")
    .first<{ n: number }>();
  expect(stale!.n).toBe(0);
  const counts = await db
    .prepare(
      "SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM user_search_documents) AS docs, (SELECT sum(docs) FROM search_spans) AS spanned, (SELECT users FROM user_totals WHERE id = 1) AS total",
    )
    .first<Record<string, number>>();
  expect(counts).toEqual({ users: counts!.users, docs: counts!.users, spanned: counts!.users, total: counts!.users });
  await db.prepare("INSERT INTO user_search(user_search) VALUES ('integrity-check')").run();
  // Each address finds exactly its user through the FTS index.
  const emails = (
    await db.prepare("SELECT user_id, email_address_normalized AS email FROM email_addresses").all<{ user_id: string; email: string }>()
  ).results;
  expect(emails.length).toBeGreaterThan(0);
  for (const { user_id, email } of emails) {
    const found = await db
      .prepare("SELECT d.user_id FROM user_search s JOIN user_search_documents d ON d.doc_id = s.rowid WHERE user_search MATCH ?")
      .bind(`emails:"${email}"`)
      .all();
    expect(found.results, email).toEqual([{ user_id }]);
  }
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "db-generate-"));
  for (const path of ["workers", "migrations", "scripts", "drizzle.config.ts", "package.json"])
    cpSync(join(ROOT, path), join(work, path), { recursive: true });
  symlinkSync(join(ROOT, "node_modules"), join(work, "node_modules"));
  const schemaPath = join(work, "workers/db/schema.ts");
  const schema = readFileSync(schemaPath, "utf8");
  const table = schema.indexOf('sqliteTable(\n  "email_addresses"');
  const nullable = 'verificationStatus: text("verification_status"),';
  const column = schema.indexOf(nullable, table);
  expect(table).toBeGreaterThan(0);
  expect(column).toBeGreaterThan(table);
  writeFileSync(
    schemaPath,
    `${schema.slice(0, column)}verificationStatus: text("verification_status").notNull(),${schema.slice(column + nullable.length)}`,
  );

  mf = new Miniflare({ modules: true, script: "export default {}", d1Databases: { DB: "db-generate" } });
  db = await mf.getD1Database("DB");
  await migrate(join(work, "migrations"));
  // Small spans, so the users below make several and the span triggers split them.
  await db.prepare("UPDATE search_settings SET span_docs = 2").run();
  const statements = [];
  for (let i = 0; i < USERS; i++) {
    const at = 1_700_000_000_000 + Math.floor(i / 3); // three users per millisecond
    statements.push(
      db
        .prepare("INSERT INTO users (id, first_name, last_name, username_normalized, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)")
        .bind(`user_${i}`, `First${i}`, `Last${i}`, `name${i}`, at, at),
      db
        .prepare(
          "INSERT INTO email_addresses (id, user_id, email_address, email_address_normalized, verification_status, created_at, updated_at) VALUES (?, ?, ?, ?, 'verified', ?, ?)",
        )
        .bind(`idn_e${i}`, `user_${i}`, `Person${i}@Example.com`, `person${i}@example.com`, at, at),
      db
        .prepare("INSERT INTO phone_numbers (id, user_id, phone_number, created_at, updated_at) VALUES (?, ?, ?, ?, ?)")
        .bind(`idn_p${i}`, `user_${i}`, `+1555555${String(i).padStart(4, "0")}`, at, at),
    );
  }
  await db.batch(statements);
  await expectDerivedDataCurrent();
}, 60_000);

afterAll(async () => {
  await mf?.dispose();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("npm run db:generate on a change drizzle-kit migrates by copying a table", () => {
  it("drizzle-kit's own migration fails on the view that reads the table", async () => {
    const out = join(work, "raw-migrations");
    cpSync(join(work, "migrations"), out, { recursive: true });
    const raw = run(join(work, "node_modules/.bin/drizzle-kit"), [
      "generate",
      "--dialect",
      "sqlite",
      "--schema",
      "./workers/db/schema.ts",
      "--out",
      relative(work, out),
    ]);
    expect(raw.output).toContain("Your SQL migration file");
    const [file] = sqlFiles(out).filter((name) => !sqlFiles(join(work, "migrations")).includes(name));
    expect(readFileSync(join(out, file!), "utf8")).toContain("CREATE TABLE `__new_email_addresses`");
    await expect(migrate(out, file)).rejects.toThrow(/user_children_documents/);
    // The batch was one transaction: nothing of it stayed.
    expect(await derivedObjectDifferences(db)).toEqual([]);
  }, 60_000);

  it("wraps it so that every derived object is re-created and the data stays right", async () => {
    const before = sqlFiles(join(work, "migrations"));
    const result = run(process.execPath, ["scripts/db-generate.mjs", "--name", "status_required"]);
    expect(result.status, result.output).toBe(0);
    const written = sqlFiles(join(work, "migrations")).filter((name) => !before.includes(name));
    expect(written).toHaveLength(1);
    const text = readFileSync(join(work, "migrations", written[0]!), "utf8");
    // The view goes before the copy-and-rename and comes back after it; the index is not rebuilt.
    expect(text.indexOf("DROP VIEW IF EXISTS user_children_documents")).toBeLessThan(text.indexOf("__new_email_addresses"));
    expect(text.lastIndexOf("CREATE VIEW user_children_documents")).toBeGreaterThan(text.lastIndexOf("__new_email_addresses"));
    expect(text).not.toContain("'rebuild'");

    await migrate(join(work, "migrations"), written[0]);
    const column = await db
      .prepare("SELECT \"notnull\" AS required FROM pragma_table_info('email_addresses') WHERE name = 'verification_status'")
      .first<{ required: number }>();
    expect(column!.required).toBe(1);
    expect(await derivedObjectDifferences(db)).toEqual([]);
    await expectDerivedDataCurrent();

    // The re-created triggers follow writes to the copied table.
    await db.batch([
      db.prepare(
        "INSERT INTO email_addresses (id, user_id, email_address, email_address_normalized, verification_status, created_at, updated_at) VALUES ('idn_new', 'user_0', 'New@Example.com', 'new@example.com', 'unverified', 1, 1)",
      ),
      db.prepare("UPDATE email_addresses SET verification_status = 'unverified' WHERE id = 'idn_e1'"),
      db.prepare("DELETE FROM email_addresses WHERE id = 'idn_e2'"),
      db.prepare("DELETE FROM users WHERE id = 'user_3'"),
    ]);
    await expectDerivedDataCurrent();
    const copy = JSON.parse(
      (await db.prepare("SELECT children_json FROM users WHERE id = 'user_1'").first<{ children_json: string }>())!.children_json,
    );
    expect(copy.e[0].verification_status).toBe("unverified");

    // Nothing is left to generate, and the committed rebuild script is still the one rendered.
    const check = run(process.execPath, ["scripts/db-generate.mjs", "--check"]);
    expect(check.status, check.output).toBe(0);
  }, 60_000);
});
