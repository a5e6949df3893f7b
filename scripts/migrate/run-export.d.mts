// Types for run-export.mjs (plain JS so that Node runs it without a TS loader).
import type { CliIo } from "./run-import.mjs";

export declare const EXPORT_USAGE: string;
export declare function runExport(argv: string[], io: CliIo): Promise<number>;
export declare class NdjsonLineChecker {
  push(bytes: Uint8Array): { data: Buffer; lines: number; error?: Error };
  end(): Error | undefined;
}
