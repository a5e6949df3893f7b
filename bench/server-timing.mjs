/**
 * Parses the Worker's `Server-Timing` header:
 * `db;dur=1.8;desc="rows_read=12 rows_written=0 queries=2 max_query_ms=3.1"` (D1 calls made and the
 * longest one as the Worker timed it; ` unmetered=n` inside desc when some statements could not
 * be metered).
 * Shared by the workerd tests (test/perf-helpers.ts) and the HTTP bench (bench/run.mjs).
 */
const PATTERN = /^db;dur=(\d+(?:\.\d+)?);desc="rows_read=(\d+) rows_written=(\d+) queries=(\d+) max_query_ms=(\d+\.\d)(?: unmetered=(\d+))?"$/;

/** The numbers of a well-formed header, or undefined when it is missing or malformed. */
export function parseServerTiming(header) {
  if (typeof header !== "string") return undefined;
  const match = PATTERN.exec(header.trim());
  if (!match) return undefined;
  return {
    durationMs: Number(match[1]),
    rowsRead: Number(match[2]),
    rowsWritten: Number(match[3]),
    queries: Number(match[4]),
    maxQueryMs: Number(match[5]),
    unmetered: Number(match[6] ?? 0),
  };
}
