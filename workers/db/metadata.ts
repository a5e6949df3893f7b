/**
 * Metadata writes as single statements, shared by users, organizations and memberships.
 *
 * A metadata merge used to read the stored JSON, merge in JS and write the whole column back,
 * so two concurrent merges lost one another's keys. Here the new value of each column the
 * request sent is computed by the UPDATE itself, from the row as it is when the statement runs:
 * `json_patch(column, patch)` for a merge (SQLite's json_patch is RFC 7396 merge-patch: objects
 * merge recursively, `null` removes a key, anything else replaces — Clerk's rule for
 * PATCH …/metadata), the sent object for a replace, `'{}'` for an object sent as `null`.
 * Columns the request did not send are not assigned at all.
 *
 * The size limit is a condition of the same statement (metadataFits, in the WHERE clause of
 * updateRowWithMetadata), so a write that would exceed it changes nothing. Such an UPDATE
 * returns no row, as it does for a missing row; readMetadataSizes tells the two apart
 * afterwards. Where the UPDATE is one statement of a batch, abortBatchUnlessMetadataFits
 * refuses the whole batch instead.
 */
import { and, eq, sql, type SQL } from "drizzle-orm";
import type { SQLiteColumn, SQLiteUpdateSetSource } from "drizzle-orm/sqlite-core";
import type { Db } from "./client";
import { d1ErrorText } from "./constraint-errors";
import type { organizationMemberships, organizations, users } from "./schema";

export type JsonObject = Record<string, unknown>;

/** PATCH …/metadata merges (RFC 7396); PUT …/metadata and metadata on PATCH of the object replace. */
export type MetadataMode = "merge" | "replace";

/** A metadata write on one row. */
export interface MetadataWrite {
  /**
   * Every metadata column of the row that counts towards the limit, by drizzle key. A column's
   * SQL name is also its body parameter (`public_metadata`, …).
   */
  columns: Record<string, SQLiteColumn>;
  /** What the request sent, by parameter: undefined = not sent (kept), null = cleared to {}, an object = merged or replaced. */
  given: Partial<Record<string, JsonObject | null>>;
  mode: MetadataMode;
  /** The limit on the UTF-8 bytes of the columns' JSON texts together. */
  maxBytes: number;
}

/** The column's value after the write (the stored value when the request did not send it). */
function nextValue(column: SQLiteColumn, write: MetadataWrite): SQL {
  const given = write.given[column.name];
  if (given === undefined) return sql`${column}`;
  if (given === null) return sql`'{}'`;
  // JSON.stringify gives json_patch a canonical patch: duplicate keys already resolved, and
  // numbers and escapes written the way the stored text (also JSON.stringify's) writes them.
  const text = JSON.stringify(given);
  return write.mode === "merge" ? sql`json_patch(${column}, ${text})` : sql`${text}`;
}

/**
 * Whether the counted columns after the write, together, fit the limit (a text cast to BLOB is
 * its UTF-8 bytes). True when the request sent no metadata: then nothing changes size.
 */
export function metadataFits(write: MetadataWrite): SQL {
  if (!sendsMetadata(write)) return sql`1`;
  const parts = Object.values(write.columns).map((column) => sql`length(cast(${nextValue(column, write)} as blob))`);
  return sql`(${sql.join(parts, sql` + `)}) <= ${write.maxBytes}`;
}

/** Whether the request sent any of the metadata objects. */
export function sendsMetadata(write: MetadataWrite): boolean {
  return Object.values(write.columns).some((column) => write.given[column.name] !== undefined);
}

/** SET expressions (by drizzle key) for the columns the request sent; `{}` when it sent none. */
export function metadataAssignments(write: MetadataWrite): Record<string, SQL> {
  const out: Record<string, SQL> = {};
  for (const [key, column] of Object.entries(write.columns)) {
    if (write.given[column.name] !== undefined) out[key] = nextValue(column, write);
  }
  return out;
}

