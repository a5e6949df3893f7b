// Types for csv.mjs (plain JS so that Node runs it without a TS loader).
import { InputError } from "./errors.mjs";

export interface CsvRow {
  cells: string[];
  /** the physical line the record starts on (1-based) */
  line: number;
}
export declare class CsvError extends InputError {
  constructor(message: string, line: number);
}
export declare class CsvParser {
  constructor(options?: { maxRecordChars?: number });
  push(chunk: string): CsvRow[];
  end(): CsvRow[];
}
export declare function parseCsv(chunks: AsyncIterable<string> | Iterable<string>, options?: { maxRecordChars?: number }): AsyncGenerator<CsvRow>;
export declare function csvCell(value: unknown): string;
export declare function csvRecord(cells: unknown[]): string;
