#!/usr/bin/env node
/**
 * `npm run db:generate`: drizzle-kit's migration for a change to workers/db/schema.ts, made safe
 * for the derived objects drizzle-kit does not know (workers/db/derived/, whose header explains
 * the design), plus a migration for changes to those objects themselves.
 *
 * 1. `drizzle-kit generate` (extra arguments pass through: `-- --name add_locale`, `-- --custom`).
 * 2. The derived objects that read a table its migration copies, drops or renames, and the objects
 *    whose definition changed since migrations/meta/_derived.json, are dropped before drizzle-kit's
 *    statements and re-created after them, their groups refilled where a definition changed
 *    (planMigration). If only derived objects changed, the migration is a new `--custom` one.
 * 3. migrations/meta/_derived.json and scripts/rebuild-derived-data.sql are rewritten.
 *
 * `-- --check` writes nothing and fails unless there is nothing to generate: drizzle-kit finds no
 * schema change (run against a copy of migrations/), the derived objects match the snapshot and
 * the rebuild script is current. `-- --recreate` drops and re-creates every derived view and
 * trigger without refilling (for rewordings that keep their meaning).
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { tsImport } from "tsx/esm/api";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const migrationsDir = join(root, "migrations");
const snapshotPath = join(migrationsDir, "meta/_derived.json");
const rebuildPath = join(root, "scripts/rebuild-derived-data.sql");
const BREAKPOINT = "--> statement-breakpoint";

const derived = await tsImport("../workers/db/derived/index.ts", import.meta.url);

const args = process.argv.slice(2);
const check = args.includes("--check");
const recreateAll = args.includes("--recreate");
const passThrough = args.filter((arg) => arg !== "--check" && arg !== "--recreate");

/** Runs drizzle-kit from the repository root; its output is returned and echoed. */
function drizzleKit(extra) {
  const result = spawnSync(join(root, "node_modules/.bin/drizzle-kit"), ["generate", ...extra], { cwd: root, encoding: "utf8" });
  const output = `${result.stdout}${result.stderr}`;
  process.stdout.write(output);
  // drizzle-kit exits 0 on some failures (a bad --out, a schema that does not load).
  if (result.status !== 0 || /\bError\b/.test(output)) throw new Error(`drizzle-kit generate failed (exit ${result.status})`);
  return output;
}

const sqlFiles = (dir) =>
  readdirSync(dir)
    .filter((name) => name.endsWith(".sql"))
    .sort();
const readSnapshot = () => (existsSync(snapshotPath) ? JSON.parse(readFileSync(snapshotPath, "utf8")) : undefined);
const isEmpty = (plan) => plan.before.length === 0 && plan.after.length === 0;

/** Statements of a migration file, without their final semicolons (drizzle-kit's --custom placeholder is a comment). */
const statementsOf = (text) =>
  text
    .split(BREAKPOINT)
    .map((chunk) => chunk.trim().replace(/;$/, ""))
    .filter((chunk) => derived.normalizeSql(chunk) !== "");

if (check) {
  const problems = [];
  // drizzle-kit writes into its --out folder when it finds changes: give it a copy.
  const scratch = mkdtempSync(join(tmpdir(), "db-generate-check-"));
  try {
    cpSync(migrationsDir, join(scratch, "migrations"), { recursive: true });
    const out = join(scratch, "migrations");
    const output = drizzleKit(["--dialect", "sqlite", "--schema", "./workers/db/schema.ts", "--out", relative(root, out)]);
    if (!/No schema changes, nothing to migrate/.test(output) || sqlFiles(out).length !== sqlFiles(migrationsDir).length) {
      problems.push("workers/db/schema.ts has changes no migration holds");
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const plan = await derived.planMigration({ applied: readSnapshot() });
  if (!isEmpty(plan)) problems.push(`derived objects differ from migrations/meta/_derived.json: ${[...plan.changed, ...plan.removed].join(", ")}`);
  if (readFileSync(rebuildPath, "utf8") !== derived.rebuildScript())
    problems.push("scripts/rebuild-derived-data.sql is not the one workers/db/derived/ renders");
  for (const problem of problems) console.error(`db:generate --check: ${problem}; run npm run db:generate`);
  process.exit(problems.length ? 1 : 0);
}

const before = new Set(sqlFiles(migrationsDir));
drizzleKit(passThrough);
const written = sqlFiles(migrationsDir).filter((name) => !before.has(name));
if (written.length > 1) throw new Error(`drizzle-kit wrote ${written.length} migrations: ${written.join(", ")}`);
let file = written[0];
const drizzleSql = file ? readFileSync(join(migrationsDir, file), "utf8") : "";

const touched = derived.touchedTables(drizzleSql);
const plan = await derived.planMigration({ applied: readSnapshot(), touched, recreateAll });

// On D1 a migration cannot turn foreign keys off (it runs in a transaction), so dropping a
// parent table deletes its children through ON DELETE CASCADE, as a copy-and-rename does.
for (const [parent, childTables] of derived.cascadeParents()) {
  if (touched.has(parent)) {
    console.warn(
      `WARNING: the migration drops table ${parent}; on D1 that deletes every row of ${childTables.join(", ")} (ON DELETE CASCADE). Rewrite it before applying.`,
    );
  }
}

if (!isEmpty(plan)) {
  if (!file) {
    // Only derived objects changed: a custom migration registers the file in drizzle's journal.
    const named = passThrough.includes("--name") ? [] : ["--name", "derived_objects"];
    drizzleKit([...passThrough, "--custom", ...named]);
    file = sqlFiles(migrationsDir).find((name) => !before.has(name));
  }
  const header = [
    "-- Derived objects (workers/db/derived/), placed by npm run db:generate around drizzle-kit's statements:",
    ...(recreateAll ? ["-- every view and trigger re-created as defined there (--recreate), no data recomputed"] : []),
    ...(touched.size ? [`-- tables drizzle-kit copies, drops or renames: ${[...touched].join(", ")}`] : []),
    ...(plan.changed.length ? [`-- new or changed: ${plan.changed.join(", ")}`] : []),
    `-- dropped and re-created: ${plan.recreated.join(", ") || "none"}`,
    ...(plan.removed.length ? [`-- removed: ${plan.removed.join(", ")}`] : []),
    ...(plan.refilled.length ? [`-- refilled: ${plan.refilled.join(", ")}`] : []),
  ].join("\n");
  const drizzleStatements = statementsOf(drizzleSql);
  const statements = [...plan.before, ...drizzleStatements, ...plan.after];
  writeFileSync(join(migrationsDir, file), `${header}\n${statements.map((s) => `${s};`).join(`\n${BREAKPOINT}\n`)}\n`);
  console.log(`db:generate: derived objects dropped and re-created in migrations/${file}: ${plan.recreated.length}`);
  if (plan.refilled.includes("search")) {
    console.warn("db:generate: this migration rebuilds the search index: minutes of D1 CPU on a large database.");
  }
}
writeFileSync(snapshotPath, `${JSON.stringify(await derived.currentSnapshot(), null, 2)}\n`);
writeFileSync(rebuildPath, derived.rebuildScript());
