// Types for formats.mjs (plain JS so that Node runs it without a TS loader).
import type { RecordProblem, UserRecord } from "./records.mjs";

export type Format = "csv" | "json" | "ndjson";
export type ReadRecord = { line: number; record: UserRecord } | { line: number; error: RecordProblem };
export declare const FORMATS: Format[];
export declare function detectFormat(path: string): Promise<Format>;
export declare function formatOfText(head: string): Format;
export declare function fileChunks(path: string, chunkBytes?: number): AsyncIterable<string>;
export declare function readUserRecords(
  chunks: AsyncIterable<string> | Iterable<string>,
  format: Format,
  options?: { onWarning?: (message: string) => void },
): AsyncGenerator<ReadRecord>;
export declare function countRecords(path: string, format: Format): Promise<number>;
