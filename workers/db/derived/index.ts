/**
 * The one source of every derived SQL object: the tables, views, FTS5 table and triggers that
 * keep copies of the data drizzle's tables hold (workers/db/schema.ts), which drizzle-kit neither
 * knows nor can generate. Each group (search.ts, search-spans.ts, children.ts, totals.ts) lists its
 * objects in creation order and the statements that recompute its data from scratch (`refill`).
 * The SQL is rendered from the constants the Worker uses (constants.ts), so the two agree.
 *
 * Everything else is generated from here by `npm run db:generate` (scripts/db-generate.mjs):
 * - migrations: drizzle-kit writes the schema change, then the wrapper puts around it the
 *   drops and re-creations of every derived object that depends on a table drizzle-kit copies,
 *   drops or renames (a `__new_<table>` copy-and-rename drops the table's triggers, and fails on a
 *   view that reads the table), and of every object whose definition here differs from the one
 *   the migrations left (migrations/meta/_derived.json records those, as hashes). A group with a
 *   new or changed object is refilled (with its triggers dropped), so its data follows the new
 *   definition; a copy-and-rename keeps every row as it was, so it refills nothing. Refilling
 *   the search group rebuilds the FTS index, which is minutes of D1 CPU on a large database: the
 *   wrapper says so when it does.
 * - scripts/rebuild-derived-data.sql: drops and re-creates every view, trigger and the FTS table,
 *   and refills every group, for data restored without going through the API.
 * test/routes/derived-objects.test.ts compares sqlite_master after all migrations with
 * DERIVED_OBJECTS, and the snapshot and the rebuild script with what this module renders now;
 * CI runs `npm run db:generate -- --check`.
 *
 * To add or change a derived object: edit (or add) its group's file here, keeping each CREATE
 * statement plain (no IF NOT EXISTS; the generators add what they need); a new group goes into
 * DERIVED_GROUPS, after the groups its data is computed from (and names them in `after`). A
 * trigger must not depend on the order in which SQLite fires it among the table's other
 * triggers. Then run `npm run db:generate` and commit the migration, the snapshot and the
 * rebuild script it writes. Never edit an applied migration.
 */
import { getTableConfig, SQLiteTable } from "drizzle-orm/sqlite-core";
import { is } from "drizzle-orm";
import * as schema from "../schema";
import { children } from "./children";
import type { DerivedGroup, DerivedObject, ObjectKind } from "./model";
import { search } from "./search";
import { searchSpans } from "./search-spans";
import { mentions, normalizeSql, tokens } from "./sql-text";
import { totals } from "./totals";

export type { DerivedGroup, DerivedObject, ObjectKind } from "./model";
export { normalizeSql } from "./sql-text";

/** Every group, in creation and refill order. */
export const DERIVED_GROUPS: readonly DerivedGroup[] = [search, searchSpans, children, totals];

/** Every derived object: the manifest that sqlite_master must match after all migrations. */
export const DERIVED_OBJECTS: readonly DerivedObject[] = DERIVED_GROUPS.flatMap((group) => group.objects);

const groupOf = new Map(DERIVED_GROUPS.flatMap((group) => group.objects.map((object) => [object.name, group] as const)));

/** drizzle's tables (schema.ts): what drizzle-kit generates migrations for. */
export const DRIZZLE_TABLES: readonly SQLiteTable[] = (Object.values(schema) as unknown[]).filter((value): value is SQLiteTable =>
  is(value, SQLiteTable),
);

/** The derived objects as the migrations left them: kind and a hash of the normalised SQL. */
export interface DerivedSnapshot {
  version: 1;
  objects: Record<string, { kind: ObjectKind; group: string; sha256: string }>;
}

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** The snapshot of the objects defined here. */
export async function currentSnapshot(): Promise<DerivedSnapshot> {
  const objects: DerivedSnapshot["objects"] = {};
  for (const object of DERIVED_OBJECTS) {
    objects[object.name] = { kind: object.kind, group: groupOf.get(object.name)!.name, sha256: await sha256(normalizeSql(object.sql)) };
  }
  return { version: 1, objects };
}

