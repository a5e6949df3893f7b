// Types for bench/server-timing.mjs.
export interface DbTiming {
  durationMs: number;
  rowsRead: number;
  rowsWritten: number;
  unmetered: number;
}
export declare function parseServerTiming(header: string | null | undefined): DbTiming | undefined;
