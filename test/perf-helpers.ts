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
 * `organizations: 0` seeds no organizations (and so no memberships).
 */
export async function seedUsers(users: number, options: { startIndex?: number; now?: number; organizations?: number } = {}): Promise<string[]> {
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
