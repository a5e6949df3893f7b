// Types for progress.mjs (plain JS so that Node runs it without a TS loader).
export declare function formatCount(n: number): string;
export declare function formatDuration(ms: number): string;
export declare function createProgress(options: {
  stream: { write(text: string): unknown; columns?: number };
  isTTY: boolean;
  total?: number;
  now?: () => number;
  label: string;
  unit?: string;
}): { add(count: number, failures?: number): void; finish(): void; readonly done: number };