/**
 * The tables a migration copies, drops or renames, or drops or renames a column of: what the
 * derived objects that read them must be dropped and re-created around. Adding a column or an
 * index touches nothing.
 */
export function touchedTables(migrationSql: string): Set<string> {
  const touched = new Set<string>();
  for (const statement of migrationSql.split("--> statement-breakpoint")) {
    const words = tokens(statement).map((t) => t.text);
    if (words[0] === "create" && words[1] === "table" && words[2]?.startsWith("__new_")) touched.add(words[2].slice("__new_".length));
    if (words[0] === "drop" && words[1] === "table") touched.add(words[2] === "if" ? words[4]! : words[2]!);
    if (words[0] === "alter" && words[1] === "table" && (words[3] === "rename" || words[3] === "drop")) touched.add(words[2]!);
  }
  for (const name of touched) if (name.startsWith("__new_")) touched.delete(name);
  return touched;
}

/** Tables that others reference with ON DELETE CASCADE: dropping one on D1 deletes those rows. */
export function cascadeParents(): Map<string, string[]> {
  const parents = new Map<string, string[]>();
  for (const table of DRIZZLE_TABLES) {
    const config = getTableConfig(table);
    for (const key of config.foreignKeys) {
      if (key.onDelete !== "cascade") continue;
      const parent = getTableConfig(key.reference().foreignTable).name;
      parents.set(parent, [...(parents.get(parent) ?? []), config.name]);
    }
  }
  return parents;
}

export interface MigrationPlan {
  /** Statements before drizzle-kit's: drops. */
  before: string[];
  /** Statements after drizzle-kit's: creations, seeds, refills, triggers. */
  after: string[];
  /** Objects that are new or differ from the snapshot. */
  changed: string[];
  /** Objects in the snapshot that are no longer defined. */
  removed: string[];
  /** Every object dropped and re-created (changed ones included). */
  recreated: string[];
  /** Groups whose data is recomputed. */
  refilled: string[];
}

const DROP_ORDER: readonly ObjectKind[] = ["trigger", "view", "virtual table", "index", "table"];
const CREATE_ORDER: readonly ObjectKind[] = ["table", "index", "view", "virtual table"];

const dropStatement = (kind: ObjectKind, name: string) => `DROP ${kind === "virtual table" ? "TABLE" : kind.toUpperCase()} IF EXISTS ${name}`;

/** Groups to refill: those given, and every group computed from one of them. */
function withDependants(groups: Set<string>): Set<string> {
  for (const group of DERIVED_GROUPS) if (group.after?.some((name) => groups.has(name))) groups.add(group.name);
  return groups;
}

/**
 * The statements that drop `recreate` (and `removed`), then, after whatever runs in between,
 * re-create them, refill `refilled` and re-create the triggers. With `keepTables` (the rebuild
 * script), tables and their indexes are created only if missing and never dropped.
 */
function render(recreate: Set<string>, removed: [string, ObjectKind][], refilled: Set<string>, keepTables: boolean) {
  const kept = (object: DerivedObject) => keepTables && (object.kind === "table" || object.kind === "index");
  const dropped: [string, ObjectKind][] = [
    ...removed,
    ...[...DERIVED_OBJECTS]
      .reverse()
      .flatMap((object) => (recreate.has(object.name) && !kept(object) ? [[object.name, object.kind] as [string, ObjectKind]] : [])),
  ];
  const before = DROP_ORDER.flatMap((kind) => dropped.filter(([, k]) => k === kind).map(([name]) => dropStatement(kind, name)));
  const after: string[] = [];
  for (const kind of CREATE_ORDER) {
    for (const object of DERIVED_OBJECTS) {
      if (object.kind !== kind || !recreate.has(object.name)) continue;
      after.push(kept(object) ? object.sql.replace(/^CREATE (UNIQUE )?(TABLE|INDEX) /, "CREATE $1$2 IF NOT EXISTS ") : object.sql);
      after.push(...(object.seed ?? []));
    }
  }
  for (const group of DERIVED_GROUPS) if (refilled.has(group.name)) after.push(...group.refill);
  for (const object of DERIVED_OBJECTS) if (object.kind === "trigger" && recreate.has(object.name)) after.push(object.sql);
  return { before, after };
}