/** A table whose rows carry metadata columns, keyed by `id`. */
export type MetadataTable = typeof users | typeof organizations | typeof organizationMemberships;

/**
 * A stored metadata column (the JSON text of an object) as an object: `{}` for none, and for a
 * value that is not an object (which no write of this API stores).
 */
export function storedJsonObject(text: string | null | undefined): JsonObject {
  if (!text) return {};
  const value: unknown = JSON.parse(text);
  return value && typeof value === "object" && !Array.isArray(value) ? (value as JsonObject) : {};
}

/** The other columns an update of a `T` row sets alongside its metadata. */
export type RowUpdate<T extends MetadataTable> = SQLiteUpdateSetSource<T>;

// drizzle's builders are typed per table; these tables share the columns used here.
const asUsers = (table: MetadataTable) => table as typeof users;

/**
 * Updates row `id` with `values` and the metadata assignments of `write`, in one statement
 * that changes nothing unless the result fits the limit. Returns the row as written, or
 * undefined when there is no such row or the limit refused the write (readMetadataSizes tells).
 */
export async function updateRowWithMetadata<T extends MetadataTable>(
  db: Db,
  table: T,
  id: string,
  write: MetadataWrite,
  values: RowUpdate<T>,
): Promise<T["$inferSelect"] | undefined> {
  return updateRowWithMetadataStatement(db, table, id, write, values).get() as Promise<T["$inferSelect"] | undefined>;
}

/** updateRowWithMetadata as a statement for a batch; its result is the rows written (none or one). */
export function updateRowWithMetadataStatement<T extends MetadataTable>(db: Db, table: T, id: string, write: MetadataWrite, values: RowUpdate<T>) {
  return db
    .update(asUsers(table))
    .set({ ...(values as SQLiteUpdateSetSource<typeof users>), ...metadataAssignments(write) })
    .where(and(eq(asUsers(table).id, id), metadataFits(write)))
    .returning();
}

/** The error text of a batch stopped by abortBatchUnlessMetadataFits. */
const METADATA_TOO_LARGE = /NOT NULL constraint failed: \w+\.(public|private|unsafe)_metadata/;

/**
 * A statement that aborts its whole batch when `write` would take row `id` over the limit, as
 * the batch runs: it sets a metadata column (NOT NULL) to NULL only then, which fails and rolls
 * the batch back (the same device as abortBatchUnless in db/users.ts, on another column, so the
 * two failures stay apart). Place it before the UPDATE that carries metadataAssignments(write).
 */
export function abortBatchUnlessMetadataFits(db: Db, table: MetadataTable, id: string, write: MetadataWrite) {
  const [key] = Object.keys(write.columns);
  return db
    .update(asUsers(table))
    .set({ [key]: sql`null` })
    .where(and(eq(asUsers(table).id, id), sql`not ${metadataFits(write)}`));
}

/** Whether `error` is a batch stopped by abortBatchUnlessMetadataFits. */
export function isMetadataTooLarge(error: unknown): boolean {
  return METADATA_TOO_LARGE.test(d1ErrorText(error));
}

/**
 * The UTF-8 bytes each counted column would have if `write` were applied to row `id` as it is
 * now, by parameter; undefined when there is no such row. After a refused write: ids are never
 * reused, so a row that exists now existed when the write ran, and the limit refused it.
 */
export async function readMetadataSizes(db: Db, table: MetadataTable, id: string, write: MetadataWrite): Promise<Record<string, number> | undefined> {
  const columns = Object.values(write.columns);
  const selection = Object.fromEntries(columns.map((column) => [column.name, sql<number>`length(cast(${nextValue(column, write)} as blob))`]));
  const row = await db
    .select(selection)
    .from(asUsers(table))
    .where(eq(asUsers(table).id, id))
    .get();
  return row ? Object.fromEntries(columns.map((column) => [column.name, Number(row[column.name])])) : undefined;
}
