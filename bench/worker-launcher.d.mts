// Types for bench/worker-launcher.mjs.
export declare const ROOT: string;
export declare const WRANGLER: string;
export declare function freePort(): Promise<number>;
export declare function applyMigrations(persistTo: string): void;
export declare function startWrangler(options?: {
  persistTo?: string;
  vars?: Record<string, string>;
  config?: string;
  readyPath?: string;
  timeoutMs?: number;
  onOutput?: (chunk: string) => void;
}): Promise<{ url: string; output(): string; stop(): Promise<void> }>;
export declare function requestJson(
  url: string,
  method: string,
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
): Promise<{ status: number; body: any; headers: Headers }>;
/** Builds the dashboard (wrangler.toml's [assets] directory) when this checkout has not. */
export declare function ensureDashboardBuilt(): void;
