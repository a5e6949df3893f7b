/**
 * Helpers for cost tests: seed many users fast (straight into D1, json_each batches) and read
 * the request's D1 totals from the Server-Timing header.
 */
import { env } from "cloudflare:test";
import bcrypt from "bcryptjs";
import { expect } from "vitest";
import { SEED_PASSWORD, seedD1 } from "../bench/seed-data.mjs";
import { parseServerTiming, type DbTiming } from "../bench/server-timing.mjs";
import { call, type ApiResult, type CallOptions } from "./helpers";

export { SEED_PASSWORD, parseServerTiming, type DbTiming };

/**
 * Seeds `users` realistic users (see bench/seed-data.mjs) into this test file's D1 and returns
 * their ids, oldest first. Users with a password have SEED_PASSWORD (bcrypt cost 4 here).
 */
export async function seedUsers(users: number, options: { startIndex?: number; now?: number } = {}): Promise<string[]> {
  const passwordDigest = bcrypt.hashSync(SEED_PASSWORD, 4);
  return seedD1(env.DB, { users, passwordDigest, chunkSize: 500, ...options });
}

/** The parsed Server-Timing of a response; fails the test when it is missing or malformed. */
export function dbTiming(result: Pick<ApiResult, "headers">): DbTiming {
  const header = result.headers.get("server-timing");
  const timing = parseServerTiming(header);
  expect(timing, `Server-Timing header: ${header}`).toBeDefined();
  return timing!;
}

/** Calls the API (like `call`) and returns the response with its D1 totals. */
export async function measured<T = any>(
  method: string,
  path: string,
  body?: unknown,
  options?: CallOptions,
): Promise<ApiResult<T> & { timing: DbTiming }> {
  const result = await call<T>(method, path, body, options);
  return { ...result, timing: dbTiming(result) };
}

/**
 * Rows D1 counts for loading the User JSON of the users on a page, on top of finding them.
 * D1 counts every index probe as a read: the aggregate loader (db/users.ts loadAggregates) runs
 * six child-table queries (emails, phones, wallets, passkeys, external accounts, backup-code
 * counts), each probing once per user and reading the json_each list of ids once (≈ 2 × 6 per
 * user), plus each identifier found, once more for the ORDER BY sorter (≈ 3 per identifier).
 * Measured with the seed data: 184 rows for the default page of 10 users.
 */
export const AGGREGATE_READS_PER_USER = 12;
export const AGGREGATE_READS_PER_IDENTIFIER = 3;

/** The aggregate-loading allowance for the User objects of a response body. */
export function aggregateReadAllowance(users: any[]): number {
  let identifiers = 0;
  for (const u of users) identifiers += u.email_addresses.length + u.phone_numbers.length + u.web3_wallets.length;
  return AGGREGATE_READS_PER_USER * users.length + AGGREGATE_READS_PER_IDENTIFIER * identifiers;
}
