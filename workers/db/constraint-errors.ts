/**
 * Recognising SQLite constraint failures in D1 errors. D1 reports them only as text (in the
 * message, or in the cause drizzle wraps), so this is the one place that reads that text.
 */

/** The error's message and cause as one string. */
export function d1ErrorText(error: unknown): string {
  return String((error as { message?: unknown })?.message ?? error) + String((error as { cause?: unknown })?.cause ?? "");
}

/**
 * Whether `error` is a UNIQUE violation (e.g. a concurrent create won the race); with `column`
 * (`table.` or `table.column`), only on that table or column.
 */
export function isUniqueViolation(error: unknown, column?: string): boolean {
  const text = d1ErrorText(error);
  return text.includes("UNIQUE constraint failed") && (column === undefined || text.includes(column));
}

/** Whether `error` is a FOREIGN KEY violation (e.g. the parent row was deleted concurrently). */
export function isForeignKeyViolation(error: unknown): boolean {
  return d1ErrorText(error).includes("FOREIGN KEY constraint failed");
}

/**
 * Whether `error` may be FTS5 failing to read a search document its index still lists (a damaged
 * index, which scripts/rebuild-derived-data.sql repairs). SQLite reports that as
 * SQLITE_CORRUPT_VTAB ("fts5: missing row …"); local D1 passes it on only as an opaque "internal
 * error; reference = …", the text it gives every failure inside workerd. So a match here is not
 * proof: the caller must confirm the damage in the index itself before treating the error as it
 * (workers/db/user-search/plan-ranked.ts does, with one bounded statement).
 */
export function mayBeMissingSearchDocument(error: unknown): boolean {
  const text = d1ErrorText(error);
  return text.includes("SQLITE_CORRUPT") || text.includes("fts5: missing row") || text.includes("internal error; reference = ");
}
