// Types for bench/server-timing.mjs.
export interface DbTiming {
  durationMs: number;
  rowsRead: number;
  rowsWritten: number;
  /** D1 calls the request made (a batch is one). */
  queries: number;
  /** The longest single D1 call, ms, as the Worker timed it. */
  maxQueryMs: number;
  unmetered: number;
}
export declare function parseServerTiming(header: string | null | undefined): DbTiming | undefined;
