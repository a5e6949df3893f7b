// Types for json-stream.mjs (plain JS so that Node runs it without a TS loader).
import { InputError } from "./errors.mjs";

export type JsonItem = { line: number; value: unknown } | { line: number; error: string };
export declare class JsonStreamError extends InputError {
  constructor(message: string, line: number);
}
export declare class JsonArrayParser {
  constructor(options?: { maxRecordChars?: number });
  push(chunk: string): JsonItem[];
  end(): [];
}
export declare function parseJsonArray(
  chunks: AsyncIterable<string> | Iterable<string>,
  options?: { maxRecordChars?: number },
): AsyncGenerator<JsonItem>;
export declare function parseNdjson(
  chunks: AsyncIterable<string> | Iterable<string>,
  options?: { maxRecordChars?: number },
): AsyncGenerator<JsonItem>;
