// Types for records.mjs (plain JS so that Node runs it without a TS loader).
export type UserRecord = Record<string, unknown>;
export interface RecordProblem {
  code: string;
  message: string;
}
export type Mapped = { record: UserRecord } | { error: RecordProblem };
export declare const CLERK_CSV_COLUMNS: string[];
export declare const CLERK_JSON_KEYS: string[];
export declare function splitList(cell: string): string[];
export declare function createCsvMapper(header: string[]): { unknownColumns: string[]; map(cells: string[]): Mapped };
export declare function mapClerkJsonUser(value: unknown, onUnknownKey?: (key: string) => void): Mapped;
export declare function mapNdjsonUser(value: unknown): Mapped;
