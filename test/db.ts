/**
 * Direct reads of the test database, for assertions the API cannot make on its own
 * (nothing half-written, child rows gone). Reads only: writes go through the API.
 */
import { env } from "cloudflare:test";
import { is, SQL } from "drizzle-orm";
import { SQLiteAsyncDialect } from "drizzle-orm/sqlite-core";

export const USER_TABLES = [
  "users",
  "email_addresses",
  "phone_numbers",
  "web3_wallets",
  "passkeys",
  "external_accounts",
  "backup_codes",
  "images",
] as const;

export type TableCounts = Record<(typeof USER_TABLES)[number], number>;

/** Row counts of every table that holds user data. */
export async function tableCounts(): Promise<TableCounts> {
  const results = await env.DB.batch(USER_TABLES.map((table) => env.DB.prepare(`select count(*) as n from ${table}`)));
  return Object.fromEntries(USER_TABLES.map((table, i) => [table, Number((results[i].results[0] as { n: number }).n)])) as TableCounts;
}

/** Rows of `table` that belong to `userId`. */
export async function rowsOwnedBy(table: (typeof USER_TABLES)[number], userId: string): Promise<number> {
  const column = table === "users" ? "id" : "user_id";
  const row = await env.DB.prepare(`select count(*) as n from ${table} where ${column} = ?`).bind(userId).first<{ n: number }>();
  return Number(row?.n ?? 0);
}

/** SQLite's plan for a drizzle query or SQL fragment (EXPLAIN QUERY PLAN), one line per step. */
export async function queryPlan(query: SQL | { toSQL(): { sql: string; params: unknown[] } }): Promise<string[]> {
  const { sql, params } = is(query, SQL) ? new SQLiteAsyncDialect().sqlToQuery(query) : query.toSQL();
  const rows = await env.DB.prepare(`explain query plan ${sql}`)
    .bind(...params)
    .all<{ detail: string }>();
  return rows.results.map((row) => row.detail);
}
