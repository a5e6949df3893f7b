// Types for run-import.mjs (plain JS so that Node runs it without a TS loader).
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; columns?: number };
  isTTY?: boolean;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  fetch?: typeof fetch;
  devVarsPath?: string;
  signal?: AbortSignal;
}
export declare const MAX_BATCH: number;
export declare const IMPORT_USAGE: string;
export declare function runImport(argv: string[], io: CliIo): Promise<number>;
