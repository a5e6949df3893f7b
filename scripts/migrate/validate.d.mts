// Types for validate.mjs (plain JS so that Node runs it without a TS loader).
import type { RecordProblem } from "./records.mjs";

export declare const RECORD_FIELDS: Record<string, string>;
export declare function createRecordChecker(): { check(record: unknown, line: number): RecordProblem[] };
