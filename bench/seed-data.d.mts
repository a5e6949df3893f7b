// Types for bench/seed-data.mjs (plain JS so that Node 20 runs it without a TS loader).
export declare const SEED_PASSWORD: string;
export declare const INSERT_SQL: Record<string, string>;
export declare function seedId(prefix: string, ms: number): string;

export interface SeedOptions {
  users: number;
  passwordDigest: string | null;
  startIndex?: number;
  now?: number;
  organizations?: number;
  chunkSize?: number;
  seed?: number;
}

export declare function seedChunks(options: SeedOptions): Generator<{ table: string; rows: unknown[][] }[]>;
export declare function seedD1(
  db: Pick<D1Database, "prepare" | "batch">,
  options: SeedOptions & { onProgress?: (done: number) => void },
): Promise<string[]>;
