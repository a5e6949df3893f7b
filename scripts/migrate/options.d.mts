// Types for options.mjs (plain JS so that Node runs it without a TS loader).
export declare const EXIT_OK: 0;
export declare const EXIT_FAILED_USERS: 1;
export declare const EXIT_ERROR: 2;
export declare const EXIT_INTERRUPTED: 130;
export declare const DEFAULT_URL: string;
export declare const DEV_VARS_PATH: string;
export declare class UsageError extends Error {}
export declare function readDevVars(path: string): Record<string, string>;
export declare function parseCommandLine(
  argv: string[],
  extra: Record<string, { type: "string" | "boolean"; short?: string }>,
  context?: { devVarsPath?: string },
): { url: string; key: string | undefined; keySource: string; values: Record<string, string | boolean | undefined> };
export declare function intOption(value: string | boolean | undefined, name: string, fallback: number, min: number, max: number): number;
