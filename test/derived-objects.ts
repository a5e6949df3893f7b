/**
 * The derived objects a database holds, read from its sqlite_master, for the tests that compare
 * them with workers/db/derived (in workerd, and in Node on a database db:generate migrated).
 */
import { getTableConfig } from "drizzle-orm/sqlite-core";
import { DERIVED_OBJECTS, DRIZZLE_TABLES, normalizeSql } from "../workers/db/derived";

/** What both D1 bindings (workerd's and Miniflare's in Node) offer. */
interface Database {
  prepare(sql: string): { all<T>(): Promise<{ results: T[] }> };
}

interface MasterRow {
  type: string;
  name: string;
  sql: string;
}

const FTS_SHADOWS = ["data", "idx", "content", "docsize", "config"];

/** The objects in sqlite_master that neither drizzle's schema nor SQLite/D1 account for, by name. */
export async function undeclaredObjects(db: Database): Promise<Map<string, { kind: string; sql: string }>> {
  const rows = (await db.prepare("SELECT type, name, sql FROM sqlite_master").all<MasterRow>()).results;
  const drizzle = new Set(
    DRIZZLE_TABLES.flatMap((table) => [getTableConfig(table).name, ...getTableConfig(table).indexes.map((i) => i.config.name)]),
  );
  const virtual = rows.filter((row) => /^CREATE VIRTUAL TABLE/i.test(row.sql ?? "")).map((row) => row.name);
  const shadows = new Set(virtual.flatMap((name) => FTS_SHADOWS.map((suffix) => `${name}_${suffix}`)));
  const out = new Map<string, { kind: string; sql: string }>();
  for (const row of rows) {
    if (row.name.startsWith("sqlite_") || row.name.startsWith("_cf_") || row.name === "d1_migrations") continue;
    if (drizzle.has(row.name) || shadows.has(row.name)) continue;
    out.set(row.name, { kind: virtual.includes(row.name) ? "virtual table" : row.type, sql: row.sql });
  }
  return out;
}

/**
 * The differences between the database's undeclared objects and DERIVED_OBJECTS: objects missing
 * or extra (`kind name`), and objects whose SQL differs once normalised. Empty when they match.
 */
export async function derivedObjectDifferences(db: Database): Promise<string[]> {
  const found = await undeclaredObjects(db);
  const problems: string[] = [];
  for (const object of DERIVED_OBJECTS) {
    const row = found.get(object.name);
    if (!row || row.kind !== object.kind) problems.push(`missing: ${object.kind} ${object.name}`);
    else if (normalizeSql(row.sql) !== normalizeSql(object.sql)) problems.push(`differs: ${object.kind} ${object.name}`);
    found.delete(object.name);
  }
  for (const [name, row] of found) problems.push(`not declared: ${row.kind} ${name}`);
  return problems;
}
