// Types for http-client.mjs (plain JS so that Node runs it without a TS loader).
export declare class FatalError extends Error {
  constructor(message: string, details?: { status?: number; code?: string });
  status: number | undefined;
  code: string | undefined;
}
export declare class BatchError extends Error {
  constructor(code: string, message: string, status?: number);
  code: string;
  status: number | undefined;
}
export interface ImportResult {
  index: number;
  id: string | null;
  status: string;
  errors?: unknown[];
}
export declare function retryAfterMs(value: string | null, nowMs: number): number | undefined;
export declare function rateLimitWaitMs(headers: Headers, nowMs: number): number | undefined;
export declare function describeErrors(errors: unknown): { code: string; message: string };
export declare function createApiClient(options: {
  url: string;
  key: string;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  timeoutMs?: number;
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  maxRateLimitWaits?: number;
  signal?: AbortSignal;
  onWait?: (event: { reason: "rate_limited" | "retry"; ms: number; detail: string }) => void;
}): {
  importUsers(users: Record<string, unknown>[]): Promise<ImportResult[]>;
  countUsers(query?: Record<string, string | undefined>): Promise<number>;
  openExport(query?: Record<string, string | undefined>): Promise<Response>;
};
