/**
 * Parses the Worker's `Server-Timing` header: `db;dur=1.8;desc="rows_read=12 rows_written=0"`
 * (with ` unmetered=n` inside desc when some statements could not be metered).
 * Shared by the workerd tests (test/perf-helpers.ts) and the HTTP bench (bench/run.mjs).
 */
const PATTERN = /^db;dur=(\d+(?:\.\d+)?);desc="rows_read=(\d+) rows_written=(\d+)(?: unmetered=(\d+))?"$/;

/** The numbers of a well-formed header, or undefined when it is missing or malformed. */
export function parseServerTiming(header) {
  if (typeof header !== "string") return undefined;
  const match = PATTERN.exec(header.trim());
  if (!match) return undefined;
  return {
    durationMs: Number(match[1]),
    rowsRead: Number(match[2]),
    rowsWritten: Number(match[3]),
    unmetered: Number(match[4] ?? 0),
  };
}