/**
 * What a migration must do for the derived objects, given the snapshot of what the earlier
 * migrations left and the tables drizzle-kit's part of it touches. With `recreateAll`, every view
 * and trigger is dropped and re-created without refilling (for definitions that keep their
 * meaning; without a snapshot, the database is assumed to hold the objects defined here).
 */
export async function planMigration(options: {
  applied?: DerivedSnapshot;
  touched?: Iterable<string>;
  recreateAll?: boolean;
}): Promise<MigrationPlan> {
  const target = await currentSnapshot();
  const applied = options.applied ?? (options.recreateAll ? target : undefined);
  if (!applied) throw new Error("no snapshot of the derived objects the migrations leave (migrations/meta/_derived.json)");
  const changed = DERIVED_OBJECTS.filter((object) => applied.objects[object.name]?.sha256 !== target.objects[object.name]!.sha256).map((o) => o.name);
  const removed = Object.entries(applied.objects)
    .filter(([name]) => !groupOf.has(name))
    .map(([name, { kind }]) => [name, kind] as [string, ObjectKind]);
  const refilled = withDependants(new Set(changed.map((name) => groupOf.get(name)!.name)));

  const recreate = new Set(changed);
  for (const object of DERIVED_OBJECTS) {
    const triggerOfRefilled = object.kind === "trigger" && refilled.has(groupOf.get(object.name)!.name);
    if (triggerOfRefilled || (options.recreateAll && (object.kind === "trigger" || object.kind === "view"))) recreate.add(object.name);
  }
  // Views, triggers and indexes that read something dropped go too, until nothing more does.
  // Tables and the FTS table only when they changed: they hold data.
  const gone = new Set([...(options.touched ?? []), ...removed.map(([name]) => name), ...recreate]);
  const known = new Set([...gone, ...DERIVED_OBJECTS.map((object) => object.name)]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const object of DERIVED_OBJECTS) {
      if (recreate.has(object.name) || !["view", "trigger", "index"].includes(object.kind)) continue;
      const read = mentions(object.sql, known);
      read.delete(object.name);
      if ([...read].some((name) => gone.has(name))) {
        recreate.add(object.name);
        gone.add(object.name);
        grew = true;
      }
    }
  }
  return {
    ...render(recreate, removed, refilled, false),
    changed,
    removed: removed.map(([name]) => name),
    recreated: DERIVED_OBJECTS.filter((object) => recreate.has(object.name)).map((object) => object.name),
    refilled: DERIVED_GROUPS.filter((group) => refilled.has(group.name)).map((group) => group.name),
  };
}

/** scripts/rebuild-derived-data.sql: every derived object re-created, every group refilled. */
export function rebuildScript(): string {
  const all = new Set(DERIVED_OBJECTS.map((object) => object.name));
  const { before, after } = render(all, [], new Set(DERIVED_GROUPS.map((group) => group.name)), true);
  const lines = [
    "-- GENERATED by `npm run db:generate` from workers/db/derived/ (edit those, not this file).",
    "--",
    "-- Rebuilds every derived copy from the tables it is derived from:",
    ...DERIVED_GROUPS.map((group) => `-- - ${group.title};`),
    "-- Run it after restoring data that was imported without going through the API (e.g. a",
    "-- `wrangler d1 export --table …` backup):",
    "--   wrangler d1 execute <database> --remote --file scripts/rebuild-derived-data.sql",
    "-- Every trigger and view, and the FTS table, are dropped and re-created, so the data is",
    "-- recomputed without firing any trigger, and a damaged search index is replaced.",
    "",
    ...[...before, ...after].map((statement) => `${statement};`),
    "",
  ];
  return lines.join("\n");
}
